package dev.clustermesh.core.policy;

/**
 * One problem found in a policy object. Any warning refuses the whole policy (Cilium does the same), so a
 * partly understood policy never opens or closes more than its author wrote.
 *
 * @param policy the policy the problem is in
 * @param path the field path, e.g. {@code spec.ingress[0].from[1].ipBlock.cidr}
 * @param message what is wrong, ready for a log line or a status field
 */
public record PolicyWarning(PolicyRef policy, String path, String message) {
    @Override
    public String toString() {
        return policy + ": " + path + ": " + message;
    }
}
