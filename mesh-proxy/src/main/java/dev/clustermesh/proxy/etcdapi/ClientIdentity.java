package dev.clustermesh.proxy.etcdapi;

import dev.clustermesh.core.identity.ClusterIdentity;
import java.util.Optional;

/**
 * Who is calling, from the CN of the client certificate.
 *
 * @param kind local (this cluster's agents and dns) or remote (another cluster)
 * @param cluster the cluster named in the CN
 */
public record ClientIdentity(Kind kind, String cluster) {

    /** The two kinds of mesh identity. */
    public enum Kind { LOCAL, REMOTE }

    /** Parses {@code local-<cluster>} or {@code remote-<cluster>}; anything else is empty. */
    public static Optional<ClientIdentity> fromCommonName(String cn) {
        if (cn == null) {
            return Optional.empty();
        }
        Kind kind = cn.startsWith("local-") ? Kind.LOCAL : cn.startsWith("remote-") ? Kind.REMOTE : null;
        if (kind == null) {
            return Optional.empty();
        }
        String cluster = cn.substring(cn.indexOf('-') + 1);
        return ClusterIdentity.nameProblem(cluster).isPresent() ? Optional.empty()
                : Optional.of(new ClientIdentity(kind, cluster));
    }

    /** The CN form, e.g. {@code remote-cluster2}; also the metric tag. */
    @Override
    public String toString() {
        return (kind == Kind.LOCAL ? "local-" : "remote-") + cluster;
    }
}
