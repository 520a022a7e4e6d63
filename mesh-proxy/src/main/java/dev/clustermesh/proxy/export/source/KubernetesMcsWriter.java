package dev.clustermesh.proxy.export.source;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Message;
import dev.clustermesh.core.worker.Worker;
import dev.clustermesh.proto.mesh.v1.ClusterSelector;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.Condition;
import dev.clustermesh.proto.mesh.v1.ImportType;
import dev.clustermesh.proto.mesh.v1.Port;
import dev.clustermesh.proto.mesh.v1.ServiceExportStatus;
import dev.clustermesh.proto.mesh.v1.ServiceImport;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Writes the Multi-Cluster Services API state the leader exported into its cluster's Kubernetes API: each
 * ServiceExport's {@code status.conditions} (a condition keeps its transition time until its status changes), one
 * ServiceImport per imported service (server-side applied, labelled {@value #MANAGED_BY}; those no longer imported are
 * deleted) and its EndpointSlices ({@link McsEndpointSlices}, the same way). Each run compares with what the API holds (one list of each kind) and writes only differences, after a
 * change and at least every {@value #RESYNC_SECONDS} s, so an object deleted or edited by hand, a namespace created
 * later or CRDs installed later are caught up. Runs on its own worker, so the API never holds up etcd; an object that
 * cannot be written is logged once per distinct reason and retried with backoff without holding up the others.
 * Objects whose namespace does not exist are skipped until it does. A replica that stops leading stops writing.
 */
public final class KubernetesMcsWriter implements Consumer<Map<String, Message>>, AutoCloseable {
    /** The label on the ServiceImports (and their EndpointSlices) this writer keeps. */
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    /**
     * The prefix of the entries {@link #accept} also takes besides etcd keys: each import's constituent exports,
     * {@code <prefix><ns>/<name>/<cluster>} to a ClusterService with its backends, for the imports' EndpointSlices.
     */
    public static final String CONSTITUENT = "constituent/";
    /** The annotation recording which of a ServiceImport's labels and annotations its exports asked for. */
    static final String EXPORTED_KEYS = "multicluster.clustermesh-j.dev/exported-keys";
    static final long RESYNC_SECONDS = 30;
    private static final String MANAGER = "clustermesh-j";
    private static final Logger LOG = Logger.getLogger(KubernetesMcsWriter.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClient client;
    private final Clock clock;
    private final Worker worker;
    private volatile Map<String, Message> latest;
    private String version;
    private final Set<String> problems = new HashSet<>();

    /** A writer on {@code client} (which stays the caller's). */
    public KubernetesMcsWriter(KubernetesClient client, Clock clock) {
        this.client = Objects.requireNonNull(client, "client");
        this.clock = clock;
        this.worker = Worker.builder("mesh-export-mcs-writer", full -> write())
                .minInterval(Duration.ofMillis(200)).maxInterval(Duration.ofSeconds(RESYNC_SECONDS)).build();
        worker.start();
    }

    /**
     * The leader's latest MCS keys (imports and export statuses, by etcd key), written soon after; {@code null} when
     * this replica stops leading: nothing is written until it leads again.
     */
    @Override
    public void accept(Map<String, Message> values) {
        if (!Objects.equals(values, latest)) {
            latest = values == null ? null : Map.copyOf(values);
            worker.wake();
        }
    }

    @Override
    public void close() {
        worker.close();
    }

    private void write() {
        Map<String, Message> values = latest;
        if (values == null || !served()) {
            return;
        }
        List<String> failed = new ArrayList<>();
        Map<String, GenericKubernetesResource> imports = byRef(imports().inAnyNamespace().withLabel(MANAGED_BY, MANAGER)
                .list().getItems());
        Map<String, GenericKubernetesResource> exports = byRef(exports().inAnyNamespace().list().getItems());
        Set<String> keep = new HashSet<>();
        for (Message m : values.values()) {
            if (m instanceof ServiceImport i) {
                String ref = i.getNamespace() + "/" + i.getName();
                keep.add(ref);
                attempt(failed, "ServiceImport " + ref, () -> writeImport(i, imports.get(ref)));
            } else if (m instanceof ServiceExportStatus st) {
                String ref = st.getNamespace() + "/" + st.getName();
                GenericKubernetesResource current = exports.get(ref);
                if (current != null) {
                    attempt(failed, "ServiceExport " + ref + " status", () -> writeStatus(st, current));
                }
            }
        }
        try {
            writeSlices(values, failed);
        } catch (KubernetesClientException e) {
            failed.add("EndpointSlices");
            if (problems.add("EndpointSlices: " + e.getCode() + " " + e.getMessage())) {
                LOG.warnf("listing EndpointSlices in the Kubernetes API failed: %s; retrying", e.getMessage());
            }
        }
        imports.forEach((ref, r) -> {
            if (!keep.contains(ref)) {
                attempt(failed, "ServiceImport " + ref, () -> {
                    imports().inNamespace(r.getMetadata().getNamespace()).withName(r.getMetadata().getName()).delete();
                    LOG.infof("ServiceImport %s deleted: no cluster exports it any more", ref);
                });
            }
        });
        if (!failed.isEmpty()) {
            throw new IllegalStateException("could not write " + String.join(", ", failed) + "; retrying");
        }
        if (!problems.isEmpty()) {
            LOG.infof("Multi-Cluster Services objects written to the Kubernetes API again");
            problems.clear();
        }
    }

    /** The imports' EndpointSlices (see {@link McsEndpointSlices}): written where they differ, deleted when unwanted. */
    private void writeSlices(Map<String, Message> values, List<String> failed) {
        List<ServiceImport> wantedImports = new ArrayList<>();
        List<ClusterService> constituents = new ArrayList<>();
        values.forEach((k, v) -> {
            if (v instanceof ServiceImport i) {
                wantedImports.add(i);
            } else if (v instanceof ClusterService cs && k.startsWith(CONSTITUENT)) {
                constituents.add(cs);
            }
        });
        Map<String, EndpointSlice> wanted = McsEndpointSlices.desired(wantedImports, constituents,
                Map.of(MANAGED_BY, MANAGER));
        Map<String, EndpointSlice> current = new HashMap<>();
        // Only slices with both labels: Kubernetes' controller copies a Service's labels (managed-by included) onto its
        // slices, never the endpointslice.kubernetes.io/managed-by of ours.
        client.discovery().v1().endpointSlices().inAnyNamespace().withLabel(MANAGED_BY, MANAGER)
                .withLabel(McsEndpointSlices.SLICE_MANAGED_BY, McsEndpointSlices.CONTROLLER).list().getItems()
                .forEach(e -> current.put(e.getMetadata().getNamespace() + "/" + e.getMetadata().getName(), e));
        wanted.forEach((ref, slice) -> {
            EndpointSlice now = current.get(ref);
            if (now != null && McsEndpointSlices.signature(now).equals(McsEndpointSlices.signature(slice))) {
                return;
            }
            attempt(failed, "EndpointSlice " + ref, () -> {
                if (client.namespaces().withName(slice.getMetadata().getNamespace()).get() != null) {
                    client.discovery().v1().endpointSlices().inNamespace(slice.getMetadata().getNamespace())
                            .resource(slice).fieldManager(MANAGER).forceConflicts().serverSideApply();
                }
            });
        });
        current.forEach((ref, slice) -> {
            if (!wanted.containsKey(ref)) {
                attempt(failed, "EndpointSlice " + ref, () -> client.discovery().v1().endpointSlices()
                        .inNamespace(slice.getMetadata().getNamespace()).withName(slice.getMetadata().getName())
                        .delete());
            }
        });
    }

    /** Runs one write; a failure is logged once per distinct reason and noted, and the others go on. */
    private void attempt(List<String> failed, String what, Runnable write) {
        try {
            write.run();
        } catch (KubernetesClientException e) {
            failed.add(what);
            if (problems.add(what + ": " + e.getCode() + " " + e.getMessage())) {
                LOG.warnf("writing %s to the Kubernetes API failed: %s; retrying", what, e.getMessage());
            }
        }
    }

    private static Map<String, GenericKubernetesResource> byRef(List<GenericKubernetesResource> all) {
        Map<String, GenericKubernetesResource> out = new HashMap<>();
        all.forEach(r -> out.put(r.getMetadata().getNamespace() + "/" + r.getMetadata().getName(), r));
        return out;
    }

    /** True when the API serves the MCS kinds (the newest version of v1beta1 and v1alpha1 is used). */
    private boolean served() {
        if (version == null) {
            for (String v : KubeObjects.MCS_VERSIONS) {
                if (client.supports(KubeObjects.MCS_GROUP + "/" + v, "ServiceImport")) {
                    version = v;
                    break;
                }
            }
            if (version == null) {
                if (problems.add("no CRD")) {
                    LOG.warnf("Kubernetes does not serve ServiceImport (%s; CRDs not installed): ServiceImports and "
                            + "ServiceExport status are kept in the mesh's etcd only", KubeObjects.MCS_GROUP);
                }
                return false;
            }
        }
        return true;
    }

    private ResourceDefinitionContext context(String kind, String plural) {
        return new ResourceDefinitionContext.Builder().withGroup(KubeObjects.MCS_GROUP).withVersion(version)
                .withKind(kind).withPlural(plural).withNamespaced(true).build();
    }

    private MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList,
            Resource<GenericKubernetesResource>> imports() {
        return client.genericKubernetesResources(context("ServiceImport", "serviceimports"));
    }

    private MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList,
            Resource<GenericKubernetesResource>> exports() {
        return client.genericKubernetesResources(context("ServiceExport", "serviceexports"));
    }

    /** Applies {@code i} unless {@code current} (the API's object, null when none) already says the same. */
    private void writeImport(ServiceImport i, GenericKubernetesResource current) {
        Map<String, Object> spec = spec(i);
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("clusters", i.getClustersList().stream().map(c -> Map.<String, Object>of("cluster", c)).toList());
        if (i.getClusterSelectorResultsCount() > 0) {
            status.put("clusterSelectorResults", i.getClusterSelectorResultsList().stream()
                    .map(r -> r.getClustersCount() == 0 ? Map.<String, Object>of()
                            : Map.<String, Object>of("clusters", List.copyOf(r.getClustersList())))
                    .toList());
        }
        Map<String, String> labels = new java.util.TreeMap<>(i.getLabelsMap());
        labels.put(MANAGED_BY, MANAGER);
        Map<String, String> annotations = new java.util.TreeMap<>(i.getAnnotationsMap());
        // Which keys came from the export: others' labels and annotations on the object are left alone, and a key no
        // longer exported changes this record, so the next apply drops it.
        annotations.put(EXPORTED_KEYS, "labels=" + String.join(",", new java.util.TreeSet<>(i.getLabelsMap().keySet()))
                + ";annotations=" + String.join(",", new java.util.TreeSet<>(i.getAnnotationsMap().keySet())));
        if (current != null && spec.equals(current.getAdditionalProperties().get("spec"))
                && status.equals(current.getAdditionalProperties().get("status"))
                && holds(current.getMetadata().getLabels(), labels)
                && holds(current.getMetadata().getAnnotations(), annotations)) {
            return;
        }
        if (client.namespaces().withName(i.getNamespace()).get() == null) {
            return; // looked at again at the next resync
        }
        GenericKubernetesResource r = new GenericKubernetesResource();
        r.setApiVersion(KubeObjects.MCS_GROUP + "/" + version);
        r.setKind("ServiceImport");
        // The winning export's exportedLabels and exportedAnnotations, as the ServiceImport's own.
        r.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(i.getName())
                .withNamespace(i.getNamespace()).withLabels(labels).withAnnotations(annotations).build());
        r.setAdditionalProperty("spec", spec);
        imports().inNamespace(i.getNamespace()).resource(r).fieldManager(MANAGER).forceConflicts().serverSideApply();
        Map<String, Object> patch = new LinkedHashMap<>(status);
        patch.putIfAbsent("clusterSelectorResults", null); // a merge patch removes results no longer there
        imports().inNamespace(i.getNamespace()).withName(i.getName()).subresource("status")
                .patch(PatchContext.of(PatchType.JSON_MERGE), json(Map.of("status", patch)));
    }

    /** True when {@code current} (may be null) has every entry of {@code wanted}. */
    private static boolean holds(Map<String, String> current, Map<String, String> wanted) {
        Map<String, String> c = Objects.requireNonNullElse(current, Map.of());
        return wanted.entrySet().stream().allMatch(e -> e.getValue().equals(c.get(e.getKey())));
    }

    /** A ServiceImport's spec as the API holds it. */
    private static Map<String, Object> spec(ServiceImport i) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("type", i.getType() == ImportType.HEADLESS ? "Headless" : "ClusterSetIP");
        if (i.getIpsCount() > 0) { // an empty list is not kept by the API: it would never compare equal
            spec.put("ips", List.copyOf(i.getIpsList()));
        }
        List<Map<String, Object>> ports = new ArrayList<>();
        for (Port p : i.getPortsList()) {
            Map<String, Object> port = new LinkedHashMap<>();
            if (!p.getName().isEmpty()) {
                port.put("name", p.getName());
            }
            port.put("protocol", p.getProtocol().name());
            port.put("port", p.getPort());
            ports.add(port);
        }
        spec.put("ports", ports);
        spec.put("sessionAffinity", i.getSessionAffinity().isEmpty() ? "None" : i.getSessionAffinity());
        // Empty is the default, Cluster (kept empty in the mesh: no bytes for every service).
        spec.put("internalTrafficPolicy", i.getInternalTrafficPolicy().isEmpty() ? "Cluster" : i.getInternalTrafficPolicy());
        if (!i.getTrafficDistribution().isEmpty()) {
            spec.put("trafficDistribution", i.getTrafficDistribution());
        }
        if (i.getSessionAffinityTimeoutSeconds() > 0) {
            spec.put("sessionAffinityConfig", Map.of("clientIP", Map.of("timeoutSeconds",
                    i.getSessionAffinityTimeoutSeconds())));
        }
        if (i.getClusterSelectorsCount() > 0) {
            spec.put("clusterSelectors", i.getClusterSelectorsList().stream().map(KubernetesMcsWriter::selector)
                    .toList());
        }
        return spec;
    }

    /** A resolved cluster selector as the KEP-5939 API spells it. */
    private static Map<String, Object> selector(ClusterSelector s) {
        Map<String, Object> ps = new LinkedHashMap<>();
        if (s.getMatchPropertiesCount() > 0) {
            ps.put("matchProperties", new java.util.TreeMap<>(s.getMatchPropertiesMap()));
        }
        if (s.getMatchExpressionsCount() > 0) {
            ps.put("matchExpressions", s.getMatchExpressionsList().stream().map(r -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("key", r.getKey());
                m.put("operator", r.getOperator());
                if (r.getValuesCount() > 0) {
                    m.put("values", List.copyOf(r.getValuesList()));
                }
                return m;
            }).toList());
        }
        return Map.of("propertySelector", ps);
    }

    private void writeStatus(ServiceExportStatus s, GenericKubernetesResource current) {
        List<Map<String, Object>> previous = conditionsOf(current);
        List<Map<String, Object>> next = conditions(s, previous);
        if (next.equals(previous)) {
            return;
        }
        exports().inNamespace(s.getNamespace()).withName(s.getName()).subresource("status")
                .patch(PatchContext.of(PatchType.JSON_MERGE), json(Map.of("status", Map.of("conditions", next))));
    }

    /** The conditions of {@code s}, each with the transition time of {@code previous} when its status is the same. */
    private List<Map<String, Object>> conditions(ServiceExportStatus s, List<Map<String, Object>> previous) {
        String now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        List<Map<String, Object>> out = new ArrayList<>();
        for (Condition c : s.getConditionsList()) {
            Object time = previous.stream().filter(p -> c.getType().equals(p.get("type"))
                    && c.getStatus().equals(p.get("status"))).map(p -> p.get("lastTransitionTime")).findFirst()
                    .orElse(now);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", c.getType());
            m.put("status", c.getStatus());
            m.put("reason", c.getReason());
            m.put("message", c.getMessage());
            m.put("lastTransitionTime", time);
            out.add(m);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> conditionsOf(GenericKubernetesResource r) {
        Object status = r.getAdditionalProperties().get("status");
        if (status instanceof Map<?, ?> m && m.get("conditions") instanceof List<?> l) {
            return l.stream().filter(Map.class::isInstance).map(x -> (Map<String, Object>) x).toList();
        }
        return List.of();
    }

    private static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("maps of strings and numbers always serialize", e);
        }
    }
}
