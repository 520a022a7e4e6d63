package dev.clustermesh.meshctl.kube;

import dev.clustermesh.meshctl.cli.MeshCtlException;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Kubernetes clients for named kubeconfig contexts, as {@code kubectl --context} picks them. */
final class KubeContexts {
    private KubeContexts() {
    }

    /**
     * A client of {@code context} from {@code kubeconfig} (else {@code $KUBECONFIG}, else ~/.kube/config).
     *
     * @throws MeshCtlException when the file is missing or the context is not in it
     */
    static KubernetesClient client(Path kubeconfig, String context) {
        Path file = kubeconfig;
        if (file == null) {
            String env = System.getenv("KUBECONFIG");
            file = env != null && !env.isBlank() ? Path.of(env.split(":")[0])
                    : Path.of(System.getProperty("user.home"), ".kube", "config");
        }
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new MeshCtlException("cannot read kubeconfig " + file + " (" + e.getClass().getSimpleName()
                    + "); pass --kubeconfig or set KUBECONFIG");
        }
        Config config;
        try {
            config = Config.fromKubeconfig(context, text, file.toString());
        } catch (RuntimeException e) {
            throw new MeshCtlException("kubeconfig " + file + ": " + e.getMessage(), e);
        }
        if (config.getCurrentContext() == null || !context.equals(config.getCurrentContext().getName())) {
            throw new MeshCtlException("context '" + context + "' is not in kubeconfig " + file);
        }
        config.setRequestTimeout(15_000);
        config.setConnectionTimeout(5_000);
        config.setRequestRetryBackoffLimit(1);
        return new KubernetesClientBuilder().withConfig(config).build();
    }
}
