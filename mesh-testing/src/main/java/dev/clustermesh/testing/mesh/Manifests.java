package dev.clustermesh.testing.mesh;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Kubernetes manifests (a global Service and its EndpointSlice) for the directory a test cluster exports. */
public final class Manifests {
    private Manifests() {
    }

    /** A service port: name, number, protocol. */
    public record Port(String name, int port, String protocol) {
    }

    /** An endpoint: IP and hostname (null for none). */
    public record Endpoint(String ip, String hostname) {
    }

    /**
     * A global service in namespace default with one EndpointSlice holding {@code endpoints}, all ready.
     *
     * @param clusterIp the ClusterIP, or {@code None} for a headless service
     */
    public static String service(String name, String clusterIp, List<Port> ports, List<Endpoint> endpoints) {
        return service(name, clusterIp, ports, endpoints, Map.of("service.cilium.io/global", "true"));
    }

    /** As {@link #service(String, String, List, List)}, with these annotations (written in name order). */
    public static String service(String name, String clusterIp, List<Port> ports, List<Endpoint> endpoints,
            Map<String, String> annotations) {
        String notes = new TreeMap<>(annotations).entrySet().stream()
                .map(e -> "    " + e.getKey() + ": \"" + e.getValue() + "\"\n").collect(Collectors.joining());
        String svcPorts = ports.stream().map(p -> "  - {name: " + p.name() + ", port: " + p.port() + ", protocol: "
                + p.protocol() + ", targetPort: " + p.port() + "}\n").collect(Collectors.joining());
        String slicePorts = ports.stream().map(p -> "- {name: " + p.name() + ", port: " + p.port() + ", protocol: "
                + p.protocol() + "}\n").collect(Collectors.joining());
        String eps = endpoints.isEmpty() ? "endpoints: []\n" : "endpoints:\n" + endpoints.stream()
                .map(e -> "- addresses: [\"" + e.ip() + "\"]\n  conditions: {ready: true}\n"
                        + (e.hostname() == null ? "" : "  hostname: " + e.hostname() + "\n"))
                .collect(Collectors.joining());
        String ips = clusterIp.equals("None") ? "  clusterIP: None\n" : "  clusterIP: " + clusterIp
                + "\n  clusterIPs: [" + clusterIp + "]\n";
        return """
                apiVersion: v1
                kind: Service
                metadata:
                  name: %s
                  namespace: default
                  annotations:
                %s\
                spec:
                %s\
                  ports:
                %s\
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: %s-abc
                  namespace: default
                  labels: {kubernetes.io/service-name: %s}
                addressType: IPv4
                ports:
                %s\
                %s\
                """.formatted(name, notes, ips, svcPorts, name, name, slicePorts, eps);
    }
}
