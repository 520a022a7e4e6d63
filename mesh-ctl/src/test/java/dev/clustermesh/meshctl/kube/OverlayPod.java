package dev.clustermesh.meshctl.kube;

import dev.clustermesh.testing.Eventually;
import dev.clustermesh.testing.kube.Daemon;
import dev.clustermesh.testing.kube.KubeCluster;
import dev.clustermesh.testing.kube.Kubeconfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One pod of a mesh workload, scheduled by the real scheduler onto a kwok node, run here as a local process the way
 * the kubelet would run its container: the container's env (values, field references, envFrom ConfigMaps) and its
 * Secret and ConfigMap volumes come from the API server, mounted kubelet-style ({@link SecretVolume}), and the
 * env values that point into a mount path point into the local mount; the pod's ServiceAccount gets a real token
 * (TokenRequest) in a kubeconfig, as the in-cluster config would. What a shared host cannot give every pod (its own
 * ports, its own network namespace, the cluster DNS) is set by {@code overrides}, which the caller names.
 */
final class OverlayPod implements AutoCloseable {
    private final String name;
    private final Path dir;
    private final List<SecretVolume> volumes = new ArrayList<>();
    private final Map<String, String> env;
    private final List<String> command;
    private final int managementPort;
    private Daemon process;

    private OverlayPod(String name, Path dir, Map<String, String> env, List<String> command, int managementPort) {
        this.name = name;
        this.dir = dir;
        this.env = env;
        this.command = command;
        this.managementPort = managementPort;
    }

    /**
     * Starts the pod's container from the packaged application {@code jar} and waits until its readiness check
     * passes. {@code apiServer} is where its in-cluster config points (the API server, or a relay to it).
     */
    static OverlayPod start(KubeCluster cluster, String apiServer, KubernetesClient k, Pod pod, Path dir, Path jar,
            Path hostsFile, Map<String, String> overrides, int managementPort) {
        Container c = pod.getSpec().getContainers().get(0);
        String ns = pod.getMetadata().getNamespace();
        Map<String, String> env = new TreeMap<>();
        for (EnvFromSource from : c.getEnvFrom()) {
            if (from.getConfigMapRef() != null) {
                ConfigMap cm = k.configMaps().inNamespace(ns).withName(from.getConfigMapRef().getName()).get();
                env.putAll(cm.getData());
            }
        }
        for (EnvVar v : c.getEnv()) {
            env.put(v.getName(), v.getValue() != null ? v.getValue() : field(pod, v));
        }
        OverlayPod p = new OverlayPod(pod.getMetadata().getName(), dir, env, new ArrayList<>(), managementPort);
        try {
            p.mountSecrets(k, pod, c);
            if (!Boolean.FALSE.equals(pod.getSpec().getAutomountServiceAccountToken())) {
                String token = cluster.kubectl("create", "token", pod.getSpec().getServiceAccountName(), "-n", ns,
                        "--duration=2h").strip();
                env.put("KUBECONFIG", Kubeconfig.writeToken(dir.resolve("serviceaccount.kubeconfig"), cluster,
                        apiServer, token, ns).toString());
            }
            env.putAll(overrides);
            p.command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    // The cluster DNS this host lacks: the names the pod would resolve through CoreDNS.
                    "-Djdk.net.hosts.file=" + hostsFile, "-jar", jar.toString()));
            p.process = Daemon.start("pod-" + pod.getMetadata().getName(), p.command, env,
                    dir.resolve("container.log"));
            p.awaitReady(Duration.ofSeconds(90));
            return p;
        } catch (RuntimeException | Error e) {
            p.close();
            throw e;
        }
    }

    private static String field(Pod pod, EnvVar v) {
        if (v.getValueFrom() == null || v.getValueFrom().getFieldRef() == null) {
            throw new IllegalArgumentException("env " + v.getName() + ": only values and field references are mounted");
        }
        String path = v.getValueFrom().getFieldRef().getFieldPath();
        return switch (path) {
            case "metadata.name" -> pod.getMetadata().getName();
            case "metadata.namespace" -> pod.getMetadata().getNamespace();
            case "spec.nodeName" -> pod.getSpec().getNodeName();
            case "status.hostIP" -> pod.getStatus().getHostIP();
            case "status.podIP" -> pod.getStatus().getPodIP();
            default -> throw new IllegalArgumentException("env " + v.getName() + ": field " + path + " not supported");
        };
    }

    private void mountSecrets(KubernetesClient k, Pod pod, Container c) {
        Map<String, Path> mounts = new LinkedHashMap<>();
        for (VolumeMount m : c.getVolumeMounts()) {
            Volume v = pod.getSpec().getVolumes().stream().filter(x -> x.getName().equals(m.getName())).findFirst()
                    .orElseThrow();
            Path at = dir.resolve("volumes").resolve(v.getName());
            SecretVolume sv;
            if (v.getSecret() != null) {
                sv = new SecretVolume(k, pod.getMetadata().getNamespace(), v.getSecret().getSecretName(), at, 500);
            } else if (v.getConfigMap() != null) {
                sv = SecretVolume.configMap(k, pod.getMetadata().getNamespace(), v.getConfigMap().getName(), at, 500);
            } else {
                continue;
            }
            volumes.add(sv);
            mounts.put(m.getMountPath(), sv.dir());
        }
        env.replaceAll((key, value) -> {
            for (Map.Entry<String, Path> m : mounts.entrySet()) {
                if (value.equals(m.getKey()) || value.startsWith(m.getKey() + "/")) {
                    return m.getValue() + value.substring(m.getKey().length());
                }
            }
            return value;
        });
    }

    /** Polls the management port's readiness endpoint; fails with the log's tail. */
    void awaitReady(Duration timeout) {
        HttpClient http = HttpClient.newHttpClient();
        URI uri = URI.create("http://127.0.0.1:" + managementPort + "/q/health/ready");
        try {
            Eventually.await(timeout, () -> {
                process.checkAlive();
                int status = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status != 200) {
                    throw new AssertionError("pod " + name + " readiness answers " + status);
                }
            });
        } catch (AssertionError | Eventually.Abort e) {
            throw new AssertionError(e.getMessage() + "\n--- " + dir.resolve("container.log") + "\n" + tail(), e);
        }
    }

    /** The container's Prometheus metrics, as its management port serves them. */
    String metrics() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort
                + "/metrics")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The environment the container got. */
    Map<String, String> env() {
        return env;
    }

    /** Process ID (to show that an update was taken without a restart). */
    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.alive();
    }

    /** The container's log file. */
    Path log() {
        return process.log();
    }

    String tail() {
        return process == null ? "(not started)" : process.tail(40);
    }

    @Override
    public void close() {
        volumes.forEach(SecretVolume::close);
        if (process != null) {
            process.close();
        }
    }
}
