package dev.clustermesh.proxy.config;

import dev.clustermesh.core.net.HostNames;
import dev.clustermesh.core.identity.ClusterIdentity;
import dev.clustermesh.core.identity.IdentityLabelFilter;
import dev.clustermesh.core.net.IpAddresses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The validated mesh-proxy configuration.
 *
 * @param cluster this cluster's name and ID
 * @param podCidrs pod CIDRs announced in the ClusterConfig
 * @param serviceCidrs service CIDRs announced in the ClusterConfig
 * @param etcdEndpoints etcd client URLs
 * @param etcdTls client TLS material for etcd, when etcd uses TLS
 * @param etcdRequestTimeout time allowed for one etcd request
 * @param source where exported state comes from
 * @param directory manifest directory with {@link Source#DIRECTORY}
 * @param heartbeatInterval heartbeat refresh period
 * @param leaseTtl election lease TTL
 * @param identity this replica's name in the election
 * @param maxTxnOps most operations per transaction
 * @param identityLabelFilter label keys left out of security identities
 * @param identityReleaseGrace how long an unused identity stays allocated
 * @param historySize events kept for watches from older revisions
 * @param historyBytes bytes those events may weigh
 * @param progressNotifyInterval progress notification period
 * @param watchQueueBytes bytes a watch stream may have queued before it catches up from the history instead
 * @param watchQueueTotalBytes bytes all watch streams together may have queued
 * @param upstreamProgressInterval how often the upstream watch is asked for progress
 */
public record ProxySettings(ClusterIdentity cluster, List<String> podCidrs, List<String> serviceCidrs,
        List<String> etcdEndpoints, Optional<EtcdTls> etcdTls, Duration etcdRequestTimeout, Source source,
        Optional<Path> directory, Duration heartbeatInterval, Duration leaseTtl, String identity, int maxTxnOps,
        IdentityLabelFilter identityLabelFilter, Duration identityReleaseGrace, int historySize, long historyBytes, Duration progressNotifyInterval, long watchQueueBytes,
        long watchQueueTotalBytes, Duration upstreamProgressInterval) {

    /** Where the exporter reads Kubernetes state from. */
    public enum Source { KUBERNETES, DIRECTORY, NONE }

    /** PEM files for a TLS connection to etcd. */
    public record EtcdTls(Path ca, Optional<Path> cert, Optional<Path> key) {
    }

    public ProxySettings {
        podCidrs = List.copyOf(podCidrs);
        serviceCidrs = List.copyOf(serviceCidrs);
        etcdEndpoints = List.copyOf(etcdEndpoints);
    }

    /**
     * Validates the raw configuration.
     *
     * @throws IllegalArgumentException listing every bad property by name with its value and the reason
     */
    public static ProxySettings from(ProxyConfig c) {
        List<String> errors = new ArrayList<>();
        ClusterIdentity cluster = cluster(c.cluster(), errors);
        List<String> pods = cidrs("mesh.cluster.pod-cidrs", c.cluster().podCidrs(), errors);
        List<String> services = cidrs("mesh.cluster.service-cidrs", c.cluster().serviceCidrs(), errors);
        for (String e : c.etcd().endpoints()) {
            if (!e.startsWith("http://") && !e.startsWith("https://")) {
                errors.add("mesh.etcd.endpoints: '" + e + "' must start with http:// or https://");
            }
        }
        Optional<EtcdTls> tls = etcdTls(c.etcd(), errors);
        Source source = source(c.export().source(), errors);
        if (source == Source.DIRECTORY) {
            if (c.export().directory().isEmpty()) {
                errors.add("mesh.export.directory must be set when mesh.export.source=directory");
            } else if (!Files.isDirectory(c.export().directory().get())) {
                errors.add("mesh.export.directory: '" + c.export().directory().get() + "' is not a directory");
            }
        }
        positive("mesh.export.heartbeat-interval", c.export().heartbeatInterval(), errors);
        if (c.export().leaseTtl().toSeconds() < 2) {
            errors.add("mesh.export.lease-ttl: " + c.export().leaseTtl() + " is shorter than etcd's minimum of 2s");
        }
        if (c.export().maxTxnOps() < 2) {
            errors.add("mesh.export.max-txn-ops: " + c.export().maxTxnOps() + " must be at least 2");
        }
        IdentityLabelFilter filter = IdentityLabelFilter.DEFAULT;
        try {
            filter = IdentityLabelFilter.of(
                    c.export().identityLabelExclude().orElse(IdentityLabelFilter.DEFAULT_EXCLUDE));
        } catch (IllegalArgumentException e) {
            errors.add("mesh.export.identity-label-exclude: " + e.getMessage());
        }
        if (c.export().identityReleaseGrace().isNegative()) {
            errors.add("mesh.export.identity-release-grace: " + c.export().identityReleaseGrace()
                    + " must not be negative");
        }
        if (c.api().historySize() < 0) {
            errors.add("mesh.api.history-size: " + c.api().historySize() + " must not be negative");
        }
        positive("mesh.api.progress-notify-interval", c.api().progressNotifyInterval(), errors);
        positive("mesh.api.upstream-progress-interval", c.api().upstreamProgressInterval(), errors);
        long historyBytes = atLeast("mesh.api.history-bytes", c.api().historyBytes().asLongValue(), 64 * 1024, errors);
        long queueBytes = atLeast("mesh.api.watch-queue-bytes", c.api().watchQueueBytes().asLongValue(), 1024, errors);
        long totalBytes = atLeast("mesh.api.watch-queue-total-bytes", c.api().watchQueueTotalBytes().asLongValue(),
                queueBytes, errors);
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("invalid mesh-proxy configuration: " + String.join("; ", errors));
        }
        return new ProxySettings(cluster, pods, services, c.etcd().endpoints(), tls, c.etcd().requestTimeout(),
                source, c.export().directory(), c.export().heartbeatInterval(), c.export().leaseTtl(),
                c.export().identity().orElseGet(() -> HostNames.local("mesh-proxy")), c.export().maxTxnOps(),
                filter, c.export().identityReleaseGrace(), c.api().historySize(), historyBytes, c.api().progressNotifyInterval(), queueBytes, totalBytes,
                c.api().upstreamProgressInterval());
    }

    private static long atLeast(String property, long value, long min, List<String> errors) {
        if (value < min) {
            errors.add(property + ": " + value + " must be at least " + min);
        }
        return value;
    }

    private static ClusterIdentity cluster(ProxyConfig.Cluster c, List<String> errors) {
        try {
            int id = ClusterIdentity.parseId("mesh.cluster.id", c.id());
            Optional<String> nameProblem = ClusterIdentity.nameProblem(c.name());
            if (nameProblem.isPresent()) {
                errors.add("mesh.cluster.name: " + nameProblem.get());
                return null;
            }
            return new ClusterIdentity(c.name(), id);
        } catch (IllegalArgumentException e) {
            errors.add(e.getMessage());
            return null;
        }
    }

    private static List<String> cidrs(String property, Optional<List<String>> values, List<String> errors) {
        List<String> out = values.orElse(List.of());
        out.forEach(v -> IpAddresses.cidrProblem(v).ifPresent(p -> errors.add(property + ": " + p)));
        return out;
    }

    private static Optional<EtcdTls> etcdTls(ProxyConfig.Etcd e, List<String> errors) {
        for (var f : List.of(e.caFile(), e.certFile(), e.keyFile())) {
            f.filter(p -> !Files.isReadable(p))
                    .ifPresent(p -> errors.add("mesh.etcd: TLS file '" + p + "' is not readable"));
        }
        if (e.certFile().isPresent() != e.keyFile().isPresent()) {
            errors.add("mesh.etcd.cert-file and mesh.etcd.key-file must be set together");
        }
        return e.caFile().map(ca -> new EtcdTls(ca, e.certFile(), e.keyFile()));
    }

    private static Source source(String value, List<String> errors) {
        try {
            return Source.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException ex) {
            errors.add("mesh.export.source: '" + value + "' is not one of kubernetes, directory, none");
            return Source.NONE;
        }
    }

    private static void positive(String property, Duration d, List<String> errors) {
        if (d.isNegative() || d.isZero()) {
            errors.add(property + ": " + d + " must be positive");
        }
    }
}
