package dev.clustermesh.proxy.export.source;

import dev.clustermesh.proxy.export.inventory.NodeObject;
import dev.clustermesh.proxy.export.inventory.ObjectRef;
import dev.clustermesh.proxy.export.inventory.PortSpec;
import dev.clustermesh.proxy.export.inventory.ServiceObject;
import dev.clustermesh.proxy.export.inventory.SliceEndpoint;
import dev.clustermesh.proxy.export.inventory.SliceObject;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSpec;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Converts fabric8 model objects to inventory records. Null-safe everywhere (manifests may omit anything);
 * namespaced objects without a namespace are in {@code default}, as {@code kubectl apply} would put them.
 */
public final class KubeObjects {
    /** The namespace of namespaced objects that name none. */
    public static final String DEFAULT_NAMESPACE = "default";
    private static final String NONE = "None";

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
        return new ServiceObject(ref(s), annotations(m), ips, headless, ports, m.getResourceVersion());
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

    private static SliceEndpoint endpoint(io.fabric8.kubernetes.api.model.discovery.v1.Endpoint e) {
        EndpointConditions c = e.getConditions() == null ? new EndpointConditions() : e.getConditions();
        ObjectReference target = e.getTargetRef();
        boolean pod = target != null && (target.getKind() == null || "Pod".equals(target.getKind()));
        return new SliceEndpoint(nonNull(e.getAddresses()), c.getReady(), c.getTerminating(), e.getHostname(),
                e.getZone(), e.getNodeName(), pod ? target.getNamespace() : null, pod ? target.getName() : null);
    }

    private static Map<String, String> annotations(ObjectMeta m) {
        Map<String, String> out = new HashMap<>();
        // YAML "key:" without a value gives a null, which the immutable inventory records cannot hold.
        nonNull(m.getAnnotations()).forEach((k, v) -> {
            if (k != null && v != null) {
                out.put(k, v);
            }
        });
        return out;
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
