package dev.clustermesh.core.policy;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every known pod of every cluster, and the pod CIDRs of the mesh, which together attribute an address to an
 * identity: a known pod's identity, {@link Identities#UNKNOWN} inside a pod CIDR, {@link Identities#WORLD} outside.
 */
public record MeshEndpoints(List<PolicyEndpoint> endpoints, List<Cidr> podCidrs) {
    public MeshEndpoints {
        endpoints = List.copyOf(endpoints);
        podCidrs = List.copyOf(podCidrs);
    }

    /** The pod with this IP, if known. When two pods claim one IP, the first listed wins. */
    public Optional<PolicyEndpoint> byIp(InetAddress ip) {
        return endpoints.stream().filter(e -> e.ip().equals(ip)).findFirst();
    }

    /** The identity of an address, as the datapath attributes it. */
    public int identityOf(InetAddress ip) {
        return byIp(ip).map(PolicyEndpoint::identity).orElseGet(() -> reservedIdentityOf(ip));
    }

    /** The reserved identity of an address that is not a known pod. */
    public int reservedIdentityOf(InetAddress ip) {
        return podCidrs.stream().anyMatch(c -> c.contains(ip)) ? Identities.UNKNOWN : Identities.WORLD;
    }

    /** The selection labels of each identity, taken from its pods (which all share them). */
    public Map<Integer, Map<String, String>> identityLabels() {
        Map<Integer, Map<String, String>> out = new HashMap<>();
        for (PolicyEndpoint e : endpoints) {
            if (!out.containsKey(e.identity())) { // building a pod's selection labels is the cost: once per identity
                out.put(e.identity(), e.selectionLabels());
            }
        }
        return out;
    }
}
