package dev.clustermesh.meshctl.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code meshctl policy list}, {@code endpoint list} and {@code policy explain} against a {@link FakeAgent}: the
 * tables, the JSON, ALLOWED/DENIED with the deciding policy, the agent's errors and bad flags (exit 2, named).
 */
@QuarkusMainTest
@Timeout(120)
class PolicyCommandsTest {
    private static FakeAgent agent;

    @BeforeAll
    static void start() {
        agent = new FakeAgent();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        agent.close();
    }

    @Test
    void policyListIsATableWithEveryWarningAndWhatWasLeftOut(QuarkusMainLauncher meshctl) {
        LaunchResult r = meshctl.launch("policy", "list", "--agent", agent.address());
        assertThat(r.exitCode()).as(r.getErrorOutput()).isZero();
        assertThat(r.getOutput()).isEqualTo("""
                Cluster cluster1: 1 applied, 1 refused
                NAMESPACE   NAME           KIND                  STATE     WARNINGS
                shop        allow-client   NetworkPolicy         applied
                shop        l7             CiliumNetworkPolicy   refused   spec.ingress[0].toPorts[0].rules: L7 rules are not supported
                                                                           spec.ingress[0].toPorts[0].ports[0].port: 'http' is not a port
                Left out: policy cluster1/networkpolicy/shop/broken: not a JSON object; left out""");
    }

    @Test
    void policyListAsJsonHasEveryField(QuarkusMainLauncher meshctl) throws Exception {
        LaunchResult r = meshctl.launch("policy", "list", "--agent", agent.address(), "-o", "json");
        assertThat(r.exitCode()).as(r.getErrorOutput()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.getOutput());
        assertThat(json.at("/cluster").asText()).isEqualTo("cluster1");
        assertThat(json.at("/policies/1/kind").asText()).isEqualTo("CiliumNetworkPolicy");
        assertThat(json.at("/policies/1/state").asText()).isEqualTo("refused");
        assertThat(json.at("/policies/1/warnings/0/path").asText()).isEqualTo("spec.ingress[0].toPorts[0].rules");
        assertThat(json.at("/policies/1/warnings/0/reason").asText()).isEqualTo("L7 rules are not supported");
        assertThat(json.at("/policies/0/warnings").isArray()).isTrue();
    }

    @Test
    void endpointListIsATableLikeCiliums(QuarkusMainLauncher meshctl) throws Exception {
        LaunchResult r = meshctl.launch("endpoint", "list", "--agent", agent.address());
        assertThat(r.exitCode()).as(r.getErrorOutput()).isZero();
        assertThat(r.getOutput()).isEqualTo("""
                NAMESPACE   POD      IP          IDENTITY   POLICY (ingress)   POLICY (egress)   ENTRIES in/out (allow/deny)   LABELS
                shop        client   10.10.2.2   65793      Disabled           Disabled          0/0 0/0                       app=client
                shop        web      10.10.2.1   65792      Enabled            Disabled          1/0 0/0                       app=web,tier=front""");

        LaunchResult json = meshctl.launch("endpoint", "list", "--agent", agent.address(), "-o", "json");
        assertThat(json.exitCode()).isZero();
        JsonNode web = new ObjectMapper().readTree(json.getOutput()).at("/endpoints/1");
        assertThat(web.at("/pod").asText()).isEqualTo("web");
        assertThat(web.at("/ingressEnforced").asBoolean()).isTrue();
        assertThat(web.at("/egressEnforced").asBoolean()).isFalse();
        assertThat(web.at("/ingressAllows").asInt()).isEqualTo(1);
        assertThat(web.at("/labels/tier").asText()).isEqualTo("front");
    }

    @Test
    void explainSaysAllowedOrDeniedAndNamesThePolicy(QuarkusMainLauncher meshctl) throws Exception {
        LaunchResult allowed = explain(meshctl, "cluster1/shop/client", "cluster1/shop/web", "80/TCP");
        assertThat(allowed.exitCode()).as(allowed.getErrorOutput()).isZero();
        assertThat(allowed.getOutput()).isEqualTo("""
                ALLOWED: cluster1/shop/client (10.10.2.2) -> cluster1/shop/web (10.10.2.1) 80/TCP
                  egress:  no policy isolates cluster1/shop/client for egress: allowed
                  ingress: allowed by NetworkPolicy shop/allow-client ingress[0]""");

        LaunchResult denied = explain(meshctl, "cluster1/shop/other", "cluster1/shop/web", "80");
        assertThat(denied.exitCode()).isZero();
        assertThat(denied.getOutput()).startsWith("DENIED: cluster1/shop/other").contains("80/TCP")
                .contains("  ingress: default deny: cluster1/shop/web is selected for ingress by "
                        + "[NetworkPolicy shop/allow-client]");

        LaunchResult remote = explain(meshctl, "cluster1/shop/client", "cluster2/shop/web", "8080/udp");
        assertThat(remote.getOutput()).startsWith("ALLOWED by cluster1's policies (ingress at cluster2 is not known "
                + "here): cluster1/shop/client").contains("  ingress: NOT KNOWN HERE: ingress at "
                + "cluster2/shop/web is decided by cluster2's own policies");
        assertThat(agent.lastExplain.get().getPort()).isEqualTo(8080);
        assertThat(agent.lastExplain.get().getProtocol()).isEqualTo("UDP");

        LaunchResult json = meshctl.launch("policy", "explain", "--agent", agent.address(), "--from",
                "cluster1/shop/client", "--to", "cluster1/shop/web", "--port", "80/TCP", "-o", "json");
        JsonNode tree = new ObjectMapper().readTree(json.getOutput());
        assertThat(tree.at("/allowed").asBoolean()).isTrue();
        assertThat(tree.at("/ingress/policyName").asText()).isEqualTo("allow-client");
        assertThat(tree.at("/ingress/rule").asText()).isEqualTo("ingress[0]");
    }

    @Test
    void anUnknownPodIsTheAgentsAnswerInOneLine(QuarkusMainLauncher meshctl) {
        LaunchResult r = explain(meshctl, "cluster1/shop/client", "cluster1/shop/nobody", "80/TCP");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.getErrorOutput().strip()).isEqualTo("Error: the agent at " + agent.address() + " answered: pod "
                + "cluster1/shop/nobody is not known to policy: cluster cluster1 exports no endpoint for it");
        assertThat(r.getOutput()).isEmpty();
    }

    @Test
    void badFlagsAreUsageErrorsNamingTheValue(QuarkusMainLauncher meshctl) {
        record Bad(String from, String to, String port, String message) {
        }
        for (Bad bad : new Bad[] {
            new Bad("cluster1/shop/client", "cluster1/shop/web", "80/XYZ",
                    "Error: --port '80/XYZ': protocol 'XYZ' is not TCP, UDP or SCTP"),
            new Bad("cluster1/shop/client", "cluster1/shop/web", "abc",
                    "Error: --port 'abc' is not <port>[/<protocol>] (e.g. 80/TCP)"),
            new Bad("cluster1/shop/client", "cluster1/shop/web", "70000/TCP",
                    "Error: --port '70000/TCP': port 70000 is not in 1-65535"),
            new Bad("shop/client", "cluster1/shop/web", "80/TCP",
                    "Error: --from 'shop/client' is not <cluster>/<namespace>/<pod> (e.g. cluster1/default/x-wing)"),
            new Bad("cluster1/shop/client", "cluster1//web", "80/TCP",
                    "Error: --to 'cluster1//web' is not <cluster>/<namespace>/<pod> (e.g. cluster1/default/x-wing)")}) {
            LaunchResult r = explain(meshctl, bad.from(), bad.to(), bad.port());
            assertThat(r.exitCode()).as(bad.toString()).isEqualTo(2);
            assertThat(r.getErrorOutput().strip()).isEqualTo(bad.message());
            assertThat(r.getOutput()).isEmpty();
        }
        LaunchResult missing = meshctl.launch("policy", "explain", "--agent", agent.address(), "--from", "a/b/c");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.getErrorOutput()).contains("Missing required options").contains("--to")
                .contains("(see 'meshctl policy explain --help')");
    }

    private static LaunchResult explain(QuarkusMainLauncher meshctl, String from, String to, String port) {
        return meshctl.launch("policy", "explain", "--agent", agent.address(), "--from", from, "--to", to, "--port",
                port);
    }
}
