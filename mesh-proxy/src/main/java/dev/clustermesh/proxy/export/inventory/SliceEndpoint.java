package dev.clustermesh.proxy.export.inventory;

import java.util.List;

/**
 * One endpoint of an EndpointSlice.
 *
 * @param addresses the endpoint's addresses (IP literals for IPv4/IPv6 slices)
 * @param ready conditions.ready; {@code null} means unknown, which Kubernetes says to read as ready
 * @param terminating conditions.terminating; {@code null} means false
 * @param hostname the endpoint hostname, empty when unset
 * @param zone the topology zone, empty when unknown
 * @param nodeName the node running the endpoint, empty when unknown
 * @param podNamespace targetRef.namespace when the target is a Pod, else empty
 * @param podName targetRef.name when the target is a Pod, else empty
 */
public record SliceEndpoint(List<String> addresses, Boolean ready, Boolean terminating, String hostname,
        String zone, String nodeName, String podNamespace, String podName) {
    public SliceEndpoint {
        addresses = List.copyOf(addresses);
        hostname = orEmpty(hostname);
        zone = orEmpty(zone);
        nodeName = orEmpty(nodeName);
        podNamespace = orEmpty(podNamespace);
        podName = orEmpty(podName);
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
