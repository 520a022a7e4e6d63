package dev.clustermesh.testing.kube;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The shell entry point ({@code scripts/kube-clusters.sh DIR [IDS...]}): starts the seed's clusters (or the given
 * cluster IDs), prints the kubeconfig to use, and runs until interrupted (Ctrl-C or SIGTERM stops everything).
 */
public final class KubeClustersMain {
    private KubeClustersMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 1) {
            System.err.println("usage: kube-clusters.sh DIR [CLUSTER_ID...]   (default IDs: 1 2)");
            System.exit(2);
        }
        List<ClusterSpec> specs = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            int id;
            try {
                id = Integer.parseInt(args[i]);
            } catch (NumberFormatException e) {
                id = -1;
            }
            if (id < 1 || id > 25) {
                System.err.println("cluster ID '" + args[i] + "' is not a number from 1 to 25");
                System.exit(2);
            }
            specs.add(ClusterSpec.seed(id));
        }
        if (specs.isEmpty()) {
            specs = List.of(ClusterSpec.seed(1), ClusterSpec.seed(2));
        }
        KubeMesh mesh = KubeMesh.start(Path.of(args[0]).toAbsolutePath(), specs);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            mesh.close();
            stopped.countDown();
        }, "kube-clusters-stop"));
        for (KubeCluster c : mesh.clusters()) {
            System.out.println(c.spec().context() + ": " + c.server() + "  pods " + c.spec().podCidr() + ", services "
                    + c.spec().serviceCidr() + ", logs " + c.dir().resolve("logs"));
        }
        System.out.println("export KUBECONFIG=" + mesh.kubeconfig());
        System.out.println("(running; Ctrl-C stops every process)");
        stopped.await();
    }
}
