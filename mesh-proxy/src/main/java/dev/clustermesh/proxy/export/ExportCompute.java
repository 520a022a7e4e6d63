package dev.clustermesh.proxy.export;

import com.google.protobuf.Message;
import dev.clustermesh.core.annotations.AnnotationWarning;
import dev.clustermesh.core.annotations.ServiceAnnotations;
import dev.clustermesh.core.identity.IdentityLabelFilter;
import dev.clustermesh.core.keys.MeshKey;
import dev.clustermesh.core.keys.ResourceKind;
import dev.clustermesh.proxy.export.inventory.ExportObject;
import dev.clustermesh.proxy.export.inventory.NodeObject;
import dev.clustermesh.proxy.export.inventory.ObjectRef;
import dev.clustermesh.proxy.export.inventory.PodObject;
import dev.clustermesh.proxy.export.inventory.PolicyObject;
import dev.clustermesh.proxy.export.inventory.ServiceObject;
import dev.clustermesh.proxy.export.inventory.SliceObject;
import dev.clustermesh.proxy.export.inventory.Snapshot;
import dev.clustermesh.proxy.export.inventory.SourceKind;
import dev.clustermesh.proto.mesh.v1.ClusterConfig;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.Node;
import dev.clustermesh.proto.mesh.v1.NodeAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The pure heart of the exporter: from a snapshot of the source to the full set of keys and values this
 * cluster should have in etcd.
 *
 * <p>Contract: only Services annotated global are exported, shared ones under {@code mesh/v1/services/},
 * {@code shared=false} ones under {@code mesh/v1/local/services/}; their backends come from the
 * EndpointSlices labelled with the service name; every IP of an exportable Pod (see {@link EndpointExport})
 * gets an Endpoint key with the numeric identity of its labels, and every identity in use (or released less
 * than the grace ago) an Identity key; every NetworkPolicy and CiliumNetworkPolicy gets a JSON document under
 * {@code mesh/v1/local/policies/}; every Node gets a Node key; the ClusterConfig is always present. Never throws on bad source data: an object whose names
 * cannot form a key, a bad annotation, address or port becomes an {@link ExportWarning} and is left out or
 * defaulted. Deterministic: equal inputs give equal outputs (same order, same bytes).
 */
public final class ExportCompute {
    private static final Comparator<NodeAddress> INTERNAL_IP_FIRST =
            Comparator.comparingInt(a -> "InternalIP".equals(a.getType()) ? 0 : 1);

    private ExportCompute() {
    }

    /**
     * What identity allocation needs beside the snapshot.
     *
     * @param filter the identity-relevant label filter
     * @param releaseGrace how long an identity no pod uses stays allocated
     * @param previous the table the previous computation returned (or the one adopted from etcd)
     * @param nowMillis the current time, Unix epoch milliseconds
     * @param clustersetIps the clusterset IPs of the previous computation (or adopted from etcd), in the configured
     *     clusterset CIDR ({@link ClustersetIps#NONE} when there is none)
     */
    public record Identities(IdentityLabelFilter filter, Duration releaseGrace, IdentityTable previous,
            long nowMillis, ClustersetIps clustersetIps) {
        /** Inputs without clusterset IPs. */
        public Identities(IdentityLabelFilter filter, Duration releaseGrace, IdentityTable previous, long nowMillis) {
            this(filter, releaseGrace, previous, nowMillis, ClustersetIps.NONE);
        }
    }

    /**
     * {@link #compute(ClusterConfig, Identities, Snapshot)} with no previous identities, at time 0, with the
     * filter the config announces (the default when it announces none).
     */
    public static DesiredState compute(ClusterConfig config, Snapshot snapshot) {
        IdentityLabelFilter filter = config.hasIdentityLabelFilter()
                ? IdentityLabelFilter.of(config.getIdentityLabelFilter().getExcludeList()) : IdentityLabelFilter.DEFAULT;
        return compute(config, new Identities(filter, Duration.ofMinutes(1), IdentityTable.EMPTY, 0), snapshot);
    }

    /**
     * Computes the desired state.
     *
     * @param config this cluster's ClusterConfig; its name is the cluster every key is written for, its ID the
     *     high bits of every identity
     * @param identities the identity allocation inputs
     * @param snapshot the source content; identities are released only when its pods and namespaces are synced
     */
    public static DesiredState compute(ClusterConfig config, Identities identities, Snapshot snapshot) {
        String cluster = config.getName();
        Map<String, Message> values = new TreeMap<>();
        Map<ResourceKind, Integer> counts = new EnumMap<>(ResourceKind.class);
        List<ExportWarning> warnings = new ArrayList<>();
        // The cluster's ClusterProperties travel with its config: every importer evaluates cluster selectors on them.
        // Until the source has read them, the config's own (a new leader's: what etcd held) stay announced.
        values.put(new MeshKey.Config(cluster).key(), snapshot.synced().contains(SourceKind.CLUSTER_PROPERTIES)
                ? config.toBuilder().clearProperties().putAllProperties(snapshot.propertyValues()).build() : config);

        Map<ObjectRef, List<SliceObject>> slices = slicesByService(snapshot.slices());
        List<ServiceObject> services =
                snapshot.services().stream().sorted(Comparator.comparing(ServiceObject::ref)).toList();
        Map<ObjectRef, ExportObject> exports = new TreeMap<>();
        snapshot.exports().forEach(e -> exports.put(e.ref(), e));
        List<ClusterService> mcs = new ArrayList<>();
        for (ServiceObject svc : services) {
            exportService(cluster, svc, exports.get(svc.ref()), slices.getOrDefault(svc.ref(), List.of()), values,
                    warnings).filter(ClusterService::getMcsExported).ifPresent(mcs::add);
        }
        counts.put(ResourceKind.SERVICES, values.size() - 1);
        McsCompute.Result imports = McsCompute.compute(cluster, snapshot, mcs, identities.clustersetIps(),
                warnings::add);
        values.putAll(imports.values());
        counts.put(ResourceKind.MCS, imports.values().size());

        EndpointExport.Result pods = EndpointExport.compute(cluster, config.getId(), identities.filter(),
                snapshot.pods(), snapshot.namespaces(), identities.previous(),
                snapshot.syncedKinds().contains(ResourceKind.IDENTITIES), identities.nowMillis(),
                identities.releaseGrace(), warnInto(warnings));
        pods.endpoints().forEach((ip, e) -> values.put(new MeshKey.Endpoint(cluster, ip).key(), e));
        counts.put(ResourceKind.ENDPOINTS, pods.endpoints().size());
        values.putAll(pods.identities());
        counts.put(ResourceKind.IDENTITIES, pods.identities().size());
        Map<String, String> documents = policies(cluster, snapshot.policies(), warnings);
        counts.put(ResourceKind.POLICIES, documents.size());

        int nodes = 0;
        for (NodeObject n : snapshot.nodes()) {
            try {
                values.put(new MeshKey.Node(cluster, n.name()).key(), node(cluster, n));
                nodes++;
            } catch (IllegalArgumentException e) {
                warnings.add(invalid("node " + n.name(), e.getMessage() + "; not exported"));
            }
        }
        counts.put(ResourceKind.NODES, nodes);
        List<ClusterService> constituents = new ArrayList<>(mcs);
        snapshot.meshExports().stream().filter(cs -> !cs.getCluster().equals(cluster)).forEach(constituents::add);
        return new DesiredState(values, documents, counts, warnings, pods.table(), imports.ips(), constituents);
    }

    private static EndpointExport.Warn warnInto(List<ExportWarning> warnings) {
        return new EndpointExport.Warn() {
            @Override
            public void pod(PodObject pod, String message) {
                warnings.add(invalid("pod " + pod.ref(), message));
            }

            @Override
            public void identity(String subject, String message) {
                warnings.add(new ExportWarning(ExportWarning.Cause.IDENTITY, subject, message));
            }
        };
    }

    private static Map<String, String> policies(String cluster, List<PolicyObject> policies,
            List<ExportWarning> warnings) {
        Map<String, String> out = new TreeMap<>();
        for (PolicyObject p : policies) {
            try {
                out.put(new MeshKey.Policy(cluster, p.kind(), p.ref().namespace(), p.ref().name()).key(), p.json());
            } catch (IllegalArgumentException e) {
                warnings.add(invalid(p.kind().kind() + " " + p.ref(), e.getMessage() + "; not exported"));
            }
        }
        return out;
    }

    /** The Node value: addresses with InternalIP first (otherwise in source order), pod CIDRs as given. */
    static Node node(String cluster, NodeObject n) {
        List<NodeAddress> addresses = n.addresses().stream()
                .map(a -> NodeAddress.newBuilder().setType(orEmpty(a.type())).setAddress(orEmpty(a.address())).build())
                .sorted(INTERNAL_IP_FIRST).toList();
        return Node.newBuilder().setCluster(cluster).setName(n.name()).addAllAddresses(addresses)
                .addAllPodCidrs(n.podCidrs()).build();
    }

    /**
     * Exports a Service annotated global or named by a ServiceExport ({@code export}, null when none); an ExternalName
     * Service is never exported by a ServiceExport (its status says why). Returns the value written, if any.
     */
    private static Optional<ClusterService> exportService(String cluster, ServiceObject svc, ExportObject export,
            List<SliceObject> slices, Map<String, Message> values, List<ExportWarning> warnings) {
        String subject = "service " + svc.ref();
        ServiceAnnotations.Parsed parsed = ServiceAnnotations.parse(svc.annotations());
        for (AnnotationWarning w : parsed.warnings()) {
            warnings.add(new ExportWarning(ExportWarning.Cause.ANNOTATION, subject, "annotation " + w));
        }
        ServiceAnnotations settings = parsed.annotations();
        boolean mcs = export != null && McsCompute.invalidity(cluster, export, svc).isEmpty();
        if (!settings.global() && !mcs) {
            return Optional.empty();
        }
        MeshKey.Service key;
        try {
            key = new MeshKey.Service(cluster, svc.ref().namespace(), svc.ref().name(), settings.shared());
        } catch (IllegalArgumentException e) {
            warnings.add(invalid(subject, e.getMessage() + "; not exported"));
            return Optional.empty();
        }
        ClusterService value = ServiceExport.compute(cluster, svc, settings, slices,
                m -> warnings.add(invalid(subject, m)));
        if (mcs) {
            value = value.toBuilder().setMcsExported(true).setExportCreatedUnixMillis(export.createdMillis())
                    .addAllClusterSelectors(export.clusterSelectors())
                    .putAllExportedLabels(ExportedMetadata.labels(export.exportedLabels(), m -> warnings.add(
                            new ExportWarning(ExportWarning.Cause.SERVICE_EXPORT, "ServiceExport " + svc.ref(), m))))
                    .putAllExportedAnnotations(ExportedMetadata.annotations(export.exportedAnnotations(),
                            m -> warnings.add(new ExportWarning(ExportWarning.Cause.SERVICE_EXPORT,
                                    "ServiceExport " + svc.ref(), m)))).build();
        }
        values.put(key.key(), value);
        return Optional.of(value);
    }

    private static Map<ObjectRef, List<SliceObject>> slicesByService(List<SliceObject> all) {
        Map<ObjectRef, List<SliceObject>> out = new TreeMap<>();
        all.stream().filter(s -> !s.serviceName().isEmpty()).sorted(Comparator.comparing(SliceObject::ref))
                .forEach(s -> out.computeIfAbsent(s.service(), k -> new ArrayList<>()).add(s));
        return out;
    }

    private static ExportWarning invalid(String subject, String message) {
        return new ExportWarning(ExportWarning.Cause.INVALID_OBJECT, subject, message);
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
