package dev.clustermesh.agent.policy;

/**
 * Packets and bytes a datapath counted for one policy, direction and verdict, summed over every local pod it
 * applies to. The policy {@link #DEFAULT_DENY} stands for the drops of isolated pods that no rule allowed.
 *
 * @param policy the policy, as {@code PolicyRef} prints it ({@code NetworkPolicy x/allow-a})
 * @param direction {@code ingress} or {@code egress}
 * @param verdict {@code allowed} or {@code denied}
 */
public record PolicyCounter(String policy, String direction, String verdict, long packets, long bytes) {
    public static final String DEFAULT_DENY = "default-deny";
}
