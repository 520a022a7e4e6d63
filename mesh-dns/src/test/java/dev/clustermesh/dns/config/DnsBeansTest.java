package dev.clustermesh.dns.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clustermesh.dns.mesh.DnsSettings;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Configuration validation through the real SmallRye config mapping: every bad value names its property. */
class DnsBeansTest {
    @TempDir
    static Path dir;

    record Case(String property, String value, String message) {
        @Override
        public String toString() {
            return property + "=" + value;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("mesh.cluster.name", "Cluster_1", "mesh.cluster.name: "),
                new Case("mesh.clusters.dir", "/nonexistent/clusters", "mesh.clusters.dir: '/nonexistent/clusters' is not a directory"),
                new Case("mesh.clusters.ttl", "-1s", "mesh.clusters.ttl: "),
                new Case("mesh.dns.zone", "cluster set.local", "mesh.dns.zone: 'cluster set.local' is not a DNS name"),
                new Case("mesh.dns.ttl", "1500ms", "mesh.dns.ttl: PT1.5S is not a whole number of seconds"),
                new Case("mesh.dns.host", "dns.example", "mesh.dns.host: 'dns.example' is not an IP address"),
                new Case("mesh.dns.port", "70000", "mesh.dns.port: 70000 is outside 0..65535"),
                new Case("mesh.dns.udp-sockets", "0", "mesh.dns.udp-sockets: 0 is outside 1..64"),
                new Case("mesh.dns.udp-payload-max", "100", "mesh.dns.udp-payload-max: 100 is outside 512..65535"),
                new Case("mesh.dns.tcp-idle-timeout", "0s", "mesh.dns.tcp-idle-timeout: PT0S must be positive"),
                new Case("mesh.dns.tcp-max-connections", "0", "mesh.dns.tcp-max-connections: 0 must be positive"),
                new Case("mesh.dns.nameserver", "ns..local", "mesh.dns.nameserver: 'ns..local' is not a DNS name"),
                new Case("mesh.dns.nameserver-addresses", "10.0.0.1,ns1", "mesh.dns.nameserver-addresses: 'ns1' is not"),
                new Case("mesh.dns.min-rebuild-interval", "-1s", "mesh.dns.min-rebuild-interval: "));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aBadValueStopsStartUpNamingItsProperty(Case c) {
        Map<String, String> props = valid();
        props.put(c.property(), c.value());
        assertThatThrownBy(() -> new DnsBeans().settings(config(props)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid mesh-dns configuration: ")
                .hasMessageContaining(c.message());
    }

    @Test
    void defaults() {
        DnsSettings s = new DnsBeans().settings(config(valid()));
        assertThat(s.zone().apex()).isEqualTo("clusterset.local");
        assertThat(s.zone().ttl()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.zone().nameserver()).isEqualTo("ns.dns.clusterset.local");
        assertThat(s.zone().localCluster()).isEqualTo("cluster1");
        assertThat(s.server().port()).isEqualTo(53);
        assertThat(s.server().udpPayloadMax()).isEqualTo(1232);
        assertThat(s.remote().ttl()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void aTrailingDotAndCaseInTheZoneAreAccepted() {
        Map<String, String> props = valid();
        props.put("mesh.dns.zone", "ClusterSet.Example.");
        props.put("mesh.dns.nameserver-addresses", "10.96.0.53");
        DnsSettings s = new DnsBeans().settings(config(props));
        assertThat(s.zone().apex()).isEqualTo("clusterset.example");
        assertThat(s.zone().nameserverAddresses()).hasSize(1);
    }

    @Test
    void theInZoneNameserverGetsAnAddressUnlessOneIsSet() {
        Map<String, String> props = valid();
        props.put("mesh.dns.host", "127.0.0.1");
        assertThat(new DnsBeans().settings(config(props)).zone().nameserverAddresses())
                .containsExactly(InetAddress.getLoopbackAddress());
        // Listening on every address: the interfaces' addresses, as CoreDNS finds its own; never none.
        assertThat(new DnsBeans().settings(config(valid())).zone().nameserverAddresses()).isNotEmpty();
        props.put("mesh.dns.nameserver", "ns1.example.org");
        assertThat(new DnsBeans().settings(config(props)).zone().nameserverAddresses()).isEmpty();
    }

    private static Map<String, String> valid() {
        Map<String, String> m = new HashMap<>();
        m.put("mesh.cluster.name", "cluster1");
        m.put("mesh.clusters.dir", dir.toString());
        return m;
    }

    private static DnsConfig config(Map<String, String> props) {
        // Quarkus's converter: "5s", "100ms" as in application.properties.
        SmallRyeConfig c = new SmallRyeConfigBuilder().withMapping(DnsConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withSources(new PropertiesConfigSource(props, "test", 500)).build();
        return c.getConfigMapping(DnsConfig.class);
    }
}
