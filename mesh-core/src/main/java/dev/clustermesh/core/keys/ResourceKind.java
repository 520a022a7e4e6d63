package dev.clustermesh.core.keys;

import java.util.Optional;

/** The kinds of state a cluster exports, each with its own sync canary. */
public enum ResourceKind {
    SERVICES("services"),
    NODES("nodes"),
    ENDPOINTS("endpoints");

    private final String segment;

    ResourceKind(String segment) {
        this.segment = segment;
    }

    /** The key segment, e.g. {@code services} in {@code mesh/v1/synced/<cluster>/services}. */
    public String segment() {
        return segment;
    }

    /** Finds the kind for a key segment, or empty when there is none. */
    public static Optional<ResourceKind> fromSegment(String segment) {
        for (ResourceKind k : values()) {
            if (k.segment.equals(segment)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }
}
