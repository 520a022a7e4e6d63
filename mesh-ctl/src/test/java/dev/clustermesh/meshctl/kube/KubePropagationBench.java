package dev.clustermesh.meshctl.kube;

import dev.clustermesh.meshctl.agent.AgentClient;
import dev.clustermesh.meshctl.demo.DemoManifests;
import dev.clustermesh.meshctl.demo.DemoRunner;
import dev.clustermesh.meshctl.demo.DemoState;
import dev.clustermesh.meshctl.demo.MeshctlProcess;
import dev.clustermesh.proto.agent.v1.Backend;
import dev.clustermesh.proto.agent.v1.ListServicesRequest;
import dev.clustermesh.testing.kube.KubeMesh;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Benchmark (issue 11): how fast cluster1's agent follows cluster2, on real Kubernetes and in the
 * manifest-directory mode, with the same packaged proxy and agent processes.
 * <ul>
 *   <li>scale-to-0: from the scale request to cluster2's API server (or the EndpointSlice manifest written) until
 *       cluster1's agent holds no backend of cluster2 for rebel-base;</li>
 *   <li>ready: from a pod seen Ready by a watch on cluster2's API server (or the manifest with the new endpoints
 *       written) until cluster1's agent holds its backend.</li>
 * </ul>
 * Usage (bench/k8s-propagation.sh): {@code KubePropagationBench <workdir> [runs=50]}. Last line: the headline.
 */
public final class KubePropagationBench {
    private static final PrintStream OUT = System.out;
    private static final long DEADLINE_NANOS = Duration.ofSeconds(60).toNanos();

    private KubePropagationBench() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]).toAbsolutePath();
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        Files.createDirectories(dir);
        List<Double> kubeZero = new ArrayList<>();
        List<Double> kubeReady = new ArrayList<>();
        try (KubeMesh kube = KubeMesh.seed(dir.resolve("kube")); KubeMeshHarness mesh = new KubeMeshHarness(kube,
                dir.resolve("kube-mesh"))) {
            mesh.deploy("cluster1", mesh.repo.resolve("k8s/overlays/cluster1"));
            mesh.deploy("cluster2", mesh.repo.resolve("k8s/overlays/cluster2"));
            KubeMeshHarness.ok(mesh.meshctl(120, "clustermesh", "connect", "--context", "kind-cluster1",
                    "--destination-context", "kind-cluster2"));
            mesh.seedWorkload("cluster1");
            mesh.seedWorkload("cluster2");
            try (AgentClient agent = new AgentClient(mesh.site("cluster1").agentAddress(), Duration.ofSeconds(5))) {
                KubernetesClient k2 = mesh.site("cluster2").client();
                awaitCluster2(agent, 2);
                for (int i = 0; i < runs; i++) {
                    kubeRun(agent, k2, kubeZero, kubeReady);
                }
            }
        }
        OUT.println("kubernetes: scale-to-0 " + Stats.of(kubeZero) + "; pod ready -> programmed " + Stats.of(kubeReady));
        List<Double> dirZero = new ArrayList<>();
        List<Double> dirReady = new ArrayList<>();
        directoryMode(dir.resolve("demo"), runs, dirZero, dirReady);
        OUT.println("directory: scale-to-0 " + Stats.of(dirZero) + "; endpoints written -> programmed "
                + Stats.of(dirReady));
        OUT.printf("k8s-propagation: scale-to-0 p50 %.1f ms p99 %.1f ms (directory %.1f / %.1f ms); "
                + "ready->programmed p50 %.1f ms p99 %.1f ms (directory %.1f / %.1f ms); runs %d%n",
                Stats.p(kubeZero, 50), Stats.p(kubeZero, 99), Stats.p(dirZero, 50), Stats.p(dirZero, 99),
                Stats.p(kubeReady, 50), Stats.p(kubeReady, 99), Stats.p(dirReady, 50), Stats.p(dirReady, 99), runs);
    }

    private static void kubeRun(AgentClient agent, KubernetesClient k2, List<Double> zero, List<Double> ready) {
        long t0 = System.nanoTime();
        k2.apps().deployments().inNamespace("default").withName("rebel-base").scale(0);
        awaitCluster2(agent, 0);
        zero.add((System.nanoTime() - t0) / 1e6);
        Map<String, Long> readyAt = new ConcurrentHashMap<>();
        Watch w = k2.pods().inNamespace("default").withLabel("name", "rebel-base").watch(new Watcher<Pod>() {
            @Override
            public void eventReceived(Action action, Pod pod) {
                long now = System.nanoTime();
                boolean isReady = pod.getStatus() != null && pod.getStatus().getConditions() != null
                        && pod.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType())
                                && "True".equals(c.getStatus()));
                if (isReady && pod.getStatus().getPodIP() != null) {
                    readyAt.putIfAbsent(pod.getStatus().getPodIP(), now);
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        });
        try {
            k2.apps().deployments().inNamespace("default").withName("rebel-base").scale(2);
            Set<String> seen = new HashSet<>();
            long end = System.nanoTime() + DEADLINE_NANOS;
            while (seen.size() < 2 && System.nanoTime() < end) {
                long now = System.nanoTime();
                for (String ip : cluster2Backends(agent)) {
                    Long r = readyAt.get(ip);
                    if (r != null && seen.add(ip)) {
                        ready.add((now - r) / 1e6);
                    }
                }
            }
            if (seen.size() < 2) {
                throw new IllegalStateException("cluster2's new backends did not reach cluster1's agent in time");
            }
        } finally {
            w.close();
        }
    }

    private static void directoryMode(Path dir, int runs, List<Double> zero, List<Double> ready) {
        KubeMeshHarness.ok(MeshctlProcess.run(300, "demo", "up", "--datapath", "memory", "--dir", dir.toString()));
        try {
            DemoState state = DemoState.load(dir);
            DemoRunner runner = new DemoRunner(state, System.err);
            DemoState.Cluster two = state.cluster("cluster2");
            try (AgentClient agent = new AgentClient(state.cluster("cluster1").agentAddress(), Duration.ofSeconds(5))) {
                awaitCluster2(agent, 2);
                for (int i = 0; i < runs; i++) {
                    two.replicas().put("rebel-base", 0);
                    long t0 = System.nanoTime();
                    DemoManifests.write(runner.manifests(two), two.id(), two);
                    awaitCluster2(agent, 0);
                    zero.add((System.nanoTime() - t0) / 1e6);
                    two.replicas().put("rebel-base", 2);
                    t0 = System.nanoTime();
                    DemoManifests.write(runner.manifests(two), two.id(), two);
                    awaitCluster2(agent, 2);
                    ready.add((System.nanoTime() - t0) / 1e6);
                }
            }
        } finally {
            MeshctlProcess.run(120, "demo", "down", "--dir", dir.toString());
        }
    }

    private static void awaitCluster2(AgentClient agent, int backends) {
        long end = System.nanoTime() + DEADLINE_NANOS;
        while (cluster2Backends(agent).size() != backends) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("cluster1's agent does not hold " + backends + " backends of cluster2");
            }
        }
    }

    private static Set<String> cluster2Backends(AgentClient agent) {
        Set<String> out = new HashSet<>();
        agent.services(ListServicesRequest.newBuilder().setNamespace("default").setName("rebel-base").build())
                .getServicesList().forEach(s -> {
                    for (Backend b : s.getBackendsList()) {
                        if ("cluster2".equals(b.getCluster())) {
                            out.add(b.getAddress().substring(0, b.getAddress().indexOf(':')));
                        }
                    }
                });
        return out;
    }

    /** Percentiles over a list of milliseconds. */
    static final class Stats {
        private Stats() {
        }

        static double p(List<Double> values, int percentile) {
            if (values.isEmpty()) {
                return Double.NaN;
            }
            List<Double> sorted = new ArrayList<>(values);
            Collections.sort(sorted);
            int i = (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1;
            return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
        }

        static String of(List<Double> values) {
            return String.format("n %d p50 %.1f ms p99 %.1f ms max %.1f ms", values.size(), p(values, 50),
                    p(values, 99), p(values, 100));
        }
    }
}
