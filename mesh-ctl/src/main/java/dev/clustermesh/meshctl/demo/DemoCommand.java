package dev.clustermesh.meshctl.demo;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clustermesh.core.annotations.AnnotationWarning;
import dev.clustermesh.core.annotations.ServiceAnnotations;
import dev.clustermesh.meshctl.agent.AgentClient;
import dev.clustermesh.meshctl.agent.Views;
import dev.clustermesh.meshctl.cli.Json;
import dev.clustermesh.meshctl.cli.MeshCtlException;
import dev.clustermesh.meshctl.cli.OutputFormat;
import dev.clustermesh.meshctl.pki.MeshPki;
import dev.clustermesh.proto.agent.v1.GetStatusResponse;
import dev.clustermesh.proto.agent.v1.ListServicesRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code meshctl demo}: two clusters on this machine, to try the mesh and replay the seed's walk-through. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "A local mesh on this machine: cluster1 (ID 1), cluster2 (ID 2) (and cluster3), each with "
                + "etcd, mesh-proxy, mesh-agent and mesh-dns, and the rebel-base/x-wing example.",
        subcommands = {DemoCommand.Up.class, DemoCommand.Down.class, DemoCommand.Status.class,
            DemoCommand.Scale.class, DemoCommand.Annotate.class, DemoCommand.Env.class, DemoExec.class,
            DemoApply.Apply.class, DemoApply.Delete.class, DemoProcessCommands.Stop.class,
            DemoProcessCommands.Start.class, DemoLinks.Connect.class, DemoLinks.Disconnect.class,
            DemoRotation.class})
public final class DemoCommand {
    private static final Pattern ANNOTATION_KEY =
            Pattern.compile("([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");

    /** The state directory option every subcommand takes. */
    abstract static class DemoSubcommand {
        @Option(names = "--dir", description = "State directory (default: $MESHCTL_DEMO_DIR or /tmp/clustermesh-demo).")
        Path dir;

        Path dir() {
            return DemoState.dir(dir).toAbsolutePath().normalize();
        }
    }

    @Command(name = "up", mixinStandardHelpOptions = true, description = "Start the demo and wait until connected.")
    static final class Up extends DemoSubcommand implements Runnable {
        @Option(names = "--port-base", defaultValue = "" + DemoLayout.DEFAULT_PORT_BASE,
                description = "cluster<i> listens on <base>+100*i+0..6; 0 picks free ports (default: ${DEFAULT-VALUE}).")
        int portBase;

        @Option(names = "--dns-port", defaultValue = "" + DemoLayout.DEFAULT_DNS_PORT,
                description = "cluster1's mesh-dns port, cluster2's is the next; 0 picks free ports "
                        + "(default: ${DEFAULT-VALUE}).")
        int dnsPort;

        @Option(names = "--clusters", defaultValue = "2", description = "How many clusters: 2 or 3 (cluster3, ID 3, "
                + "pods in 10.30.0.0/16; the nftables nodes then share a bridge) (default: ${DEFAULT-VALUE}).")
        int clusters;

        @Option(names = "--timeout", defaultValue = "3m", description = "How long to wait for the clusters to connect "
                + "(default: ${DEFAULT-VALUE}).")
        Duration timeout;

        @Option(names = "--datapath", defaultValue = "auto", description = "auto, memory or nftables: nftables "
                + "(root, with ip and nft) puts each cluster in network namespaces with real rebel-base and x-wing "
                + "pods; auto picks it when it can run (default: ${DEFAULT-VALUE}).")
        String datapath;

        @Option(names = "--runtime", defaultValue = DemoLaunch.PROCESS, description = "process or podman: podman "
                + "(root) runs etcd, mesh-proxy, mesh-agent and mesh-dns as containers from the images "
                + "scripts/images.sh builds (default: ${DEFAULT-VALUE}).")
        String runtime;

        @Override
        public void run() {
            String mode = DemoRunner.datapath(datapath);
            String how = DemoLaunch.runtime(runtime);
            if (portBase != 0 && (portBase < 1024 || portBase > 65000)) {
                throw new IllegalArgumentException("--port-base must be 0 or within 1024..65000, got " + portBase);
            }
            if (dnsPort < 0 || dnsPort > 65536 - clusters) {
                throw new IllegalArgumentException("--dns-port must be within 0.." + (65536 - clusters) + ", got " + dnsPort);
            }
            DemoRunner.UpOptions options = new DemoRunner.UpOptions(clusters, portBase, dnsPort, mode, how);
            Path d = dir();
            if (DemoState.exists(d)) {
                DemoRunner old = new DemoRunner(DemoState.load(d), System.out);
                if (old.anyRunning()) {
                    throw new MeshCtlException("a demo is already running in " + d + "; see 'meshctl demo status', "
                            + "or stop it with 'meshctl demo down'");
                }
                old.down();
            }
            DemoState state = new DemoState(d);
            DemoRunner runner = new DemoRunner(state, System.out);
            System.out.println("🚀 Starting a " + clusters + "-cluster mesh in " + d);
            runner.up(options);
            DemoState.Cluster c1 = state.cluster(DemoLayout.clusterName(1));
            for (DemoState.Cluster c : state.clusters().values()) {
                try (AgentClient client = new AgentClient(c.agentAddress(), Duration.ofSeconds(5))) {
                    GetStatusResponse s = Views.waitReady(client, timeout, System.out);
                    if (!Views.ready(s)) {
                        throw new MeshCtlException(c.name() + "'s agent is not ready after " + timeout.toSeconds()
                                + "s: " + String.join("; ", Views.problems(s)) + " (logs in " + d + ")");
                    }
                }
            }
            System.out.println();
            System.out.println("$ meshctl status --context cluster1");
            try (AgentClient client = new AgentClient(c1.agentAddress(), Duration.ofSeconds(5))) {
                Views.printStatus(client.status(), client.address(), System.out);
                System.out.println();
                System.out.println("$ meshctl service list --context cluster1 --clustermesh-affinity");
                Views.printServices(client.services(ListServicesRequest.getDefaultInstance()), true, System.out);
            }
            System.out.println();
            String name = DemoLayout.SERVICE + "." + DemoLayout.NAMESPACE + ".svc.clusterset.local";
            System.out.println("$ dig @127.0.0.1 -p " + c1.port(DemoLayout.DNS) + " " + name);
            System.out.println(dnsAnswer(c1, name));
            System.out.println();
            if (runner.nftables()) {
                System.out.println("$ meshctl demo exec cluster1 x-wing -- curl -s " + DemoExec.SERVICE_URL);
                System.out.println(DemoExec.firstAnswer(state, c1, timeout));
                System.out.println();
            }
            System.out.println("Next: replay the walk-through, e.g.");
            if (runner.nftables()) {
                System.out.println("  meshctl demo exec cluster1 x-wing -- curl -s " + DemoExec.SERVICE_URL);
            }
            System.out.println("  meshctl demo scale cluster2 rebel-base 0");
            System.out.println("  meshctl demo annotate cluster1 rebel-base service.cilium.io/affinity=local");
            System.out.println("  meshctl service list --context cluster1 --clustermesh-affinity");
            System.out.println("  meshctl demo apply cluster2 docs/examples/demo/rebel-base-policy.yaml");
            System.out.println("  eval \"$(meshctl demo env cluster1)\" && etcdctl get --prefix mesh/v1/ --keys-only");
            System.out.println("  meshctl demo down");
        }
    }

    /**
     * What mesh-dns answers for {@code name}, waiting up to 10 s for an answer with records: mesh-dns syncs with the
     * clusters on its own, so it may build its zone a moment after the agents report ready.
     */
    static String dnsAnswer(DemoState.Cluster c, String name) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String last;
        do {
            try {
                List<String> a = DnsProbe.a("127.0.0.1", c.port(DemoLayout.DNS), name);
                if (!a.isEmpty()) {
                    return String.join("\n", a.stream().map(ip -> name + ".\tA\t" + ip).toList());
                }
                last = ";; no A records for " + name;
            } catch (java.io.IOException e) {
                last = ";; no answer from " + c.dnsAddress() + ": " + e.getMessage();
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return last;
            }
        } while (System.nanoTime() < deadline);
        return last;
    }

    @Command(name = "down", mixinStandardHelpOptions = true,
            description = "Stop every process of the demo and remove its directory.")
    static final class Down extends DemoSubcommand implements Runnable {
        @Override
        public void run() {
            Path d = dir();
            if (!DemoState.exists(d)) {
                System.out.println("No demo in " + d + "; nothing to do.");
                return;
            }
            DemoState state = DemoState.load(d);
            DemoNetwork.requireRootFor(state, "'demo down'");
            int stopped = new DemoRunner(state, System.out).down();
            System.out.println("🧹 Demo stopped (" + stopped + " processes) and " + d + " removed.");
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Where each cluster's proxy, agent and DNS listen, with the files a client needs.")
    static final class Status extends DemoSubcommand implements Callable<Integer> {
        @Option(names = {"-o", "--output"}, defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE}).")
        OutputFormat output;

        @Override
        public Integer call() {
            DemoState state = DemoState.load(dir());
            String marker = state.dir().toString();
            DemoLaunch launch = new DemoLaunch(state);
            ObjectNode root = Json.object();
            root.put("dir", state.dir().toString());
            root.put("datapath", state.datapath());
            root.put("runtime", state.runtime());
            if (!state.namespaces().isEmpty()) {
                root.put("netPrefix", state.netPrefix());
                ArrayNode namespaces = root.putArray("namespaces");
                state.namespaces().forEach(namespaces::add);
            }
            ObjectNode clusters = root.putObject("clusters");
            boolean allRunning = true;
            for (DemoState.Cluster c : state.clusters().values()) {
                Path pki = state.dir().resolve("pki");
                String other = state.clusters().keySet().stream().filter(n -> !n.equals(c.name())).findFirst()
                        .orElse(c.name());
                ObjectNode o = clusters.putObject(c.name());
                o.put("id", c.id());
                ObjectNode proxy = o.putObject("proxy");
                proxy.put("endpoint", c.proxyEndpoint());
                proxy.put("ca", pki.resolve(MeshPki.CA_CERT).toString());
                proxy.put("cert", pki.resolve(other).resolve(MeshPki.certFile(MeshPki.remoteIdentity(other))).toString());
                proxy.put("key", pki.resolve(other).resolve(MeshPki.keyFile(MeshPki.remoteIdentity(other))).toString());
                proxy.put("identity", MeshPki.remoteIdentity(other));
                o.put("agent", c.agentAddress());
                o.put("dns", c.dnsAddress());
                o.put("etcd", "http://127.0.0.1:" + c.port(DemoLayout.ETCD));
                ObjectNode replicas = o.putObject("replicas");
                c.replicas().forEach(replicas::put);
                ObjectNode annotations = o.putObject("annotations");
                c.annotations().forEach(annotations::put);
                if (!state.namespaces().isEmpty()) {
                    ObjectNode pods = o.putObject("pods");
                    DemoExec.pods(state, c).forEach(pods::put);
                }
                ArrayNode procs = o.putArray("processes");
                for (DemoState.Proc p : c.processes()) {
                    boolean running = Processes.runs(p.pid(), marker);
                    allRunning &= running;
                    ObjectNode proc = procs.addObject().put("role", p.role()).put("pid", p.pid())
                            .put("running", running).put("log", p.log());
                    if (launch.podman() && DemoLaunch.IMAGES.containsKey(p.role())) {
                        proc.put("container", launch.name(c, p.role()));
                    }
                }
            }
            root.put("running", allRunning);
            if (output == OutputFormat.JSON) {
                System.out.println(Json.print(root));
            } else {
                System.out.println("Demo in " + state.dir() + " (datapath " + state.datapath() + ", runtime "
                        + state.runtime() + ")"
                        + (allRunning ? "" : " — some processes are not running"));
                clusters.fields().forEachRemaining(e -> {
                    ObjectNode o = (ObjectNode) e.getValue();
                    ObjectNode proxy = (ObjectNode) o.get("proxy");
                    System.out.println(e.getKey() + " (ID " + o.get("id").asInt() + ")");
                    System.out.println("  mesh-proxy  " + proxy.get("endpoint").asText() + "  (as "
                            + proxy.get("identity").asText() + ": --cacert " + proxy.get("ca").asText() + " --cert "
                            + proxy.get("cert").asText() + " --key " + proxy.get("key").asText() + ")");
                    System.out.println("  mesh-agent  " + o.get("agent").asText());
                    System.out.println("  mesh-dns    " + o.get("dns").asText());
                    System.out.println("  etcd        " + o.get("etcd").asText());
                    if (o.has("pods")) {
                        StringBuilder pods = new StringBuilder("  pods       ");
                        o.get("pods").fields().forEachRemaining(p -> pods.append(' ').append(p.getKey())
                                .append(" (netns ").append(p.getValue().asText()).append(')'));
                        System.out.println(pods);
                    }
                    StringBuilder procs = new StringBuilder("  processes  ");
                    o.get("processes").forEach(p -> procs.append(p.get("role").asText()).append(
                            p.get("running").asBoolean() ? " ✅ " : " ❌ ").append(" "));
                    System.out.println(procs.toString().stripTrailing());
                    System.out.println("  workload    rebel-base " + o.get("replicas").path(DemoLayout.SERVICE).asInt()
                            + " replicas, x-wing " + o.get("replicas").path(DemoLayout.CLIENT).asInt()
                            + (o.get("annotations").isEmpty() ? "" : ", annotations " + o.get("annotations")));
                });
            }
            return allRunning ? 0 : 1;
        }
    }

    @Command(name = "scale", mixinStandardHelpOptions = true,
            description = "Set a demo deployment's replicas (rebel-base's endpoints follow).")
    static final class Scale extends DemoSubcommand implements Runnable {
        @Parameters(index = "0", description = "cluster1, cluster2 (or cluster3)")
        String cluster;

        @Parameters(index = "1", description = "rebel-base or x-wing")
        String deployment;

        @Parameters(index = "2", description = "replicas, 0..20")
        int replicas;

        @Override
        public void run() {
            if (!DemoLayout.SERVICE.equals(deployment) && !DemoLayout.CLIENT.equals(deployment)) {
                throw new IllegalArgumentException("the demo has no deployment '" + deployment + "' (it has "
                        + DemoLayout.SERVICE + ", " + DemoLayout.CLIENT + ")");
            }
            if (replicas < 0 || replicas > DemoLayout.MAX_REPLICAS) {
                throw new IllegalArgumentException("replicas must be within 0..20, got " + replicas);
            }
            DemoState state = DemoState.load(dir());
            DemoNetwork.requireRootFor(state, "scaling (it makes pods)");
            DemoState.Cluster c = state.cluster(cluster);
            int before = c.replicas().getOrDefault(deployment, 0);
            c.replicas().put(deployment, replicas);
            state.save();
            DemoRunner runner = new DemoRunner(state, System.out);
            DemoManifests.write(runner.manifests(c), c.id(), c);
            if (runner.nftables()) {
                // Scaling down shrinks the EndpointSlice and drops the Pod manifests; the pods' namespaces beyond it
                // keep running, as terminated pods would until Kubernetes removes them, and come back on scale-up.
                runner.pods(c);
            }
            System.out.println("✅ " + cluster + "/" + deployment + " scaled from " + before + " to " + replicas
                    + "; see it with: meshctl service list --context " + cluster + " --clustermesh-affinity");
        }
    }

    @Command(name = "annotate", mixinStandardHelpOptions = true,
            description = "Set (key=value) or remove (key-) annotations of the demo's service, as kubectl annotate.")
    static final class Annotate extends DemoSubcommand implements Runnable {
        @Parameters(index = "0", description = "cluster1, cluster2 (or cluster3)")
        String cluster;

        @Parameters(index = "1", description = "the service: rebel-base")
        String service;

        @Parameters(index = "2..*", arity = "1..*", description = "key=value or key-")
        List<String> changes = new ArrayList<>();

        @Override
        public void run() {
            if (!DemoLayout.SERVICE.equals(service)) {
                throw new IllegalArgumentException("the demo has no service '" + service + "' (it has "
                        + DemoLayout.SERVICE + ")");
            }
            DemoState state = DemoState.load(dir());
            DemoState.Cluster c = state.cluster(cluster);
            Map<String, String> next = new TreeMap<>(c.annotations());
            for (String change : changes) {
                int eq = change.indexOf('=');
                String key = eq >= 0 ? change.substring(0, eq) : change.endsWith("-")
                        ? change.substring(0, change.length() - 1) : null;
                if (key == null || !ANNOTATION_KEY.matcher(key).matches()) {
                    throw new IllegalArgumentException("'" + change + "' is not key=value or key- with a valid "
                            + "annotation key (e.g. service.cilium.io/affinity=local)");
                }
                if (ServiceAnnotations.GLOBAL.equals(key)) {
                    throw new IllegalArgumentException("the demo keeps " + ServiceAnnotations.GLOBAL + "=true; it is "
                            + "what makes rebel-base a global service");
                }
                if (eq >= 0) {
                    next.put(key, change.substring(eq + 1));
                } else {
                    next.remove(key);
                }
            }
            Map<String, String> all = new TreeMap<>(next);
            all.put(ServiceAnnotations.GLOBAL, "true");
            for (AnnotationWarning w : ServiceAnnotations.parse(all).warnings()) {
                System.out.println("⚠️  " + w);
            }
            c.annotations().clear();
            c.annotations().putAll(next);
            state.save();
            DemoManifests.write(new DemoRunner(state, System.out).manifests(c), c.id(), c);
            System.out.println("✅ " + cluster + "/" + service + " annotations now: " + (next.isEmpty() ? "(only global)"
                    : next) + "; see it with: meshctl service list --context " + cluster + " --clustermesh-affinity");
        }
    }

    @Command(name = "env", mixinStandardHelpOptions = true,
            description = "Shell exports that point etcdctl at a cluster's mesh-proxy: eval \"$(meshctl demo env cluster1)\".")
    static final class Env extends DemoSubcommand implements Runnable {
        @Parameters(index = "0", description = "cluster1, cluster2 (or cluster3)")
        String cluster;

        @Option(names = "--as-remote", description = "Read as the other cluster's agents do (its remote-<cluster> "
                + "certificate): only the shared prefixes, and only while the access list lets that cluster in.")
        boolean asRemote;

        @Override
        public void run() {
            DemoState state = DemoState.load(dir());
            DemoState.Cluster c = state.cluster(cluster);
            String holder = asRemote ? state.clusters().keySet().stream().filter(n -> !n.equals(c.name())).findFirst()
                    .orElseThrow() : c.name();
            Path certs = state.dir().resolve("pki").resolve(holder);
            String identity = asRemote ? MeshPki.remoteIdentity(holder) : MeshPki.localIdentity(c.name());
            System.out.println("# etcdctl as " + identity + (asRemote ? " (reads the shared prefixes of " + c.name()
                    + " while its access list lets " + holder + " in)" : " (reads all of mesh/v1/ of " + c.name() + ")"));
            System.out.println("export ETCDCTL_API=3");
            System.out.println("export ETCDCTL_ENDPOINTS=" + c.proxyEndpoint());
            System.out.println("export ETCDCTL_CACERT=" + certs.resolve(MeshPki.CA_CERT));
            System.out.println("export ETCDCTL_CERT=" + certs.resolve(MeshPki.certFile(identity)));
            System.out.println("export ETCDCTL_KEY=" + certs.resolve(MeshPki.keyFile(identity)));
        }
    }
}
