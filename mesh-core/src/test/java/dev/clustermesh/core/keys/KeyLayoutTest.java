package dev.clustermesh.core.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class KeyLayoutTest {

    record RoundTrip(MeshKey key, String text, boolean remote) {
    }

    static Stream<RoundTrip> roundTrips() {
        return Stream.of(
                new RoundTrip(new MeshKey.Config("cluster1"), "mesh/v1/config/cluster1", true),
                new RoundTrip(new MeshKey.Service("cluster1", "default", "rebel-base", true),
                        "mesh/v1/services/cluster1/default/rebel-base", true),
                new RoundTrip(new MeshKey.Service("cluster1", "kube-system", "dns", false),
                        "mesh/v1/local/services/cluster1/kube-system/dns", false),
                new RoundTrip(new MeshKey.Node("c2", "kind-worker2.example.com"), "mesh/v1/nodes/c2/kind-worker2.example.com", true),
                new RoundTrip(new MeshKey.Endpoint("c2", "10.20.1.7"), "mesh/v1/endpoints/c2/10.20.1.7", true),
                new RoundTrip(new MeshKey.Endpoint("c2", "fd00:20::7"), "mesh/v1/endpoints/c2/fd00:20::7", true),
                new RoundTrip(new MeshKey.Synced("c2", ResourceKind.ENDPOINTS), "mesh/v1/synced/c2/endpoints", true),
                new RoundTrip(new MeshKey.Identity("c2", 2 << 16 | 7), "mesh/v1/identities/c2/131079", true),
                new RoundTrip(new MeshKey.Identity("c2", 255 << 16 | 65535), "mesh/v1/identities/c2/16777215", true),
                new RoundTrip(new MeshKey.Synced("c2", ResourceKind.IDENTITIES), "mesh/v1/synced/c2/identities", true),
                new RoundTrip(new MeshKey.Synced("c2", ResourceKind.POLICIES), "mesh/v1/synced/c2/policies", true),
                new RoundTrip(new MeshKey.Policy("c2", PolicyKind.NETWORK_POLICY, "default", "allow.x-wing"),
                        "mesh/v1/local/policies/c2/networkpolicy/default/allow.x-wing", false),
                new RoundTrip(new MeshKey.Policy("c2", PolicyKind.CILIUM_NETWORK_POLICY, "default", "rebel"),
                        "mesh/v1/local/policies/c2/ciliumnetworkpolicy/default/rebel", false),
                new RoundTrip(new MeshKey.Import("c2", "shop", "web"), "mesh/v1/local/imports/c2/shop/web", false),
                new RoundTrip(new MeshKey.ExportStatus("c2", "shop", "web"), "mesh/v1/local/exports/c2/shop/web",
                        false),
                new RoundTrip(new MeshKey.Synced("c2", ResourceKind.MCS), "mesh/v1/synced/c2/mcs", true),
                new RoundTrip(new MeshKey.Heartbeat("c2"), "mesh/v1/heartbeat/c2", true));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("roundTrips")
    void buildsAndParsesEveryKind(RoundTrip c) {
        assertThat(c.key().key()).isEqualTo(c.text());
        assertThat(KeyLayout.parse(c.text())).isEqualTo(c.key());
        assertThat(c.key().remoteReadable()).isEqualTo(c.remote());
        assertThat(KeyLayout.REMOTE_READABLE.stream().anyMatch(c.text()::startsWith)).isEqualTo(c.remote());
    }

    record Bad(String key, String reason) {
    }

    static Stream<Bad> malformed() {
        return Stream.of(
                new Bad("other/v1/config/c1", "does not start with mesh/v1/"),
                new Bad("mesh/v2/config/c1", "does not start with mesh/v1/"),
                new Bad("mesh/v1/widgets/c1", "unknown kind 'widgets'"),
                new Bad("mesh/v1/config/", "cluster name must not be empty"),
                new Bad("mesh/v1/config/c1/extra", "expected 2 segments"),
                new Bad("mesh/v1/config/Cluster1", "not a lowercase DNS label"),
                new Bad("mesh/v1/services/c1/default", "a service key is <prefix>/<cluster>/<namespace>/<name>"),
                new Bad("mesh/v1/services/c1/default/rebel_base", "service name 'rebel_base' is not a DNS label"),
                new Bad("mesh/v1/services/c1/Default/x", "namespace 'Default' is not a DNS label"),
                new Bad("mesh/v1/local/nodes/c1/n1",
                        "only services, policies, imports and exports live under mesh/v1/local/"),
                new Bad("mesh/v1/local/imports/c1/shop", "an MCS key is mesh/v1/local/imports/<cluster>/"),
                new Bad("mesh/v1/local/exports/c1/shop/Web", "service name 'Web'"),
                new Bad("mesh/v1/local/policies/c1/networkpolicy/ns", "a policy key is"),
                new Bad("mesh/v1/local/policies/c1/clusterwide/ns/p", "unknown policy kind 'clusterwide'"),
                new Bad("mesh/v1/local/policies/c1/networkpolicy/ns/P_1", "policy name 'P_1' is not a DNS subdomain"),
                new Bad("mesh/v1/identities/c1", "expected 3 segments"),
                new Bad("mesh/v1/identities/c1/065537", "is not a decimal number"),
                new Bad("mesh/v1/identities/c1/-1", "is not a decimal number"),
                new Bad("mesh/v1/identities/c1/65535", "cluster ID of 1..255"),
                new Bad("mesh/v1/identities/c1/65536", "local number of 1..65535"),
                new Bad("mesh/v1/identities/c1/4294967296", "is not clusterId << 16 | local"),
                new Bad("mesh/v1/local/services/c1/ns", "a service key is"),
                new Bad("mesh/v1/nodes/c1/Node_1", "node name 'Node_1' is not a DNS subdomain"),
                new Bad("mesh/v1/endpoints/c1/not-an-ip", "endpoint IP 'not-an-ip' is not an IPv4 or IPv6 literal"),
                new Bad("mesh/v1/endpoints/c1/10.0.0.256", "is not an IPv4 or IPv6 literal"),
                new Bad("mesh/v1/endpoints/c1/10.0.0.1/32", "an endpoint key is"),
                new Bad("mesh/v1/synced/c1/pods", "unknown sync canary kind 'pods'"),
                new Bad("mesh/v1/heartbeat/c1/x", "expected 2 segments"),
                new Bad(null, "does not start with mesh/v1/"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void rejectsMalformedKeysWithAReason(Bad c) {
        assertThatThrownBy(() -> KeyLayout.parse(c.key()))
                .isInstanceOf(MalformedKeyException.class)
                .hasMessageStartingWith("malformed key '" + c.key() + "'")
                .hasMessageContaining(c.reason());
    }

    @Test
    void prefixesScopeOneClusterAndKind() {
        assertThat(KeyLayout.prefix(ResourceKind.SERVICES, "c1")).isEqualTo("mesh/v1/services/c1/");
        assertThat(KeyLayout.prefix(ResourceKind.NODES, "c1")).isEqualTo("mesh/v1/nodes/c1/");
        assertThat(KeyLayout.prefix(ResourceKind.ENDPOINTS, "c1")).isEqualTo("mesh/v1/endpoints/c1/");
        assertThat(KeyLayout.prefix(ResourceKind.IDENTITIES, "c1")).isEqualTo("mesh/v1/identities/c1/");
        assertThat(KeyLayout.prefix(ResourceKind.POLICIES, "c1")).isEqualTo("mesh/v1/local/policies/c1/");
        assertThat(KeyLayout.localServicesPrefix("c1")).isEqualTo("mesh/v1/local/services/c1/");
        assertThat(KeyLayout.REMOTE_READABLE).noneMatch(p -> p.startsWith(KeyLayout.LOCAL));
        assertThatThrownBy(() -> KeyLayout.prefix(ResourceKind.NODES, "C1")).hasMessageContaining("'C1'");
    }
}
