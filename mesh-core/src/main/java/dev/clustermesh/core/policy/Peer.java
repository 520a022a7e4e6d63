package dev.clustermesh.core.policy;

import java.net.InetAddress;
import java.util.Locale;
import java.util.Map;

/**
 * The other side of a rule: pods chosen by labels, addresses outside the mesh chosen by CIDR, or a Cilium entity.
 * Pods and addresses never overlap (see the package documentation): a CIDR peer matches only {@link
 * Identities#WORLD} addresses.
 */
public sealed interface Peer permits Peer.Pods, Peer.Block, Peer.Entity {

    /**
     * Whether the pod with these {@link PolicyEndpoint#selectionLabels()} is a peer of a rule held by {@code
     * policyCluster}. CIDR peers never match a pod.
     */
    boolean selectsPod(Map<String, String> podLabels, String policyCluster, PolicyOptions options);

    /** Whether an address outside every pod CIDR ({@link Identities#WORLD}) is a peer. */
    boolean selectsWorld(InetAddress address);

    /**
     * Pods chosen by a selector over their selection labels.
     *
     * @param selector the selector, already holding any namespace restriction the policy kind implies
     */
    record Pods(LabelSelector selector) implements Peer {
        @Override
        public boolean selectsPod(Map<String, String> podLabels, String policyCluster, PolicyOptions options) {
            boolean clusterOk = selector.names(PolicyEndpoint.CLUSTER_LABEL) || !options.defaultLocalCluster()
                    || policyCluster.equals(podLabels.get(PolicyEndpoint.CLUSTER_LABEL));
            return clusterOk && selector.matches(podLabels);
        }

        @Override
        public boolean selectsWorld(InetAddress address) {
            return false;
        }

        @Override
        public String toString() {
            return "pods " + selector;
        }
    }

    /** Addresses outside the mesh inside a CIDR. */
    record Block(IpBlock block) implements Peer {
        @Override
        public boolean selectsPod(Map<String, String> podLabels, String policyCluster, PolicyOptions options) {
            return false;
        }

        @Override
        public boolean selectsWorld(InetAddress address) {
            return block.contains(address);
        }

        @Override
        public String toString() {
            return "cidr " + block;
        }
    }

    /** A Cilium entity; only these two are supported, the parser refuses the others. */
    enum Entity implements Peer {
        /** Every pod of the policy's own cluster. */
        CLUSTER,
        /** Every address outside the mesh. */
        WORLD;

        @Override
        public boolean selectsPod(Map<String, String> podLabels, String policyCluster, PolicyOptions options) {
            return this == CLUSTER && policyCluster.equals(podLabels.get(PolicyEndpoint.CLUSTER_LABEL));
        }

        @Override
        public boolean selectsWorld(InetAddress address) {
            return this == WORLD;
        }

        @Override
        public String toString() {
            return "entity " + name().toLowerCase(Locale.ROOT);
        }
    }
}
