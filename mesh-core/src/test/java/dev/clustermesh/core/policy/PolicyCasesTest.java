package dev.clustermesh.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.core.policy.cases.NetpolTopology;
import dev.clustermesh.core.policy.cases.PolicyCase;
import dev.clustermesh.core.policy.cases.PolicyCases;
import dev.clustermesh.core.policy.cases.Probe;
import dev.clustermesh.core.policy.cases.Reachability;
import dev.clustermesh.core.policy.cases.Target;
import java.net.InetAddress;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every case file under {@code policy/cases}: the evaluator must give the expected e2e reachability matrix,
 * and the compiled program must agree with the evaluator on every pair, port and protocol.
 */
class PolicyCasesTest {

    static List<PolicyCase> cases() throws Exception {
        return PolicyCases.loadAll(casesDirectory());
    }

    static Path casesDirectory() throws URISyntaxException {
        return Path.of(PolicyCasesTest.class.getResource("/policy/cases").toURI());
    }

    @Test
    void enoughCasesAndVariants() throws Exception {
        List<PolicyCase> all = cases();
        long multiCluster = all.stream().filter(c -> c.clusters().size() > 1).count();
        assertThat(all.size() - multiCluster).as("single-cluster cases").isGreaterThanOrEqualTo(20);
        assertThat(multiCluster).as("multi-cluster variants").isGreaterThanOrEqualTo(20);
        assertThat(all.stream().map(PolicyCase::name).distinct().count()).as("unique names").isEqualTo(all.size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void evaluatorGivesTheExpectedMatrix(PolicyCase c) {
        List<PolicySet> sets = c.policySets();
        assertRefusals(c, sets);
        NetpolTopology topology = c.topology();
        PolicyEvaluator evaluator = new PolicyEvaluator(sets, topology.mesh(), c.options());
        List<String> reports = Reachability.check(c, topology,
                (from, to, probe) -> evaluator.check(from.ip(), to.ip(), probe.port(), probe.protocol()).allowed());
        assertThat(reports).as(() -> String.join("\n", reports)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void compiledProgramAgreesWithEvaluator(PolicyCase c) {
        List<PolicySet> sets = c.policySets();
        NetpolTopology topology = c.topology();
        PolicyEvaluator evaluator = new PolicyEvaluator(sets, topology.mesh(), c.options());
        Map<String, PolicyProgram> programs = new HashMap<>();
        sets.forEach(s -> programs.put(s.cluster(), PolicyCompiler.compile(s, topology.mesh(), c.options())));
        List<Probe> probes = new ArrayList<>(Probe.all());
        probes.add(new Probe(82, Protocol.TCP));
        List<String> differences = new ArrayList<>();
        for (Target from : topology.targets()) {
            for (Target to : topology.targets()) {
                for (Probe p : probes) {
                    boolean program = programAllows(programs, from, to, p);
                    Verdict v = evaluator.check(from.ip(), to.ip(), p.port(), p.protocol());
                    if (program != v.allowed()) {
                        differences.add(from.name() + " -> " + to.name() + " " + p + ": program " + program
                                + ", evaluator " + v.explain());
                    }
                }
            }
        }
        assertThat(differences).as(() -> String.join("\n", differences)).isEmpty();
    }

    /** What a datapath following the programs would do: egress in the source's cluster, ingress in the destination's. */
    static boolean programAllows(Map<String, PolicyProgram> programs, Target from, Target to, Probe p) {
        boolean egress = from.cluster().map(programs::get)
                .map(prog -> side(prog, from.ip(), to.ip(), Direction.EGRESS, p)).orElse(true);
        boolean ingress = to.cluster().map(programs::get)
                .map(prog -> side(prog, to.ip(), from.ip(), Direction.INGRESS, p)).orElse(true);
        return egress && ingress;
    }

    private static boolean side(PolicyProgram prog, InetAddress self, InetAddress peer, Direction d, Probe p) {
        EndpointProgram ep = prog.endpoint(self).orElseThrow();
        return ep.direction(d).decide(prog.identityOf(peer), peer, p.protocol(), p.port()).allowed();
    }

    private static void assertRefusals(PolicyCase c, List<PolicySet> sets) {
        List<String> refused = sets.stream().flatMap(s -> s.statuses().stream())
                .filter(s -> s.state() == PolicyStatus.State.REFUSED).map(s -> s.ref().toString()).distinct().toList();
        List<String> warnings = sets.stream().flatMap(s -> s.warnings().stream()).map(Object::toString).toList();
        assertThat(refused).as(() -> "refused policies; warnings: " + warnings)
                .containsExactlyInAnyOrderElementsOf(c.refused());
    }
}
