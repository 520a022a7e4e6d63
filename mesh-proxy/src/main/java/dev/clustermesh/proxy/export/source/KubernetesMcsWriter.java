package dev.clustermesh.proxy.export.source;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Message;
import dev.clustermesh.core.worker.Worker;
import dev.clustermesh.proto.mesh.v1.Condition;
import dev.clustermesh.proto.mesh.v1.ImportType;
import dev.clustermesh.proto.mesh.v1.Port;
import dev.clustermesh.proto.mesh.v1.ServiceExportStatus;
import dev.clustermesh.proto.mesh.v1.ServiceImport;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
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
 * ServiceExport's {@code status.conditions} (a transition keeps its time until the status changes) and one
 * ServiceImport per imported service (server-side applied, labelled {@value #MANAGED_BY}; those no longer imported
 * are deleted). Runs on its own worker, so the API never holds up etcd; a failed write is retried with backoff and
 * logged once per distinct reason. Objects whose namespace does not exist are skipped until it does.
 */
public final class KubernetesMcsWriter implements Consumer<Map<String, Message>>, AutoCloseable {
    /** The label on the ServiceImports this writer keeps. */
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    private static final String MANAGER = "clustermesh-j";
    private static final Logger LOG = Logger.getLogger(KubernetesMcsWriter.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClient client;
    private final Clock clock;
    private final Worker worker;
    private volatile Map<String, Message> latest;
    /** What was written, by object (namespace/name), so an unchanged one is not written again. */
    private final Map<String, ServiceImport> writtenImports = new HashMap<>();
    private final Map<String, List<Map<String, Object>>> writtenStatus = new HashMap<>();
    private String version;
    private String lastProblem = "";

    /** A writer on {@code client} (which stays the caller's). */
    public KubernetesMcsWriter(KubernetesClient client, Clock clock) {
        this.client = Objects.requireNonNull(client, "client");
        this.clock = clock;
        this.worker = Worker.builder("mesh-export-mcs-writer", full -> write(full))
                .minInterval(Duration.ofMillis(200)).build();
        worker.start();
    }

    /** The leader's latest MCS keys (imports and export statuses, by etcd key); written soon after. */
    @Override
    public void accept(Map<String, Message> values) {
        if (!values.equals(latest)) {
            latest = Map.copyOf(values);
            worker.wake();
        }
    }

    @Override
    public void close() {
        worker.close();
    }

    private void write(boolean full) {
        Map<String, Message> values = latest;
        if (values == null || !served()) {
            return;
        }
        if (full) {
            writtenImports.clear();
            writtenStatus.clear();
        }
        try {
            Set<String> imports = new HashSet<>();
            for (Message m : values.values()) {
                if (m instanceof ServiceImport i) {
                    imports.add(i.getNamespace() + "/" + i.getName());
                    writeImport(i);
                } else if (m instanceof ServiceExportStatus s) {
                    writeStatus(s);
                }
            }
            deleteOthers(imports);
            if (!lastProblem.isEmpty()) {
                LOG.infof("Multi-Cluster Services objects written to the Kubernetes API again");
                lastProblem = "";
            }
        } catch (KubernetesClientException e) {
            String problem = e.getCode() + " " + e.getMessage();
            if (!problem.equals(lastProblem)) {
                LOG.warnf("writing Multi-Cluster Services objects to the Kubernetes API failed: %s; retrying",
                        e.getMessage());
                lastProblem = problem;
            }
            throw e;
        }
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
                if (lastProblem.isEmpty()) {
                    lastProblem = "no CRD";
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

    private void writeImport(ServiceImport i) {
        String ref = i.getNamespace() + "/" + i.getName();
        if (i.equals(writtenImports.get(ref)) || !namespaceExists(i.getNamespace())) {
            return;
        }
        GenericKubernetesResource r = new GenericKubernetesResource();
        r.setApiVersion(KubeObjects.MCS_GROUP + "/" + version);
        r.setKind("ServiceImport");
        r.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(i.getName())
                .withNamespace(i.getNamespace()).withLabels(Map.of(MANAGED_BY, MANAGER)).build());
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("type", i.getType() == ImportType.HEADLESS ? "Headless" : "ClusterSetIP");
        spec.put("ips", List.copyOf(i.getIpsList()));
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
        r.setAdditionalProperty("spec", spec);
        var imports = client.genericKubernetesResources(context("ServiceImport", "serviceimports"))
                .inNamespace(i.getNamespace());
        imports.resource(r).fieldManager(MANAGER).forceConflicts().serverSideApply();
        List<Map<String, String>> clusters = i.getClustersList().stream().map(c -> Map.of("cluster", c)).toList();
        imports.withName(i.getName()).subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
                json(Map.of("status", Map.of("clusters", clusters))));
        writtenImports.put(ref, i);
    }

    private void writeStatus(ServiceExportStatus s) {
        String ref = s.getNamespace() + "/" + s.getName();
        var exports = client.genericKubernetesResources(context("ServiceExport", "serviceexports"))
                .inNamespace(s.getNamespace());
        List<Map<String, Object>> previous = writtenStatus.get(ref);
        if (previous == null) {
            GenericKubernetesResource current = exports.withName(s.getName()).get();
            if (current == null) {
                return; // deleted meanwhile: the next export has no status for it
            }
            previous = conditionsOf(current);
        }
        List<Map<String, Object>> next = conditions(s, previous);
        if (next.equals(previous) && writtenStatus.containsKey(ref)) {
            return;
        }
        exports.withName(s.getName()).subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
                json(Map.of("status", Map.of("conditions", next))));
        writtenStatus.put(ref, next);
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

    private void deleteOthers(Set<String> keep) {
        var all = client.genericKubernetesResources(context("ServiceImport", "serviceimports")).inAnyNamespace()
                .withLabel(MANAGED_BY, MANAGER).list().getItems();
        for (GenericKubernetesResource r : all) {
            String ref = r.getMetadata().getNamespace() + "/" + r.getMetadata().getName();
            if (!keep.contains(ref)) {
                client.genericKubernetesResources(context("ServiceImport", "serviceimports"))
                        .inNamespace(r.getMetadata().getNamespace()).withName(r.getMetadata().getName()).delete();
                writtenImports.remove(ref);
                LOG.infof("ServiceImport %s deleted: no cluster exports it any more", ref);
            }
        }
    }

    private boolean namespaceExists(String namespace) {
        return client.namespaces().withName(namespace).get() != null;
    }

    private static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("maps of strings and numbers always serialize", e);
        }
    }
}
