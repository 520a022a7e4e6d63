package dev.clustermesh.meshctl.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clustermesh.meshctl.cli.Json;
import dev.clustermesh.meshctl.cli.MeshCtlException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything the local demo knows, in {@code <dir>/demo.json}: where each cluster's parts listen, which processes
 * run them, the network namespaces made for them, and the demo's workload (replicas and annotations), from which
 * the manifests are rendered. Saved after every step of {@code up}, so {@code down} can undo a half-made demo.
 */
public final class DemoState {
    public static final String FILE = "demo.json";
    /** The default state directory when neither {@code --demo-dir} nor {@code MESHCTL_DEMO_DIR} is given. */
    public static final Path DEFAULT_DIR = Path.of("/tmp/clustermesh-demo");

    private final Path dir;
    private String datapath = "memory";
    private String runtime = DemoLaunch.PROCESS;
    private final Map<String, Cluster> clusters = new LinkedHashMap<>();
    private final List<String> namespaces = new ArrayList<>();
    private final List<String> links = new ArrayList<>();
    private String netPrefix;
    private int hostNet = -1;

    public DemoState(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    /** The state directory: the option, else {@code $MESHCTL_DEMO_DIR}, else {@link #DEFAULT_DIR}. */
    public static Path dir(Path option) {
        if (option != null) {
            return option;
        }
        String env = System.getenv("MESHCTL_DEMO_DIR");
        return env != null && !env.isBlank() ? Path.of(env) : DEFAULT_DIR;
    }

    /** One running process of the demo. */
    public record Proc(String role, long pid, String log) {
    }

    /** One cluster of the demo. */
    public static final class Cluster {
        final String name;
        final int id;
        final Map<String, Integer> ports = new TreeMap<>();
        final List<Proc> processes = new ArrayList<>();
        final Map<String, Integer> replicas = new TreeMap<>();
        final Map<String, String> annotations = new TreeMap<>();

        Cluster(String name, int id) {
            this.name = name;
            this.id = id;
        }

        public String name() {
            return name;
        }

        public int id() {
            return id;
        }

        public int port(String role) {
            Integer p = ports.get(role);
            if (p == null) {
                throw new MeshCtlException("the demo state has no " + role + " port for " + name);
            }
            return p;
        }

        public String agentAddress() {
            return "127.0.0.1:" + port(DemoLayout.AGENT_API);
        }

        public String proxyEndpoint() {
            return "https://127.0.0.1:" + port(DemoLayout.PROXY_API);
        }

        public String dnsAddress() {
            return "127.0.0.1:" + port(DemoLayout.DNS);
        }

        public Map<String, Integer> replicas() {
            return replicas;
        }

        public Map<String, String> annotations() {
            return annotations;
        }

        public List<Proc> processes() {
            return processes;
        }
    }

    public Path dir() {
        return dir;
    }

    public String datapath() {
        return datapath;
    }

    public void datapath(String mode) {
        this.datapath = mode;
    }

    /** How the demo's services run: {@link DemoLaunch#PROCESS} or {@link DemoLaunch#PODMAN}. */
    public String runtime() {
        return runtime;
    }

    public void runtime(String runtime) {
        this.runtime = runtime;
    }

    public Cluster add(String name, int id) {
        Cluster c = new Cluster(name, id);
        clusters.put(name, c);
        return c;
    }

    public Map<String, Cluster> clusters() {
        return clusters;
    }

    /** Network namespaces made for the demo (root only), in creation order. */
    public List<String> namespaces() {
        return namespaces;
    }

    /** Links made in the root namespace for the demo (root only). */
    public List<String> links() {
        return links;
    }

    /** The prefix of the demo's namespace and link names, from its directory ({@link DemoNetwork#prefix}). */
    public String netPrefix() {
        return netPrefix != null ? netPrefix : DemoNetwork.prefix(dir);
    }

    /** The index of the demo's first host-link /30 ({@link DemoNetwork#hostNetBase}), -1 before it is picked. */
    public int hostNet() {
        return hostNet;
    }

    public void hostNet(int n) {
        this.hostNet = n;
        this.netPrefix = netPrefix();
    }

    /**
     * @throws MeshCtlException naming the known clusters when {@code name} is not one of them
     */
    public Cluster cluster(String name) {
        Cluster c = clusters.get(name);
        if (c == null) {
            throw new MeshCtlException("the demo has no cluster '" + name + "' (it has " + String.join(", ",
                    clusters.keySet()) + ")");
        }
        return c;
    }

    public Path clusterDir(String cluster) {
        return dir.resolve(cluster);
    }

    /** Whether {@code dir} holds a demo's state. */
    public static boolean exists(Path dir) {
        return Files.exists(dir.resolve(FILE));
    }

    /**
     * @throws MeshCtlException when there is no demo in {@code dir} (with the command that starts one) or the
     *     state file is unreadable
     */
    public static DemoState load(Path dir) {
        Path file = dir.resolve(FILE);
        JsonNode root;
        try {
            root = Json.mapper().readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new MeshCtlException("no demo in " + dir + " (no " + FILE + "); start one with 'meshctl demo up"
                    + (dir.equals(DEFAULT_DIR) ? "" : " --dir " + dir) + "'");
        } catch (IOException e) {
            throw new MeshCtlException("cannot read " + file + ": " + e.getMessage(), e);
        }
        DemoState s = new DemoState(dir);
        s.datapath = root.path("datapath").asText("memory");
        s.runtime = root.path("runtime").asText(DemoLaunch.PROCESS);
        root.path("namespaces").forEach(n -> s.namespaces.add(n.asText()));
        root.path("links").forEach(n -> s.links.add(n.asText()));
        s.netPrefix = root.hasNonNull("netPrefix") ? root.get("netPrefix").asText() : null;
        s.hostNet = root.path("hostNet").asInt(-1);
        for (JsonNode c : root.path("clusters")) {
            Cluster cluster = s.add(c.path("name").asText(), c.path("id").asInt());
            c.path("ports").fields().forEachRemaining(e -> cluster.ports.put(e.getKey(), e.getValue().asInt()));
            c.path("replicas").fields().forEachRemaining(e -> cluster.replicas.put(e.getKey(), e.getValue().asInt()));
            c.path("annotations").fields()
                    .forEachRemaining(e -> cluster.annotations.put(e.getKey(), e.getValue().asText()));
            for (JsonNode p : c.path("processes")) {
                cluster.processes.add(new Proc(p.path("role").asText(), p.path("pid").asLong(), p.path("log").asText()));
            }
        }
        return s;
    }

    /** Writes the state atomically. */
    public synchronized void save() {
        ObjectNode root = Json.object();
        root.put("dir", dir.toString());
        root.put("datapath", datapath);
        root.put("runtime", runtime);
        ArrayNode ns = root.putArray("namespaces");
        namespaces.forEach(ns::add);
        ArrayNode ls = root.putArray("links");
        links.forEach(ls::add);
        if (netPrefix != null) {
            root.put("netPrefix", netPrefix);
            root.put("hostNet", hostNet);
        }
        ArrayNode cs = root.putArray("clusters");
        for (Cluster c : clusters.values()) {
            ObjectNode o = cs.addObject();
            o.put("name", c.name);
            o.put("id", c.id);
            ObjectNode ports = o.putObject("ports");
            c.ports.forEach(ports::put);
            ObjectNode replicas = o.putObject("replicas");
            c.replicas.forEach(replicas::put);
            ObjectNode annotations = o.putObject("annotations");
            c.annotations.forEach(annotations::put);
            ArrayNode procs = o.putArray("processes");
            for (Proc p : c.processes) {
                procs.addObject().put("role", p.role()).put("pid", p.pid()).put("log", p.log());
            }
        }
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve(FILE + ".tmp");
            Files.writeString(tmp, Json.print(root));
            Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new MeshCtlException("cannot write " + dir.resolve(FILE) + ": " + e.getMessage(), e);
        }
    }
}
