package dev.clustermesh.meshctl.kube;

import dev.clustermesh.meshctl.cli.MeshCtlException;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

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

    /**
     * Runs one Kubernetes API request; a failure becomes a one-line error naming the context.
     */
    static <T> T call(String context, Supplier<T> request) {
        try {
            return request.get();
        } catch (KubernetesClientException e) {
            String why = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                    : e.getCause() != null ? e.getCause().toString() : e.getMessage();
            throw new MeshCtlException((context.isEmpty() ? "" : "context " + context + ": ")
                    + "Kubernetes API request failed: " + why, e);
        }
    }
}
