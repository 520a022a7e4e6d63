package dev.clustermesh.proxy.export;

import dev.clustermesh.core.identity.ClusterIdentity;
import dev.clustermesh.core.identity.IdentityLabelFilter;
import dev.clustermesh.proto.mesh.v1.Capabilities;
import dev.clustermesh.proto.mesh.v1.ClusterConfig;
import dev.clustermesh.proxy.config.ProxySettings;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What the exporter needs of the configuration, already validated.
 *
 * @param cluster this cluster's name and ID
 * @param podCidrs pod CIDRs announced in the ClusterConfig
 * @param serviceCidrs service CIDRs announced in the ClusterConfig
 * @param identity this replica's name in the election and in the heartbeat
 * @param heartbeatInterval how often the leader refreshes the heartbeat
 * @param leaseTtl the election lease TTL (whole seconds, at least 2)
 * @param maxTxnOps most writes per etcd transaction
 * @param requestTimeout time allowed for one etcd request
 * @param identityLabelFilter label keys left out of security identities, announced in the ClusterConfig
 * @param identityReleaseGrace how long an identity no pod uses stays allocated
 */
public record ExportSettings(ClusterIdentity cluster, List<String> podCidrs, List<String> serviceCidrs,
        String identity, Duration heartbeatInterval, Duration leaseTtl, int maxTxnOps, Duration requestTimeout,
        IdentityLabelFilter identityLabelFilter, Duration identityReleaseGrace) {
    /** Largest cluster ID the 8-bit datapath can address, announced in the capabilities. */
    public static final int MAX_CONNECTED_CLUSTERS = ClusterIdentity.MAX_ID;

    public ExportSettings {
        Objects.requireNonNull(cluster, "cluster");
        podCidrs = List.copyOf(podCidrs);
        serviceCidrs = List.copyOf(serviceCidrs);
        Objects.requireNonNull(identity, "identity");
        if (leaseTtl.toSeconds() < 2) {
            throw new IllegalArgumentException("lease TTL " + leaseTtl + " is below etcd's minimum of 2s");
        }
        Objects.requireNonNull(identityLabelFilter, "identityLabelFilter");
        if (identityReleaseGrace.isNegative()) {
            throw new IllegalArgumentException("identity release grace " + identityReleaseGrace + " is negative");
        }
        if (maxTxnOps < 2) {
            throw new IllegalArgumentException("max-txn-ops " + maxTxnOps + " must be at least 2");
        }
    }

    /** The exporter's part of the validated mesh-proxy settings. */
    public static ExportSettings from(ProxySettings s) {
        return new ExportSettings(s.cluster(), s.podCidrs(), s.serviceCidrs(), s.identity(), s.heartbeatInterval(),
                s.leaseTtl(), s.maxTxnOps(), s.etcdRequestTimeout(), s.identityLabelFilter(), s.identityReleaseGrace());
    }

    /** The ClusterConfig this exporter announces. */
    public ClusterConfig clusterConfig() {
        return ClusterConfig.newBuilder().setName(cluster.name()).setId(cluster.id()).addAllPodCidrs(podCidrs)
                .addAllServiceCidrs(serviceCidrs)
                .setCapabilities(Capabilities.newBuilder().setSyncCanaries(true).setCached(true)
                        .setMaxConnectedClusters(MAX_CONNECTED_CLUSTERS))
                .setIdentityLabelFilter(identityLabelFilter.toProto()).build();
    }
}
