package dev.clustermesh.meshctl.demo;

import dev.clustermesh.meshctl.cli.MeshCtlException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code meshctl demo exec CLUSTER POD -- COMMAND...}: runs a command inside a pod of the root demo. */
@Command(name = "exec", mixinStandardHelpOptions = true,
        description = "Run a command in a pod of the root demo (datapath nftables), with the pod's network and DNS, "
                + "e.g.: meshctl demo exec cluster1 x-wing -- curl -s http://rebel-base.default.svc.clusterset.local/")
final class DemoExec extends DemoCommand.DemoSubcommand implements Callable<Integer> {
    /** The name pods ask mesh-dns for. */
    static final String SERVICE_URL = "http://" + DemoLayout.SERVICE + "." + DemoLayout.NAMESPACE
            + ".svc.clusterset.local/";

    @Parameters(index = "0", description = "cluster1, cluster2 (or cluster3)")
    String cluster;

    @Parameters(index = "1", description = "x-wing (= x-wing-1), x-wing-<k>, rebel-base-<k>, or a Pod applied "
            + "with 'demo apply'")
    String pod;

    @Parameters(index = "2..*", arity = "1..*", paramLabel = "COMMAND",
            description = "the command and its arguments, after --")
    List<String> command = new ArrayList<>();

    /** Runs the command with this process's stdin, stdout and stderr; its exit code is meshctl's. */
    @Override
    public Integer call() throws IOException, InterruptedException {
        DemoState state = DemoState.load(dir());
        String ns = namespace(state, cluster, pod);
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        argv.addAll(command);
        return new ProcessBuilder(argv).inheritIO().start().waitFor();
    }

    /**
     * The network namespace of {@code pod} in {@code cluster}.
     *
     * @throws MeshCtlException when the demo is not the root one, this user is not root, or there is no such pod
     *     (listing the pods there are)
     */
    static String namespace(DemoState state, String cluster, String pod) {
        if (!DemoRunner.NFTABLES.equals(state.datapath())) {
            throw new MeshCtlException("'demo exec' needs the root demo (datapath nftables, 'meshctl demo up' as "
                    + "root); the demo in " + state.dir() + " runs datapath " + state.datapath() + " and has no pods");
        }
        if (!DemoNetwork.root()) {
            throw new MeshCtlException("'demo exec' enters the pods' network namespaces and needs root");
        }
        DemoState.Cluster c = state.cluster(cluster);
        Map<String, String> pods = pods(state, c);
        String name = DemoLayout.CLIENT.equals(pod) || DemoLayout.SERVICE.equals(pod)
                ? DemoLayout.podName(pod, 1) : pod;
        String ns = pods.get(name);
        if (ns == null) {
            throw new MeshCtlException(c.name() + " has no pod '" + pod + "'; its pods: "
                    + String.join(", ", pods.keySet()) + " (" + DemoLayout.CLIENT + " = "
                    + DemoLayout.podName(DemoLayout.CLIENT, 1) + ")");
        }
        return ns;
    }

    /**
     * Pod name to namespace, for every pod the demo made in {@code c}: its deployments' and those applied with a
     * free address ({@link DemoLayout#freePodAddress}).
     */
    static Map<String, String> pods(DemoState state, DemoState.Cluster c) {
        Map<String, String> pods = new LinkedHashMap<>();
        for (String deployment : List.of(DemoLayout.SERVICE, DemoLayout.CLIENT)) {
            for (int k = 1; ; k++) {
                String ns = DemoNetwork.podNs(state.netPrefix(), c.id(), deployment, k);
                if (!state.namespaces().contains(ns)) {
                    break;
                }
                pods.put(DemoLayout.podName(deployment, k), ns);
            }
        }
        AppliedManifests.podAddresses(new DemoRunner(state, System.out).manifests(c)).forEach((name, ip) -> {
            String ns = DemoNetwork.podNsAt(state.netPrefix(), c.id(), ip);
            if (DemoLayout.freePodAddress(c.id(), ip) && state.namespaces().contains(ns)) {
                pods.putIfAbsent(name, ns);
            }
        });
        return pods;
    }

    /**
     * What {@code curl -s SERVICE_URL} from cluster {@code c}'s first x-wing answers, retried until it answers or
     * {@code timeout} passes (the agents may still be programming their first rules).
     *
     * @throws MeshCtlException with curl's last exit code when there is no answer in time
     */
    static String firstAnswer(DemoState state, DemoState.Cluster c, Duration timeout) {
        List<String> argv = List.of("ip", "netns", "exec", namespace(state, c.name(), DemoLayout.CLIENT), "curl",
                "-s", "--max-time", "2", SERVICE_URL);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            NetworkSetup.Result r = NetworkSetup.exec(argv, null);
            if (r.code() == 0 && !r.output().isBlank()) {
                return r.output().strip();
            }
            if (System.nanoTime() > deadline) {
                throw new MeshCtlException("no answer from " + SERVICE_URL + " in " + c.name() + "'s x-wing within "
                        + timeout.toSeconds() + "s (curl exit " + r.code() + ")");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MeshCtlException("interrupted while waiting for rebel-base");
            }
        }
    }
}
