package dev.clustermesh.agent.config;

import dev.clustermesh.core.remote.ClustersConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/** Everything an operator sets for mesh-agent, under the {@code mesh.} prefix. */
@ConfigMapping(prefix = "mesh")
public interface AgentConfig {

    Cluster cluster();

    /** {@code mesh.clusters.*}: shared with mesh-dns, names and defaults in {@link ClustersConfig}. */
    ClustersConfig clusters();

    Datapath datapath();

    Policy policy();

    /** This node's name; defaults to the host name. */
    Optional<String> nodeName();

    interface Cluster {
        /** This cluster's name. */
        String name();

        /** This cluster's ID, 1..255. */
        String id();
    }

    interface Policy {
        /**
         * Cilium 1.19's meaning of a peer selector that does not name {@code io.cilium.k8s.policy.cluster}: the
         * local cluster only ({@code true}); {@code false} gives the older "any cluster".
         */
        @WithDefault("true")
        boolean defaultLocalCluster();

        /** The longest the first policy program waits for every cluster's endpoints to be listed. */
        @WithDefault("60s")
        java.time.Duration syncWait();

        /**
         * Whether connections established before a policy change that the new program denies are cut (their
         * conntrack entries deleted, kube-network-policies' strict mode); by default they keep flowing.
         */
        @WithDefault("false")
        boolean strict();
    }

    interface Datapath {
        /**
         * {@code memory}: LB maps kept and listed, nothing programmed into the kernel; {@code nftables}: the
         * agent's nftables table and routes to the other clusters.
         */
        @WithDefault("memory")
        String mode();

        /** A named network namespace ({@code ip netns add}) to program instead of the agent's own (tests, demo). */
        Optional<String> netns();

        Routing routing();
    }

    interface Routing {
        /** {@code native} (routes via the remote nodes), {@code tunnel} (VXLAN) or {@code none}. */
        @WithDefault("native")
        String mode();

        Tunnel tunnel();
    }

    interface Tunnel {
        /** The VXLAN device, at most 15 characters. */
        @WithDefault("cmesh_vxlan")
        String device();

        /** VXLAN network identifier, the same on every node of the mesh. */
        @WithDefault("2")
        int vni();

        /** UDP port of the tunnel, the same on every node of the mesh. */
        @WithDefault("8472")
        int port();

        /** This node's underlay address as other clusters see it in its Node record; required in tunnel mode. */
        Optional<String> localIp();

        /** MTU of the device: the underlay's minus the 50 bytes of VXLAN overhead. */
        @WithDefault("1450")
        int mtu();
    }
}
