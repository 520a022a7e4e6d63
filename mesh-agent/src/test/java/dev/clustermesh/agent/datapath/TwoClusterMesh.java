package dev.clustermesh.agent.datapath;

import static dev.clustermesh.testing.mesh.SeedManifests.clusterIp;
import static dev.clustermesh.testing.mesh.SeedManifests.podIp;
import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.agent.datapath.netlab.Backends;
import dev.clustermesh.agent.datapath.netlab.ClusterNetwork;
import dev.clustermesh.agent.datapath.netlab.NetnsLab;
import dev.clustermesh.agent.datapath.nftables.NftablesDatapath;
import dev.clustermesh.agent.datapath.routes.RouteProgrammer;
import dev.clustermesh.agent.datapath.routes.RoutingOptions;
import dev.clustermesh.agent.mesh.AgentCore;
import dev.clustermesh.agent.mesh.AgentObserver;
import dev.clustermesh.agent.mesh.AgentSettings;
import dev.clustermesh.core.identity.ClusterIdentity;
import dev.clustermesh.core.remote.RemoteClusterOptions;
import dev.clustermesh.testing.Eventually;
import dev.clustermesh.testing.mesh.LocalCluster;
import dev.clustermesh.testing.tls.Ca;
import dev.clustermesh.testing.tls.CertificateFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The seed's two clusters on real packets: per cluster a node namespace with two rebel-base pods and an x-wing
 * pod ({@link ClusterNetwork}), a real etcd and mesh-proxy process exporting manifests whose addresses are those
 * pods' ({@link LocalCluster}), and an agent whose nftables datapath programs the node namespace.
 */
final class TwoClusterMesh implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(45);
    private static final RemoteClusterOptions FAST =
            new RemoteClusterOptions(Duration.ZERO, Duration.ofSeconds(3), Duration.ofSeconds(1));
    private static final Pattern SLOT =
            Pattern.compile("(\\d+\\.\\d+\\.\\d+\\.\\d+) \\. 80 \\. \\d+ : (\\d+\\.\\d+\\.\\d+\\.\\d+) \\. 80");

    private final Path dir;
    private final NetnsLab lab;
    private final ClusterNetwork net;
    private final String[] xwings = new String[3];
    private final LocalCluster[] clusters = new LocalCluster[3];
    private final AgentCore[] agents = new AgentCore[3];

    /** Builds the network, starts backends, etcds, proxies and one native-routing agent per cluster. */
    TwoClusterMesh(Path dir, Function<Integer, String> manifest) {
        this.dir = dir;
        this.lab = NetnsLab.open("cmt5w");
        try {
            this.net = ClusterNetwork.twoClusters(lab);
            for (int c = 1; c <= 2; c++) {
                for (int i = 1; i <= 2; i++) {
                    String ip = podIp(c, i);
                    Backends.start(lab, net.pod(c, "rb" + i, ip), ip, "cluster" + c, dir);
                }
                xwings[c] = net.pod(c, "xw", xwingIp(c));
            }
            CertificateFactory certs = new CertificateFactory(dir.resolve("pki"));
            Ca ca = certs.createCa("clustermesh-ca");
            for (int c = 1; c <= 2; c++) {
                clusters[c] = LocalCluster.start("cluster" + c, c, dir.resolve("cluster" + c), ca, certs);
                clusters[c].manifest("rebel-base.yaml", manifest.apply(c));
            }
            for (int c = 1; c <= 2; c++) {
                Path joins = dir.resolve("agent-cluster" + c);
                clusters[1].joinFile("cluster" + c, joins);
                clusters[2].joinFile("cluster" + c, joins);
                startAgent(c, RoutingOptions.nativeRouting());
            }
            for (int c = 1; c <= 2; c++) {
                Backends.awaitUp(xwings[c], podIp(c, 1));
                Backends.awaitUp(xwings[c], podIp(c, 2));
            }
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** x-wing's address in cluster {@code c}: in the node's pod CIDR, after the rebel-base pods. */
    static String xwingIp(int c) {
        return "10." + (c * 10) + ".1.100";
    }

    LocalCluster cluster(int c) {
        return clusters[c];
    }

    String xwing(int c) {
        return xwings[c];
    }

    String node(int c) {
        return net.node(c);
    }

    /** (Re)starts cluster {@code c}'s agent with {@code routing}; the previous one is closed first. */
    void startAgent(int c, RoutingOptions routing) {
        stopAgent(c);
        NetworkNamespace ns = NetworkNamespace.named(net.node(c));
        AgentCore agent = new AgentCore(new AgentSettings(new ClusterIdentity("cluster" + c, c), "node-" + c,
                dir.resolve("agent-cluster" + c), Duration.ofMillis(200), FAST, "nftables"),
                new NftablesDatapath(ns, RouteProgrammer.create(routing, ns)), AgentObserver.NONE);
        agents[c] = agent;
        agent.start();
    }

    /** Removes the config file with which cluster {@code c}'s agent joins cluster {@code other}. */
    void leave(int c, int other) {
        try {
            java.nio.file.Files.delete(dir.resolve("agent-cluster" + c).resolve("cluster" + other));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Stops cluster {@code c}'s agent; what it programmed stays. */
    void stopAgent(int c) {
        if (agents[c] != null) {
            agents[c].close();
            agents[c] = null;
        }
    }

    /**
     * Waits until node {@code c}'s kernel table sends rebel-base's ClusterIP to exactly {@code backendIps} (read
     * back with {@code nft list}), or rejects it when there are none.
     */
    void awaitKernel(int c, String... backendIps) {
        Set<String> expected = new TreeSet<>(List.of(backendIps));
        Eventually.await(WAIT, () -> {
            assertThat(kernelBackends(c)).isEqualTo(expected);
            String services = NetnsLab.exec(net.node(c), "nft", "list", "map", "inet", "clustermesh", "services4");
            assertThat(services).contains(clusterIp(c) + " . tcp . 80 : goto "
                    + (expected.isEmpty() ? "no_backends" : "lb4_tcp_" + expected.size()));
        });
    }

    /** The DNAT targets node {@code c}'s kernel holds for rebel-base's ClusterIP. */
    Set<String> kernelBackends(int c) {
        String map = NetnsLab.exec(net.node(c), "nft", "list", "map", "inet", "clustermesh", "backends4_tcp");
        Set<String> out = new TreeSet<>();
        Matcher m = SLOT.matcher(map);
        while (m.find()) {
            if (m.group(1).equals(clusterIp(c))) {
                out.add(m.group(2));
            }
        }
        return out;
    }

    @Override
    public void close() {
        for (int c = 1; c <= 2; c++) {
            try {
                stopAgent(c);
            } catch (RuntimeException e) {
                // Keep closing the rest.
            }
            if (clusters[c] != null) {
                try {
                    clusters[c].close();
                } catch (RuntimeException e) {
                    // Keep closing the rest.
                }
            }
        }
        lab.close();
    }
}
