package dev.clustermesh.meshctl.demo;

import dev.clustermesh.meshctl.cli.MeshCtlException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How the demo starts etcd, mesh-proxy, mesh-agent and mesh-dns: as processes of this machine's {@code java} and
 * {@code etcd} ({@link #PROCESS}), or as podman containers from the images {@code scripts/images.sh} builds
 * ({@link #PODMAN}).
 *
 * <p>A container is started attached ({@code podman run --rm}) by the same detached launcher as a process, so the
 * demo tracks, stops and restarts both alike: SIGTERM to the podman client is passed on to the program (podman's
 * signal proxy) and the container is removed when it ends. {@link #removeContainers} removes what a killed client
 * left behind. Containers share the host network (the ports are the process demo's); the demo directory is mounted
 * at its own path, so every file setting means the same in both. With the nftables datapath the agent gets
 * {@code NET_ADMIN}, {@code NET_RAW} and {@code SYS_ADMIN} with {@code /run/netns}, to program its node's network
 * namespace with {@code ip netns exec} as the process does. Containers run as root because the demo's keys are root's files (the images' own user is 185).
 */
final class DemoLaunch {
    static final String PROCESS = "process";
    static final String PODMAN = "podman";
    /** The label on every container of a demo; its value is the demo directory. */
    static final String LABEL = "dev.clustermesh.demo";
    /** The image of each role, as scripts/images.sh tags them. */
    static final Map<String, String> IMAGES = new TreeMap<>(Map.of(
            "etcd", "localhost/clustermesh-j/etcd:demo",
            "mesh-proxy", "ghcr.io/clustermesh-j/mesh-proxy:0.1.0",
            "mesh-agent", "ghcr.io/clustermesh-j/mesh-agent:0.1.0",
            "mesh-dns", "ghcr.io/clustermesh-j/mesh-dns:0.1.0"));

    private final DemoState state;

    DemoLaunch(DemoState state) {
        this.state = state;
    }

    /**
     * The runtime {@code --runtime} asks for, checked: podman needs root, the podman binary and every image.
     *
     * @throws IllegalArgumentException for an unknown value
     * @throws MeshCtlException naming what podman lacks and how to get it
     */
    static String runtime(String option) {
        switch (option) {
            case PROCESS:
                return PROCESS;
            case PODMAN:
                if (!DemoNetwork.root()) {
                    throw new MeshCtlException("--runtime podman needs root (rootful podman, the agent's NET_ADMIN)");
                }
                Path podman = Processes.binary("podman", "podman");
                List<String> missing = IMAGES.values().stream()
                        .filter(image -> NetworkSetup.exec(List.of(podman.toString(), "image", "exists", image), null)
                                .code() != 0).toList();
                if (!missing.isEmpty()) {
                    throw new MeshCtlException("podman has no image " + String.join(", ", missing)
                            + "; build them with: scripts/images.sh");
                }
                return PODMAN;
            default:
                throw new IllegalArgumentException("--runtime must be process or podman, got '" + option + "'");
        }
    }

    boolean podman() {
        return PODMAN.equals(state.runtime());
    }

    /** The command that runs cluster {@code c}'s etcd with {@code args}. */
    List<String> etcd(DemoState.Cluster c, List<String> args) {
        List<String> cmd = new ArrayList<>();
        if (podman()) {
            cmd.addAll(container(c, "etcd", List.of()));
            cmd.add(IMAGES.get("etcd"));
        } else {
            cmd.add(Processes.binary("etcd", "etcd-server").toString());
        }
        cmd.addAll(args);
        return cmd;
    }

    /** The command that runs {@code role} (mesh-proxy, mesh-agent or mesh-dns) of {@code c} with these settings. */
    List<String> service(DemoState.Cluster c, String role, Map<String, String> properties, String heap) {
        List<String> jvm = new ArrayList<>(List.of("-Xmx" + heap, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dclustermesh.demo=" + state.dir()));
        properties.forEach((k, v) -> jvm.add("-D" + k + "=" + v));
        List<String> cmd = new ArrayList<>();
        if (podman()) {
            for (String option : jvm) {
                if (option.chars().anyMatch(ch -> Character.isWhitespace(ch) || ch == '\'' || ch == '"')) {
                    throw new MeshCtlException("--runtime podman cannot pass '" + option + "' (it has blanks or "
                            + "quotes; the images split JAVA_OPTS_APPEND at blanks): use a demo directory without them");
                }
            }
            List<String> extra = new ArrayList<>(List.of("-e", "JAVA_OPTS_APPEND=" + String.join(" ", jvm)));
            if ("mesh-agent".equals(role) && DemoRunner.NFTABLES.equals(state.datapath())) {
                extra.addAll(List.of("--cap-add", "NET_ADMIN", "--cap-add", "NET_RAW", "--cap-add", "SYS_ADMIN",
                        "-v", "/run/netns:/run/netns:rslave"));
            }
            cmd.addAll(container(c, role, extra));
            cmd.add(IMAGES.get(role));
        } else {
            cmd.add(Install.java());
            cmd.addAll(jvm);
            cmd.add("-jar");
            cmd.add(Install.jar(role).toString());
        }
        return cmd;
    }

    /** {@code podman run} up to the image: name, label, host network, the demo directory, MESH_ and QUARKUS_ env. */
    private List<String> container(DemoState.Cluster c, String role, List<String> extra) {
        List<String> cmd = new ArrayList<>(List.of(Processes.binary("podman", "podman").toString(), "run", "--rm",
                "--replace", "--name", name(c, role), "--label", LABEL + "=" + state.dir(), "--network", "host",
                "--user", "0", "-v", state.dir() + ":" + state.dir()));
        // What the process demo's programs inherit from meshctl (e.g. MESH_CLUSTERS_TTL=5s) reaches them here too.
        new TreeMap<>(System.getenv()).keySet().stream().filter(k -> k.startsWith("MESH_") || k.startsWith("QUARKUS_"))
                .forEach(k -> cmd.addAll(List.of("-e", k)));
        cmd.addAll(extra);
        return cmd;
    }

    /** The container of {@code role} in cluster {@code c}: the demo's network prefix keeps two demos apart. */
    String name(DemoState.Cluster c, String role) {
        return state.netPrefix() + "-" + c.name() + "-" + role;
    }

    /** The demo's containers that exist (running or not), by name. */
    List<String> containers() {
        NetworkSetup.Result r = NetworkSetup.exec(List.of(Processes.binary("podman", "podman").toString(), "ps", "-a",
                "--filter", "label=" + LABEL + "=" + state.dir(), "--format", "{{.Names}}"), null);
        if (r.code() != 0) {
            throw new MeshCtlException("podman ps failed (exit " + r.code() + "): " + r.output().strip());
        }
        return r.output().lines().map(String::strip).filter(l -> !l.isEmpty()).sorted().toList();
    }

    /** Removes {@code role}'s container of cluster {@code c} if it is left (its podman client was killed). */
    void removeContainer(DemoState.Cluster c, String role) {
        if (podman() && IMAGES.containsKey(role)) {
            NetworkSetup.exec(List.of(Processes.binary("podman", "podman").toString(), "rm", "-f", "-t", "5",
                    "--ignore", name(c, role)), null);
        }
    }

    /** Removes every container of the demo (those a killed podman client left); returns how many. */
    int removeContainers() {
        if (!podman()) {
            return 0;
        }
        List<String> left = containers();
        if (!left.isEmpty()) {
            List<String> rm = new ArrayList<>(List.of(Processes.binary("podman", "podman").toString(), "rm", "-f",
                    "-t", "5"));
            rm.addAll(left);
            NetworkSetup.Result r = NetworkSetup.exec(rm, null);
            if (r.code() != 0) {
                throw new MeshCtlException("podman rm failed (exit " + r.code() + "): " + r.output().strip());
            }
        }
        return left.size();
    }
}
