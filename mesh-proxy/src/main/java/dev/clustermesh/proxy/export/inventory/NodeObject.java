package dev.clustermesh.proxy.export.inventory;

import java.util.List;

/**
 * What the export needs of a Kubernetes Node.
 *
 * @param name the node name
 * @param addresses status.addresses in source order
 * @param podCidrs spec.podCIDRs (or spec.podCIDR)
 */
public record NodeObject(String name, List<Address> addresses, List<String> podCidrs) {
    public NodeObject {
        addresses = List.copyOf(addresses);
        podCidrs = List.copyOf(podCidrs);
    }

    /**
     * One node address.
     *
     * @param type Kubernetes address type ({@code InternalIP}, {@code ExternalIP}, {@code Hostname}...)
     * @param address the address
     */
    public record Address(String type, String address) {
    }

    /** The node as an object reference (cluster-scoped: empty namespace). */
    public ObjectRef ref() {
        return new ObjectRef("", name);
    }
}
