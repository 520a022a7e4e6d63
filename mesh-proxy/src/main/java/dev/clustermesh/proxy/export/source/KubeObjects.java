package dev.clustermesh.proxy.export.source;

import dev.clustermesh.core.keys.PolicyKind;
import dev.clustermesh.proxy.export.inventory.ExportObject;
import dev.clustermesh.proxy.export.inventory.NamespaceObject;
import dev.clustermesh.proxy.export.inventory.NodeObject;
import dev.clustermesh.proxy.export.inventory.ObjectRef;
import dev.clustermesh.proxy.export.inventory.PodObject;
import dev.clustermesh.proxy.export.inventory.PolicyObject;
import dev.clustermesh.proxy.export.inventory.PortSpec;
import dev.clustermesh.proxy.export.inventory.PropertyObject;
import dev.clustermesh.proxy.export.inventory.ServiceObject;
import dev.clustermesh.proxy.export.inventory.SliceEndpoint;
import dev.clustermesh.proxy.export.inventory.SliceObject;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSpec;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Converts fabric8 model objects to inventory records. Null-safe everywhere (manifests may omit anything);
 * namespaced objects without a namespace are in {@code default}, as {@code kubectl apply} would put them.
 */
public final class KubeObjects {
    /** The namespace of namespaced objects that name none. */
    public static final String DEFAULT_NAMESPACE = "default";
    private static final String NONE = "None";
    /** The kind of the Multi-Cluster Services API's export object. */
    public static final String SERVICE_EXPORT = "ServiceExport";
    /** The API group of the Multi-Cluster Services API. */
    public static final String MCS_GROUP = "multicluster.x-k8s.io";
    /** The versions of the Multi-Cluster Services API read, newest first. */
    public static final List<String> MCS_VERSIONS = List.of("v1beta1", "v1alpha1");
    /** The kind of a cluster's properties (KEP-2149). */
    public static final String CLUSTER_PROPERTY = "ClusterProperty";
    /** The apiVersion ClusterProperty objects are read in. */
    public static final String ABOUT_API_VERSION = "about.k8s.io/v1alpha1";

    private KubeObjects() {
    }

    /** The inventory reference of a namespaced object. */
    public static ObjectRef ref(HasMetadata o) {
        ObjectMeta m = o.getMetadata() == null ? new ObjectMeta() : o.getMetadata();
        String ns = m.getNamespace() == null || m.getNamespace().isEmpty() ? DEFAULT_NAMESPACE : m.getNamespace();
        return new ObjectRef(ns, Objects.requireNonNullElse(m.getName(), ""));
    }

    /** A Service: cluster IPs from spec.clusterIPs (else spec.clusterIP), headless when clusterIP is None. */
    public static ServiceObject service(Service s) {
        ServiceSpec spec = s.getSpec() == null ? new ServiceSpec() : s.getSpec();
        List<String> ips = new ArrayList<>(nonNull(spec.getClusterIPs()));
        if (ips.isEmpty() && spec.getClusterIP() != null && !spec.getClusterIP().isEmpty()) {
            ips.add(spec.getClusterIP());
        }
        boolean headless = NONE.equals(spec.getClusterIP()) || ips.contains(NONE);
        ips.removeIf(ip -> ip == null || ip.isEmpty() || NONE.equals(ip));
        List<PortSpec> ports = nonNull(spec.getPorts()).stream()
                .map(p -> new PortSpec(p.getName(), p.getProtocol(), p.getPort() == null ? 0 : p.getPort()))
                .toList();
        ObjectMeta m = meta(s);
        Integer timeout = spec.getSessionAffinityConfig() == null || spec.getSessionAffinityConfig().getClientIP() == null
                ? null : spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds();
        return new ServiceObject(ref(s), annotations(m), ips, headless, ports, m.getResourceVersion(), spec.getType(),
                spec.getSessionAffinity(), timeout == null ? 0 : timeout,
                new ServiceObject.Traffic(spec.getInternalTrafficPolicy(), spec.getTrafficDistribution()));
    }

    /** An EndpointSlice; ports without a number (meaning "all ports") are left out. */
    public static SliceObject slice(EndpointSlice e) {
        String service = nonNull(meta(e).getLabels()).getOrDefault(SliceObject.SERVICE_NAME_LABEL, "");
        List<PortSpec> ports = nonNull(e.getPorts()).stream().filter(p -> p.getPort() != null)
                .map(p -> new PortSpec(p.getName(), p.getProtocol(), p.getPort())).toList();
        List<SliceEndpoint> endpoints = nonNull(e.getEndpoints()).stream().map(KubeObjects::endpoint).toList();
        return new SliceObject(ref(e), service, ports, endpoints);
    }

    /** A Node: status.addresses in source order, pod CIDRs from spec.podCIDRs (else spec.podCIDR). */
    public static NodeObject node(Node n) {
        NodeSpec spec = n.getSpec() == null ? new NodeSpec() : n.getSpec();
        List<String> cidrs = new ArrayList<>(nonNull(spec.getPodCIDRs()));
        if (cidrs.isEmpty() && spec.getPodCIDR() != null && !spec.getPodCIDR().isEmpty()) {
            cidrs.add(spec.getPodCIDR());
        }
        List<NodeObject.Address> addresses = n.getStatus() == null ? List.of()
                : nonNull(n.getStatus().getAddresses()).stream()
                        .map(a -> new NodeObject.Address(a.getType(), a.getAddress())).toList();
        return new NodeObject(Objects.requireNonNullElse(meta(n).getName(), ""), addresses, cidrs);
    }

    /**
     * A Pod: IPs from status.podIPs (else status.podIP), named ports of spec.containers, the service account
     * from spec.serviceAccountName (else the deprecated spec.serviceAccount).
     */
    public static PodObject pod(Pod p) {
        PodSpec spec = p.getSpec() == null ? new PodSpec() : p.getSpec();
        PodStatus status = p.getStatus() == null ? new PodStatus() : p.getStatus();
        List<String> ips = new ArrayList<>();
        nonNull(status.getPodIPs()).forEach(ip -> {
            if (ip.getIp() != null && !ip.getIp().isEmpty()) {
                ips.add(ip.getIp());
            }
        });
        if (ips.isEmpty() && status.getPodIP() != null && !status.getPodIP().isEmpty()) {
            ips.add(status.getPodIP());
        }
        List<PortSpec> ports = new ArrayList<>();
        for (Container c : nonNull(spec.getContainers())) {
            for (ContainerPort port : nonNull(c.getPorts())) {
                if (port.getName() != null && !port.getName().isEmpty()) {
                    ports.add(new PortSpec(port.getName(), port.getProtocol(),
                            port.getContainerPort() == null ? 0 : port.getContainerPort()));
                }
            }
        }
        String account = spec.getServiceAccountName() != null ? spec.getServiceAccountName()
                : spec.getServiceAccount();
        ObjectMeta m = meta(p);
        return new PodObject(ref(p), nonNullValues(m.getLabels()), ips, spec.getNodeName(),
                Boolean.TRUE.equals(spec.getHostNetwork()), status.getPhase(), m.getDeletionTimestamp() != null,
                account, ports);
    }

    /**
     * A Namespace with its labels, including {@value NamespaceObject#NAME_LABEL} (the API server sets it on every
     * namespace; a manifest may not carry it).
     */
    public static NamespaceObject namespace(Namespace n) {
        ObjectMeta m = meta(n);
        String name = Objects.requireNonNullElse(m.getName(), "");
        Map<String, String> labels = nonNullValues(m.getLabels());
        labels.putIfAbsent(NamespaceObject.NAME_LABEL, name);
        return new NamespaceObject(name, labels);
    }

    /** A NetworkPolicy or CiliumNetworkPolicy held as a generic resource (see {@link PolicyDocuments}). */
    public static PolicyObject policy(PolicyKind kind, GenericKubernetesResource r) {
        return PolicyDocuments.of(kind, r);
    }

    /**
     * A ServiceExport held as a generic resource: its name, creation time and cluster selectors (invalid ones are
     * kept as the error that names what is wrong).
     */
    public static ExportObject export(GenericKubernetesResource r) {
        String created = meta(r).getCreationTimestamp();
        long millis = 0;
        if (created != null && !created.isEmpty()) {
            try {
                millis = java.time.Instant.parse(created).toEpochMilli();
            } catch (java.time.format.DateTimeParseException e) {
                millis = 0; // a manifest with a malformed timestamp: unknown, it loses every conflict to dated ones
            }
        }
        Object spec = r.getAdditionalProperties().get("spec");
        Map<String, String> labels = strings(spec, "exportedLabels");
        Map<String, String> annotations = strings(spec, "exportedAnnotations");
        try {
            return new ExportObject(ref(r), millis, ClusterSelectorParser.parse(spec), Optional.empty(), labels,
                    annotations);
        } catch (ClusterSelectorParser.InvalidSelector e) {
            return new ExportObject(ref(r), millis, List.of(), Optional.of(e.getMessage()), labels, annotations);
        }
    }

    /** The string entries of the map {@code spec.<field>} (the manifest reader refuses others), sorted. */
    private static Map<String, String> strings(Object spec, String field) {
        Map<String, String> out = new java.util.TreeMap<>();
        if (spec instanceof Map<?, ?> m && m.get(field) instanceof Map<?, ?> values) {
            values.forEach((k, v) -> {
                if (k instanceof String key && v instanceof String value) {
                    out.put(key, value);
                }
            });
        }
        return out;
    }

    /** A ClusterProperty held as a generic resource: its name and {@code spec.value}. */
    public static PropertyObject property(GenericKubernetesResource r) {
        Object spec = r.getAdditionalProperties().get("spec");
        Object value = spec instanceof Map<?, ?> m ? m.get("value") : null;
        return new PropertyObject(Objects.requireNonNullElse(meta(r).getName(), ""),
                value == null ? "" : String.valueOf(value));
    }

    /** The entries of {@code m} whose key and value are both set. */
    static Map<String, String> nonNullValues(Map<String, String> m) {
        Map<String, String> out = new HashMap<>();
        // YAML "key:" without a value gives a null, which the immutable inventory records cannot hold.
        nonNull(m).forEach((k, v) -> {
            if (k != null && v != null) {
                out.put(k, v);
            }
        });
        return out;
    }

    private static SliceEndpoint endpoint(io.fabric8.kubernetes.api.model.discovery.v1.Endpoint e) {
        EndpointConditions c = e.getConditions() == null ? new EndpointConditions() : e.getConditions();
        ObjectReference target = e.getTargetRef();
        boolean pod = target != null && (target.getKind() == null || "Pod".equals(target.getKind()));
        return new SliceEndpoint(nonNull(e.getAddresses()), c.getReady(), c.getTerminating(), e.getHostname(),
                e.getZone(), e.getNodeName(), pod ? target.getNamespace() : null, pod ? target.getName() : null);
    }

    private static Map<String, String> annotations(ObjectMeta m) {
        return nonNullValues(m.getAnnotations());
    }

    private static ObjectMeta meta(HasMetadata o) {
        return o.getMetadata() == null ? new ObjectMeta() : o.getMetadata();
    }

    private static <T> List<T> nonNull(List<T> l) {
        return l == null ? List.of() : l.stream().filter(Objects::nonNull).toList();
    }

    private static <K, V> Map<K, V> nonNull(Map<K, V> m) {
        return m == null ? Map.of() : m;
    }
}
