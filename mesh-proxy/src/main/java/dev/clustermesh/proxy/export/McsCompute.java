package dev.clustermesh.proxy.export;

import com.google.protobuf.Message;
import dev.clustermesh.core.keys.MeshKey;
import dev.clustermesh.core.keys.ResourceKind;
import dev.clustermesh.core.mesh.ServiceName;
import dev.clustermesh.proxy.export.inventory.ExportObject;
import dev.clustermesh.proxy.export.inventory.ObjectRef;
import dev.clustermesh.proxy.export.inventory.ServiceObject;
import dev.clustermesh.proxy.export.inventory.Snapshot;
import dev.clustermesh.proto.mesh.v1.ClusterSelector;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.Condition;
import dev.clustermesh.proto.mesh.v1.ImportType;
import dev.clustermesh.proto.mesh.v1.Port;
import dev.clustermesh.proto.mesh.v1.ServiceExportStatus;
import dev.clustermesh.proto.mesh.v1.ServiceImport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The Multi-Cluster Services API state of one cluster: the status of each of its ServiceExports and its
 * ServiceImports, from its own exports and the other clusters' (as its mesh-proxy follows the mesh). Pure.
 *
 * <p>Conflicts are resolved as KEP-1645 says, the same way in every cluster: the export with the oldest
 * {@code creationTimestamp} wins (unknown times lose to known ones; ties go to the cluster name first in order).
 * A property of an export that differs from the winner's puts {@code Conflict=True} on every export of the service
 * (the winner's included): the type (headless or not: TypeConflict), the session affinity (SessionAffinityConflict),
 * a port of the same name with another number or protocol (PortConflict), or the cluster selectors
 * (ClusterSelectorsConflict, KEP-5939). The import takes the winner's type, session affinity and cluster selectors
 * (resolved for the importer and evaluated over the exporting clusters' ClusterProperties), and the union of all
 * ports by name (the winner's where names clash).
 */
final class McsCompute {
    static final String VALID = "Valid";
    static final String READY = "Ready";
    static final String CONFLICT = "Conflict";

    private McsCompute() {
    }

    /**
     * What {@link #compute} returns.
     *
     * @param values the keys and values to write (imports and export statuses)
     * @param ips the clusterset IP allocation, for the next computation
     */
    record Result(Map<String, Message> values, ClustersetIps ips) {
    }

    /**
     * @param own this cluster's services exported with a ServiceExport, as this computation exports them
     * @param previous the allocation of the previous computation (or adopted from etcd)
     * @param warn receives one warning per invalid or conflicting ServiceExport
     */
    static Result compute(String cluster, Snapshot snapshot, List<ClusterService> own, ClustersetIps previous,
            Consumer<ExportWarning> warn) {
        Map<ServiceName, List<ClusterService>> byName = new TreeMap<>();
        snapshot.meshExports().stream().filter(cs -> !cs.getCluster().equals(cluster)).forEach(cs -> byName
                .computeIfAbsent(new ServiceName(cs.getNamespace(), cs.getName()), k -> new ArrayList<>()).add(cs));
        own.forEach(cs -> byName.computeIfAbsent(new ServiceName(cs.getNamespace(), cs.getName()),
                k -> new ArrayList<>()).add(cs));
        byName.values().forEach(l -> l.sort(WINNER_FIRST));

        Map<String, Message> values = new TreeMap<>();
        Map<ObjectRef, ServiceObject> services = new LinkedHashMap<>();
        snapshot.services().forEach(s -> services.put(s.ref(), s));
        for (ExportObject e : snapshot.exports()) {
            ServiceName name = new ServiceName(e.ref().namespace(), e.ref().name());
            ServiceExportStatus status = withCurrentTypes(status(cluster, e, services.get(e.ref()), byName.get(name),
                    warn));
            try {
                values.put(new MeshKey.ExportStatus(cluster, name.namespace(), name.name()).key(), status);
            } catch (IllegalArgumentException ex) {
                warn.accept(new ExportWarning(ExportWarning.Cause.INVALID_OBJECT, "ServiceExport " + e.ref(),
                        ex.getMessage() + "; no status kept"));
            }
        }
        Set<ServiceName> wanted = new java.util.TreeSet<>(byName.entrySet().stream()
                .filter(en -> !en.getValue().get(0).getHeadless()).map(Map.Entry::getKey).toList());
        if (!snapshot.syncedKinds().contains(ResourceKind.MCS)) {
            // Until the mesh's exports are all in, an import not seen yet keeps its address (it is not written or
            // pruned meanwhile either): a new leader must not hand a stored address to another service.
            wanted.addAll(previous.byService().keySet());
        }
        ClustersetIps ips = previous.allocate(wanted);
        Map<String, Map<String, String>> properties = new TreeMap<>();
        snapshot.meshProperties().forEach((c, p) -> properties.put(c, ClusterSelection.withClusterName(c, p)));
        properties.put(cluster, ClusterSelection.withClusterName(cluster, snapshot.propertyValues()));
        byName.forEach((name, exports) -> {
            ServiceImport imp = serviceImport(cluster, name, exports, ips.byService().get(name), properties);
            values.put(new MeshKey.Import(cluster, name.namespace(), name.name()).key(), imp);
        });
        return new Result(values, ips);
    }

    /** Oldest known creation time first, then cluster name. */
    static final Comparator<ClusterService> WINNER_FIRST = Comparator
            .comparingLong((ClusterService cs) -> cs.getExportCreatedUnixMillis() <= 0 ? Long.MAX_VALUE
                    : cs.getExportCreatedUnixMillis())
            .thenComparing(ClusterService::getCluster);

    /**
     * The import of {@code name} by {@code cluster}, with the winner's cluster selectors resolved for it and evaluated
     * over the exporting clusters' properties ({@code properties}: by cluster, a cluster missing there has only its
     * name as {@value ClusterSelection#CLUSTER_PROPERTY}).
     */
    static ServiceImport serviceImport(String cluster, ServiceName name, List<ClusterService> exports, String ip,
            Map<String, Map<String, String>> properties) {
        ClusterService winner = exports.get(0);
        Map<String, Port> ports = new LinkedHashMap<>();
        exports.forEach(cs -> cs.getPortsList().forEach(p -> ports.putIfAbsent(portKey(p), p)));
        ServiceImport.Builder b = ServiceImport.newBuilder().setCluster(cluster).setNamespace(name.namespace())
                .setName(name.name()).setType(winner.getHeadless() ? ImportType.HEADLESS : ImportType.CLUSTER_SET_IP)
                .addAllPorts(ports.values()).setSessionAffinity(affinity(winner))
                .addAllClusters(exports.stream().map(ClusterService::getCluster).sorted().toList())
                .setSessionAffinityTimeoutSeconds(winner.getSessionAffinityTimeoutSeconds())
                .setInternalTrafficPolicy(winner.getInternalTrafficPolicy())
                .setTrafficDistribution(winner.getTrafficDistribution())
                .putAllLabels(new TreeMap<>(winner.getExportedLabelsMap()))
                .putAllAnnotations(new TreeMap<>(winner.getExportedAnnotationsMap()));
        if (ip != null) {
            b.addIps(ip);
        }
        if (winner.getClusterSelectorsCount() > 0) {
            Map<String, String> importer = properties.getOrDefault(cluster,
                    ClusterSelection.withClusterName(cluster, Map.of()));
            List<ClusterSelector> resolved = winner.getClusterSelectorsList().stream()
                    .map(sel -> ClusterSelection.resolve(sel, importer)).toList();
            Map<String, Map<String, String>> candidates = new TreeMap<>();
            exports.forEach(cs -> candidates.put(cs.getCluster(), properties.getOrDefault(cs.getCluster(),
                    ClusterSelection.withClusterName(cs.getCluster(), Map.of()))));
            b.addAllClusterSelectors(resolved).addAllClusterSelectorResults(
                    ClusterSelection.results(resolved, candidates));
        }
        return b.build();
    }

    /**
     * The {@code Valid=False} condition of an export that cannot be exported, empty when it can: no Service
     * ({@code NoService}), an ExternalName Service or cluster selectors on a headless one ({@code InvalidServiceType}),
     * unusable cluster selectors ({@code InvalidClusterSelector}, KEP-5939).
     */
    static Optional<Condition> invalidity(String cluster, ExportObject e, ServiceObject svc) {
        if (svc == null) {
            return Optional.of(condition(VALID, "False", "NoService",
                    "Service " + e.ref() + " does not exist in cluster " + cluster));
        }
        if ("ExternalName".equals(svc.type())) {
            return Optional.of(condition(VALID, "False", "InvalidServiceType",
                    "Service " + e.ref() + " is of type ExternalName, which cannot be exported"));
        }
        if (e.selectorError().isPresent()) {
            return Optional.of(condition(VALID, "False", "InvalidClusterSelector", e.selectorError().get()));
        }
        if (svc.headless() && !e.clusterSelectors().isEmpty()) {
            return Optional.of(condition(VALID, "False", "InvalidServiceType", "Service " + e.ref()
                    + " is headless; spec.clusterSelectors applies only to services with a clusterset IP"));
        }
        return Optional.empty();
    }

    private static ServiceExportStatus status(String cluster, ExportObject e, ServiceObject svc,
            List<ClusterService> exports, Consumer<ExportWarning> warn) {
        ServiceExportStatus.Builder b = ServiceExportStatus.newBuilder().setCluster(cluster)
                .setNamespace(e.ref().namespace()).setName(e.ref().name());
        String subject = "ServiceExport " + e.ref();
        Optional<Condition> invalid = invalidity(cluster, e, svc);
        if (invalid.isPresent()) {
            String message = invalid.get().getMessage();
            warn.accept(new ExportWarning(ExportWarning.Cause.SERVICE_EXPORT, subject, message));
            return b.addConditions(invalid.get()).addConditions(condition(READY, "False", "Failed", message)).build();
        }
        b.addConditions(condition(VALID, "True", "Valid", "Service " + e.ref() + " is exported"));
        b.addConditions(condition(READY, "True", "Exported", "exported to the mesh as " + e.ref()));
        Set<String> reasons = new LinkedHashSet<>();
        List<String> details = new ArrayList<>();
        if (exports != null && exports.stream().anyMatch(cs -> cs.getCluster().equals(cluster))) {
            exports.stream().skip(1).forEach(other -> conflicts(other, exports.get(0), reasons, details));
        }
        if (reasons.isEmpty()) {
            return b.addConditions(condition(CONFLICT, "False", "NoConflicts", "no conflicting exports")).build();
        }
        // Raised on every constituent export, the winner's too, as the MCS API recommends (and its conformance
        // suite checks), so each cluster's operator sees it.
        String message = String.join("; ", details) + " (the oldest export, cluster " + exports.get(0).getCluster()
                + "'s, wins)";
        warn.accept(new ExportWarning(ExportWarning.Cause.SERVICE_EXPORT, subject, message));
        return b.addConditions(condition(CONFLICT, "True", String.join(",", reasons), message)).build();
    }

    /**
     * {@code s} with each condition also under the type the current mcs-api names it: Valid as Accepted (reason Valid
     * as Accepted), Ready as Exported, Conflict as Conflicted; consumers of either generation find theirs.
     */
    static ServiceExportStatus withCurrentTypes(ServiceExportStatus s) {
        ServiceExportStatus.Builder b = s.toBuilder();
        for (Condition c : s.getConditionsList()) {
            Condition.Builder current = c.toBuilder();
            switch (c.getType()) {
                case VALID -> current.setType("Accepted").setReason("Valid".equals(c.getReason()) ? "Accepted"
                        : c.getReason());
                case READY -> current.setType("Exported");
                case CONFLICT -> current.setType("Conflicted");
                default -> {
                    continue;
                }
            }
            b.addConditions(current);
        }
        return b.build();
    }

    /** What of {@code other}'s export differs from the winner's, phrased with both clusters' names. */
    private static void conflicts(ClusterService other, ClusterService winner, Set<String> reasons,
            List<String> details) {
        String o = "cluster " + other.getCluster();
        String w = "cluster " + winner.getCluster();
        Map<String, Port> theirs = new LinkedHashMap<>();
        winner.getPortsList().forEach(p -> theirs.put(p.getName(), p));
        for (Port p : other.getPortsList()) {
            Port wp = theirs.get(p.getName());
            if (wp != null && (wp.getPort() != p.getPort() || wp.getProtocol() != p.getProtocol())) {
                reasons.add("PortConflict");
                details.add(o + " exports port " + describe(p) + ", " + w + " " + describe(wp));
                break;
            }
        }
        if (other.getHeadless() != winner.getHeadless()) {
            reasons.add("TypeConflict");
            details.add(o + " exports it " + (other.getHeadless() ? "headless" : "with a clusterset IP") + ", " + w
                    + (winner.getHeadless() ? " headless" : " with a clusterset IP"));
        }
        if (!affinity(other).equals(affinity(winner))) {
            reasons.add("SessionAffinityConflict");
            details.add(o + "'s session affinity is " + affinity(other) + ", " + w + "'s " + affinity(winner));
        }
        if (affinity(other).equals(affinity(winner))
                && other.getSessionAffinityTimeoutSeconds() != winner.getSessionAffinityTimeoutSeconds()) {
            reasons.add("SessionAffinityConfigConflict");
            details.add(o + "'s ClientIP affinity timeout is " + other.getSessionAffinityTimeoutSeconds() + "s, " + w
                    + "'s " + winner.getSessionAffinityTimeoutSeconds() + "s");
        }
        if (!internalPolicy(other).equals(internalPolicy(winner))) {
            reasons.add("InternalTrafficPolicyConflict");
            details.add(o + "'s internalTrafficPolicy is " + internalPolicy(other) + ", " + w + "'s "
                    + internalPolicy(winner));
        }
        if (!other.getTrafficDistribution().equals(winner.getTrafficDistribution())) {
            reasons.add("TrafficDistributionConflict");
            details.add(o + "'s trafficDistribution is '" + other.getTrafficDistribution() + "', " + w + "'s '"
                    + winner.getTrafficDistribution() + "'");
        }
        if (!other.getExportedLabelsMap().equals(winner.getExportedLabelsMap())) {
            reasons.add("LabelsConflict");
            details.add(o + "'s exportedLabels differ from " + w + "'s");
        }
        if (!other.getExportedAnnotationsMap().equals(winner.getExportedAnnotationsMap())) {
            reasons.add("AnnotationsConflict");
            details.add(o + "'s exportedAnnotations differ from " + w + "'s");
        }
        if (!other.getClusterSelectorsList().equals(winner.getClusterSelectorsList())) {
            reasons.add("ClusterSelectorsConflict");
            details.add(o + "'s clusterSelectors (" + other.getClusterSelectorsCount() + ") differ from " + w
                    + "'s (" + winner.getClusterSelectorsCount() + ")");
        }
    }

    /** spec.internalTrafficPolicy, Cluster when unset. */
    private static String internalPolicy(ClusterService cs) {
        return cs.getInternalTrafficPolicy().isEmpty() ? "Cluster" : cs.getInternalTrafficPolicy();
    }

    private static String describe(Port p) {
        return (p.getName().isEmpty() ? "" : p.getName() + " ") + p.getPort() + "/" + p.getProtocol();
    }

    private static String portKey(Port p) {
        return p.getName();
    }

    private static String affinity(ClusterService cs) {
        return Objects.requireNonNullElse(cs.getSessionAffinity(), "").isEmpty() ? "None" : cs.getSessionAffinity();
    }

    private static Condition condition(String type, String status, String reason, String message) {
        return Condition.newBuilder().setType(type).setStatus(status).setReason(reason).setMessage(message).build();
    }
}
