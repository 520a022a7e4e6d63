package dev.clustermesh.proxy.export;

import dev.clustermesh.core.identity.ClusterIdentity;
import dev.clustermesh.core.policy.Cidr;
import dev.clustermesh.proxy.config.ProxyConfig;
import dev.clustermesh.core.identity.IdentityLabelFilter;
import dev.clustermesh.proto.mesh.v1.Capabilities;
import dev.clustermesh.proto.mesh.v1.ClusterConfig;
import dev.clustermesh.proxy.config.ProxySettings;
import java.time.Duration;
import java.util.List;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

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
 * @param clustersetCidr where clusterset IPs come from; empty when imports get none
 * @param meshClustersDir the clusters directory followed to learn the other clusters' ServiceExports; empty when
 *     this cluster imports only its own
 */
public record ExportSettings(ClusterIdentity cluster, List<String> podCidrs, List<String> serviceCidrs,
        String identity, Duration heartbeatInterval, Duration leaseTtl, int maxTxnOps, Duration requestTimeout,
        IdentityLabelFilter identityLabelFilter, Duration identityReleaseGrace, Optional<Cidr> clustersetCidr,
        Optional<Path> meshClustersDir) {
    /** Largest cluster ID the 8-bit datapath can address, announced in the capabilities. */
    public static final int MAX_CONNECTED_CLUSTERS = ClusterIdentity.MAX_ID;

    public ExportSettings {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(clustersetCidr, "clustersetCidr");
        Objects.requireNonNull(meshClustersDir, "meshClustersDir");
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

    /** Settings without the Multi-Cluster Services API's clusterset IPs and mesh following. */
    public ExportSettings(ClusterIdentity cluster, List<String> podCidrs, List<String> serviceCidrs,
            String identity, Duration heartbeatInterval, Duration leaseTtl, int maxTxnOps, Duration requestTimeout,
            IdentityLabelFilter identityLabelFilter, Duration identityReleaseGrace) {
        this(cluster, podCidrs, serviceCidrs, identity, heartbeatInterval, leaseTtl, maxTxnOps, requestTimeout,
                identityLabelFilter, identityReleaseGrace, Optional.empty(), Optional.empty());
    }

    /** The exporter's part of the validated mesh-proxy settings, without the Multi-Cluster Services API's. */
    public static ExportSettings from(ProxySettings s) {
        return new ExportSettings(s.cluster(), s.podCidrs(), s.serviceCidrs(), s.identity(), s.heartbeatInterval(),
                s.leaseTtl(), s.maxTxnOps(), s.etcdRequestTimeout(), s.identityLabelFilter(), s.identityReleaseGrace());
    }

    /**
     * The exporter's part of the validated mesh-proxy settings and of {@code mesh.mcs.*}.
     *
     * @throws IllegalArgumentException naming the property when the clusterset CIDR is not a CIDR (or {@code none}),
     *     overlaps a pod or service CIDR, or the clusters directory is not a directory
     */
    public static ExportSettings from(ProxySettings s, ProxyConfig.Mcs mcs) {
        Optional<Cidr> cidr = Optional.empty();
        String text = mcs.clustersetCidr().trim();
        if (!text.equalsIgnoreCase("none")) {
            cidr = Optional.of(Cidr.parse(text).filter(c -> ClustersetIps.size(c) > 0).orElseThrow(() ->
                    new IllegalArgumentException("mesh.mcs.clusterset-cidr: '" + text
                            + "' is not a CIDR with room for addresses (or none)")));
            for (String other : concat(s.podCidrs(), s.serviceCidrs())) {
                Optional<Cidr> o = Cidr.parse(other);
                if (o.isPresent() && (o.get().covers(cidr.get()) || cidr.get().covers(o.get()))) {
                    throw new IllegalArgumentException("mesh.mcs.clusterset-cidr: " + text + " overlaps " + other
                            + ", a pod or service CIDR of this cluster");
                }
            }
        }
        if (mcs.clustersDir().isPresent() && !java.nio.file.Files.isDirectory(mcs.clustersDir().get())) {
            throw new IllegalArgumentException("mesh.mcs.clusters-dir: '" + mcs.clustersDir().get()
                    + "' is not a directory");
        }
        ExportSettings base = from(s);
        return new ExportSettings(base.cluster(), base.podCidrs(), base.serviceCidrs(), base.identity(),
                base.heartbeatInterval(), base.leaseTtl(), base.maxTxnOps(), base.requestTimeout(),
                base.identityLabelFilter(), base.identityReleaseGrace(), cidr, mcs.clustersDir());
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new java.util.ArrayList<>(a);
        out.addAll(b);
        return out;
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
