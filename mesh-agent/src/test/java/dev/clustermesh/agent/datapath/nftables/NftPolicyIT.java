package dev.clustermesh.agent.datapath.nftables;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.agent.datapath.NetworkNamespace;
import dev.clustermesh.agent.datapath.netlab.ClusterNetwork;
import dev.clustermesh.agent.datapath.netlab.NetnsLab;
import dev.clustermesh.agent.datapath.nftables.NftPolicy.Desired;
import dev.clustermesh.agent.datapath.nftables.PolicyCaseFiles.Compiled;
import dev.clustermesh.core.net.IpAddresses;
import dev.clustermesh.core.policy.Cidr;
import dev.clustermesh.core.policy.MeshEndpoints;
import dev.clustermesh.core.policy.PolicyCompiler;
import dev.clustermesh.core.policy.PolicyEndpoint;
import dev.clustermesh.core.policy.PolicyOptions;
import dev.clustermesh.core.policy.PolicyProgram;
import dev.clustermesh.core.policy.PolicySet;
import dev.clustermesh.core.policy.Protocol;
import dev.clustermesh.core.policy.cases.Expectation;
import dev.clustermesh.core.policy.cases.NetpolTopology;
import dev.clustermesh.core.policy.cases.PolicyCase;
import dev.clustermesh.core.policy.cases.Probe;
import dev.clustermesh.core.policy.cases.Target;
import dev.clustermesh.testing.Binaries;
import dev.clustermesh.testing.Command;
import dev.clustermesh.testing.Eventually;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The policy table on real nft and real packets. Every case file's program is accepted by nft (full sync, and
 * incremental from and back to nothing enforced). Then a few cases on packets: two nodes (one per cluster, each
 * with its own policy table) and the e2e pods x/y/z × a/b/c in each cluster as network namespaces, probed pair by
 * pair on 80/TCP and 80/UDP against the case's expected matrix.
 *
 * <p>The pods run no servers: a TCP probe got through when the SYN's reset came back ("connection refused"), a
 * UDP probe when the port-unreachable error came back (dig: "connection refused"); a dropped probe times out. Both
 * answers are replies of the probed connection, so this also shows replies pass. A pod's traffic to its own
 * address never leaves its namespace, so no datapath on the node can act on it: those pairs are not probed
 * (the Kubernetes e2e framework allows them too, "AllowLoopback").
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class NftPolicyIT {
    /**
     * Cases run on packets (all of them would take ten minutes): default deny, selectors within and across
     * clusters (default-local, the cluster label by In and Exists, namespace labels that differ per cluster),
     * both directions, Cilium deny rules, protocols.
     */
    private static final List<String> ON_PACKETS = List.of("deny-all-ingress/two-clusters",
            "allow-from-pod-in-namespace/two-clusters", "allow-from-pod-in-namespace/any-cluster",
            "pod-and-namespace/two-clusters", "egress-to-namespace/two-clusters", "ingress-and-egress/two-clusters",
            "protocols/udp-only", "cnp-from-endpoints/any-cluster", "cnp-deny-beats-allow/two-clusters",
            "cluster-label-match-labels/cluster-in", "cluster-label-match-labels/cluster-exists",
            "cluster-label-match-labels/namespace-labels-differ");
    private static final List<Probe> PROBES = List.of(new Probe(80, Protocol.TCP), new Probe(80, Protocol.UDP));

    private NetnsLab lab;
    private ClusterNetwork net;
    private final Map<String, String> podNamespaces = new HashMap<>();
    private final Map<Integer, NftFileRunner> nodes = new HashMap<>();
    private final Map<Integer, Desired> programmed = new HashMap<>();

    @BeforeAll
    void open() {
        lab = NetnsLab.open("cmt13p");
        Binaries.require("dig", "apt-get install -y bind9-dnsutils");
        net = ClusterNetwork.twoClusters(lab);
        for (int c = 1; c <= 2; c++) {
            nodes.put(c, new NftFileRunner(NetworkNamespace.named(net.node(c)), Duration.ofSeconds(60)));
            programmed.put(c, Desired.NOTHING);
            int other = 3 - c;
            NetnsLab.exec(net.node(c), "ip", "route", "add", "10." + other + ".0.0/16", "via",
                    ClusterNetwork.nodeIp(other), "dev", "ul0");
        }
        NetpolTopology topology = NetpolTopology.build(List.of("c1", "c2"), Map.of(), Map.of());
        for (PolicyEndpoint p : topology.pods()) {
            int c = p.cluster().equals("c1") ? 1 : 2;
            podNamespaces.put(p.ip().getHostAddress(), net.pod(c, p.namespace() + p.pod(), p.ip().getHostAddress()));
        }
    }

    @AfterAll
    void close() {
        nodes.values().forEach(NftFileRunner::close);
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void nftAcceptsEveryCaseFullAndIncremental() {
        NftFileRunner node = nodes.get(1);
        List<String> refused = new ArrayList<>();
        for (Compiled c : PolicyCaseFiles.all()) {
            Desired want = NftPolicy.render(c.program());
            try {
                node.apply(NftPolicyDiff.full(want));
                Desired none = NftPolicy.render(new dev.clustermesh.core.policy.PolicyProgram(c.cluster(), List.of(),
                        c.program().ipIdentities(), c.program().podCidrs()));
                node.apply(NftPolicyDiff.between(want, none));
                node.apply(NftPolicyDiff.between(none, want));
            } catch (RuntimeException e) {
                refused.add(c + ": " + e.getMessage());
            }
        }
        node.apply(NftPolicyDiff.full(Desired.NOTHING));
        assertThat(refused).as("cases nft refused").isEmpty();
    }

    @Test
    void packetsFollowTheExpectedMatrices() throws Exception {
        List<String> reports = new ArrayList<>();
        for (String name : ON_PACKETS) {
            PolicyCase c = PolicyCaseFiles.all().stream().map(Compiled::policyCase).filter(pc -> pc.name().equals(name))
                    .findFirst().orElseThrow(() -> new AssertionError("no case " + name + " in " + PolicyCaseFiles.DIR));
            for (Compiled compiled : PolicyCaseFiles.all()) {
                if (compiled.policyCase().name().equals(name)) {
                    int node = compiled.cluster().equals("c1") ? 1 : 2;
                    Desired want = NftPolicy.render(compiled.program());
                    nodes.get(node).apply(NftPolicyDiff.between(programmed.get(node), want));
                    programmed.put(node, want);
                }
            }
            reports.addAll(probe(c));
        }
        assertThat(reports).as("matrices that differ from the case files").isEmpty();
    }

    @Test
    void theDatapathCountsPacketsPerPolicyAndDirection() {
        String name = "allow-from-pod-in-namespace/two-clusters";
        Compiled compiled = PolicyCaseFiles.all().stream().filter(x -> x.policyCase().name().equals(name))
                .filter(x -> x.cluster().equals("c1")).findFirst().orElseThrow();
        PolicyCase c = compiled.policyCase();
        Expectation e = c.expectations().get(0);
        Probe tcp = new Probe(80, Protocol.TCP);
        assertThat(e.probes()).contains(tcp);
        dev.clustermesh.core.policy.EndpointProgram isolated = compiled.program().endpoints().stream()
                .filter(ep -> ep.ingress().enforced() && !ep.ingress().allows().isEmpty()).findFirst().orElseThrow();
        List<Target> pods = c.topology().targets().stream().filter(Target::isPod).toList();
        Target to = pods.stream().filter(t -> t.ip().equals(isolated.ip())).findFirst().orElseThrow();
        Target allowed = pods.stream().filter(t -> !t.equals(to) && e.allowed(t, to)).findFirst().orElseThrow();
        Target denied = pods.stream().filter(t -> !t.equals(to) && !e.allowed(t, to)).findFirst().orElseThrow();
        String policy = isolated.ingress().allows().get(0).rule().policy().toString();
        NftPolicyDatapath datapath = new NftPolicyDatapath(NetworkNamespace.named(net.node(1)));
        try {
            datapath.apply(compiled.program(), true);
            assertThat(datapath.counters()).noneMatch(k -> k.packets() > 0);
            assertThat(reached(allowed, to, tcp)).as("%s -> %s", allowed.name(), to.name()).isTrue();
            assertThat(reached(denied, to, tcp)).as("%s -> %s", denied.name(), to.name()).isFalse();
            List<dev.clustermesh.agent.policy.PolicyCounter> counted = datapath.counters();
            assertThat(counted).anySatisfy(k -> {
                assertThat(k.policy()).isEqualTo(policy);
                assertThat(k.direction()).isEqualTo("ingress");
                assertThat(k.verdict()).isEqualTo("allowed");
                assertThat(k.packets()).isPositive();
            });
            assertThat(counted).anySatisfy(k -> {
                assertThat(k.policy()).isEqualTo(dev.clustermesh.agent.policy.PolicyCounter.DEFAULT_DENY);
                assertThat(k.direction()).isEqualTo("ingress");
                assertThat(k.verdict()).isEqualTo("denied");
                assertThat(k.packets()).isPositive();
            });
        } finally {
            datapath.close();
            nodes.get(1).apply(NftPolicyDiff.full(Desired.NOTHING));
            programmed.put(1, Desired.NOTHING);
        }
    }

    @Test
    void strictModeCutsTheConnectionsANewPolicyDeniesAndKeepsTheOthers() {
        Binaries.require("conntrack", "apt-get install -y conntrack");
        Compiled compiled = PolicyCaseFiles.all().stream()
                .filter(x -> x.policyCase().name().equals("allow-from-pod-in-namespace/two-clusters"))
                .filter(x -> x.cluster().equals("c1")).findFirst().orElseThrow();
        PolicyCase c = compiled.policyCase();
        Expectation e = c.expectations().get(0);
        dev.clustermesh.core.policy.EndpointProgram isolated = compiled.program().endpoints().stream()
                .filter(ep -> ep.ingress().enforced() && !ep.ingress().allows().isEmpty()).findFirst().orElseThrow();
        List<Target> pods = c.topology().targets().stream().filter(Target::isPod).toList();
        Target to = pods.stream().filter(t -> t.ip().equals(isolated.ip())).findFirst().orElseThrow();
        // Every packet to a pod of cluster 1 crosses node 1's forward hook, where its connection is tracked.
        Target allowed = pods.stream().filter(t -> !t.equals(to) && e.allowed(t, to)).findFirst().orElseThrow();
        Target denied = pods.stream().filter(t -> !t.equals(to) && !e.allowed(t, to)).findFirst().orElseThrow();
        String node = net.node(1);
        NftPolicyDatapath datapath = new NftPolicyDatapath(NetworkNamespace.named(node));
        try {
            datapath.apply(new dev.clustermesh.core.policy.PolicyProgram("c1", List.of(),
                    compiled.program().ipIdentities(), compiled.program().podCidrs()), true);
            NetlabExec.conntrack(node, "-F");
            for (Target from : List.of(allowed, denied)) {
                // A UDP datagram tracked in the node while nothing is enforced: a connection of 30 s.
                NetlabExec.udp(podNamespaces.get(from.ip().getHostAddress()), to.ip().getHostAddress(), 80);
            }
            assertThat(NetlabExec.tracked(node, allowed, to)).isTrue();
            assertThat(NetlabExec.tracked(node, denied, to)).isTrue();

            datapath.apply(compiled.program(), false);
            assertThat(NetlabExec.tracked(node, denied, to)).as("not strict: established connections stay").isTrue();
            assertThat(datapath.cutDenied(compiled.program())).isPositive();
            assertThat(NetlabExec.tracked(node, denied, to)).as("%s -> %s cut", denied.name(), to.name()).isFalse();
            assertThat(NetlabExec.tracked(node, allowed, to)).as("%s -> %s kept", allowed.name(), to.name()).isTrue();
        } finally {
            datapath.close();
            nodes.get(1).apply(NftPolicyDiff.full(Desired.NOTHING));
            programmed.put(1, Desired.NOTHING);
        }
    }

    /**
     * Issue 13, IPv6: the program polices a dual-stack pod's IPv6 address as its IPv4 one. c1's x/a, isolated and
     * allowing TCP 80 from c2's x/b only (a cluster-labelled peer, plus an IPv6 ipBlock with an exception), is reached
     * over IPv6 by x/b and not by c2's x/c; over IPv4 the same. The remote pods' IPv6 addresses are peers of their
     * identities, set elements like their IPv4 ones, so a new IPv6 replica of x/b is allowed by elements alone.
     */
    @Test
    void ipv6AddressesArePolicedAsTheirPodsIpv4Ones() {
        NetpolTopology topology = NetpolTopology.build(List.of("c1", "c2"), Map.of(), Map.of());
        PolicyEndpoint a = pod(topology, "c1", "x", "a");
        PolicyEndpoint b = pod(topology, "c2", "x", "b");
        PolicyEndpoint c = pod(topology, "c2", "x", "c");
        net.ipv6();
        Map<PolicyEndpoint, String> v6 = Map.of(a, "fd00:10:1::a", b, "fd00:10:2::b", c, "fd00:10:2::c");
        List<PolicyEndpoint> mesh = new ArrayList<>(topology.pods());
        v6.forEach((p, ip) -> {
            int cluster = p.cluster().equals("c1") ? 1 : 2;
            net.podIpv6(cluster, p.namespace() + p.pod(), podNamespaces.get(p.ip().getHostAddress()), ip);
            mesh.add(twin(p, ip));
        });
        List<Cidr> podCidrs = new ArrayList<>(topology.podCidrs());
        podCidrs.add(Cidr.parse("fd00:10:1::/48").orElseThrow());
        podCidrs.add(Cidr.parse("fd00:10:2::/48").orElseThrow());
        Map<String, Object> policy = new org.yaml.snakeyaml.Yaml().load("""
                {apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: b-only, namespace: x},
                 spec: {podSelector: {matchLabels: {pod: a}}, policyTypes: [Ingress],
                        ingress: [{from: [{podSelector: {matchLabels: {pod: b, io.cilium.k8s.policy.cluster: c2}}},
                                          {ipBlock: {cidr: "fd00:99::/32", except: ["fd00:99:1::/48"]}}],
                                   ports: [{port: 80, protocol: TCP}]}]}}""");
        PolicyProgram program = PolicyCompiler.compile(PolicySet.parse("c1", List.of(policy)),
                new MeshEndpoints(mesh, podCidrs), PolicyOptions.DEFAULTS);
        NftPolicyDatapath datapath = new NftPolicyDatapath(NetworkNamespace.named(net.node(1)));
        try {
            datapath.apply(program, true);
            Eventually.await(Duration.ofSeconds(20), () -> assertThat(tcp(b, "fd00:10:1::a")).as("x/b -> x/a over IPv6")
                    .isTrue());
            assertThat(tcp(c, "fd00:10:1::a")).as("x/c -> x/a over IPv6").isFalse();
            assertThat(tcp(b, a.ip().getHostAddress())).as("x/b -> x/a over IPv4").isTrue();
            assertThat(tcp(c, a.ip().getHostAddress())).as("x/c -> x/a over IPv4").isFalse();
            String name = program.endpoint(a.ip()).orElseThrow().ingress().allows().get(0).rule().policy().toString();
            assertThat(datapath.counters()).anySatisfy(k -> {
                assertThat(k.policy()).isEqualTo(name);
                assertThat(k.verdict()).isEqualTo("allowed");
                assertThat(k.packets()).isPositive();
            });

            // x/c's IPv6 address turns into one of x/b's identity (a replica of x/b): elements only, then reached.
            InetAddress moved = IpAddresses.parse("fd00:10:2::c").orElseThrow();
            PolicyProgram replica = PolicyCompiler.compile(PolicySet.parse("c1", List.of(policy)),
                    new MeshEndpoints(replace(mesh, moved, b), podCidrs), PolicyOptions.DEFAULTS);
            datapath.applyAddresses(replica, Map.of(moved, c.identity()), Map.of(moved, b.identity()));
            assertThat(tcp(c, "fd00:10:1::a")).as("x/c's address, now x/b's identity").isTrue();
        } finally {
            datapath.close();
            nodes.get(1).apply(NftPolicyDiff.full(Desired.NOTHING));
            programmed.put(1, Desired.NOTHING);
        }
    }

    private static PolicyEndpoint pod(NetpolTopology topology, String cluster, String ns, String pod) {
        return topology.pods().stream().filter(p -> p.cluster().equals(cluster) && p.namespace().equals(ns)
                && p.pod().equals(pod)).findFirst().orElseThrow();
    }

    /** The same pod at another address (a dual-stack pod is one endpoint per address). */
    private static PolicyEndpoint twin(PolicyEndpoint p, String ip) {
        return new PolicyEndpoint(p.cluster(), p.namespace(), p.pod(), IpAddresses.parse(ip).orElseThrow(),
                p.labels(), p.namespaceLabels(), p.namedPorts(), p.identity());
    }

    /** {@code mesh} with the endpoint at {@code ip} replaced by a pod like {@code like} at that address. */
    private static List<PolicyEndpoint> replace(List<PolicyEndpoint> mesh, InetAddress ip, PolicyEndpoint like) {
        List<PolicyEndpoint> out = new ArrayList<>(mesh.stream().filter(e -> !e.ip().equals(ip)).toList());
        out.add(twin(like, IpAddresses.format(ip)));
        return out;
    }

    /** True when a TCP probe from {@code from}'s namespace to {@code ip} port 80 got an answer (a reset). */
    private boolean tcp(PolicyEndpoint from, String ip) {
        String ns = podNamespaces.get(from.ip().getHostAddress());
        String url = ip.indexOf(':') >= 0 ? "http://[" + ip + "]:80/" : "http://" + ip + ":80/";
        Command.Result r = NetnsLab.tryExec(ns, "curl", "-s", "-o", "/dev/null", "--connect-timeout", "1", url);
        if (r.exitCode() == 7) {
            return true;
        }
        if (r.exitCode() == 28) {
            return false;
        }
        throw new AssertionError("curl " + from.name() + " -> " + ip + " exited " + r.exitCode() + ": " + r.output());
    }

    private List<String> probe(PolicyCase c) throws Exception {
        List<Target> pods = c.topology().targets().stream().filter(Target::isPod).toList();
        List<String> reports = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(48);
        try {
            for (Expectation e : c.expectations()) {
                for (Probe probe : e.probes()) {
                    if (!PROBES.contains(probe)) {
                        continue;
                    }
                    Map<String, Future<Boolean>> seen = new HashMap<>();
                    for (Target from : pods) {
                        for (Target to : pods) {
                            if (from.equals(to)) {
                                continue;
                            }
                            seen.put(from.name() + " -> " + to.name(), pool.submit(() -> reached(from, to, probe)));
                        }
                    }
                    int wrong = 0;
                    StringBuilder why = new StringBuilder();
                    for (Target from : pods) {
                        for (Target to : pods) {
                            if (from.equals(to)) {
                                continue;
                            }
                            boolean expected = e.allowed(from, to);
                            boolean observed = seen.get(from.name() + " -> " + to.name()).get(2, TimeUnit.MINUTES);
                            if (expected != observed) {
                                wrong++;
                                why.append("\n  ").append(from.name()).append(" -> ").append(to.name())
                                        .append(expected ? " expected allowed, dropped" : " expected denied, got through");
                            }
                        }
                    }
                    if (wrong > 0) {
                        reports.add(c.name() + " " + probe + ": " + wrong + " pairs differ" + why);
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return reports;
    }

    private boolean reached(Target from, Target to, Probe probe) {
        String ns = podNamespaces.get(from.ip().getHostAddress());
        String ip = to.ip().getHostAddress();
        if (probe.protocol() == Protocol.TCP) {
            Command.Result r = NetnsLab.tryExec(ns, "curl", "-s", "-o", "/dev/null", "--connect-timeout", "1",
                    "http://" + ip + ":" + probe.port() + "/");
            if (r.exitCode() == 7) {
                return true;
            }
            if (r.exitCode() == 28) {
                return false;
            }
            throw new AssertionError("curl " + from.name() + " -> " + to.name() + " exited " + r.exitCode() + ": "
                    + r.output());
        }
        Command.Result r = NetnsLab.tryExec(ns, "dig", "+tries=1", "+time=1", "-p", Integer.toString(probe.port()),
                "@" + ip, "probe.example");
        if (r.output().contains("connection refused")) {
            return true;
        }
        if (r.output().contains("timed out")) {
            return false;
        }
        throw new AssertionError("dig " + from.name() + " -> " + to.name() + " said: " + r.output());
    }
}
