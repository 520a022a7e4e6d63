package dev.clustermesh.core.policy;

/**
 * The outcome for one connection: egress is decided by the source's cluster, ingress by the destination's, and
 * both must allow it. Replies of an allowed connection always pass and are not checked.
 */
public record Verdict(boolean allowed, Decision egress, Decision ingress) {
    /** Two lines, egress then ingress. */
    public String explain() {
        return (allowed ? "allowed" : "denied") + "\n  egress:  " + egress.reason() + "\n  ingress: " + ingress.reason();
    }
}
