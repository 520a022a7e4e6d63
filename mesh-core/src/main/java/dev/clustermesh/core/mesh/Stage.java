package dev.clustermesh.core.mesh;

/**
 * The stages of a change's way from a cluster's source to an agent's datapath, in order. The first two are
 * measured by the source cluster's mesh-proxy (and reach other clusters in its heartbeat); the last two by the
 * agent.
 */
public enum Stage {
    /** Source change (Kubernetes or directory event) to the exporter's etcd transaction acknowledged. */
    EXPORT("export"),
    /** The etcd transaction's acknowledgement to the source cluster's (leading) mesh-proxy cache holding it. */
    CACHE("cache"),
    /** The exporter's write to the agent receiving it (from heartbeats; two clocks, so only as good as NTP). */
    TRANSIT("transit"),
    /** Received by the agent to programmed in its datapath. */
    APPLIED("applied");

    private final String label;

    Stage(String label) {
        this.label = label;
    }

    /** The stage's name in metrics and in {@code meshctl status -v}. */
    public String label() {
        return label;
    }
}
