package dev.clustermesh.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DatapathSettingsTest {

    record Config(String mode, Optional<String> netns, String routingMode, String device, int vni, int port,
            Optional<String> localIp, int mtu) implements AgentConfig.Datapath {
        static Config of(String mode, String routing) {
            return new Config(mode, Optional.empty(), routing, "cmesh_vxlan", 2, 8472, Optional.empty(), 1450);
        }

        Config netns(String n) {
            return new Config(mode, Optional.of(n), routingMode, device, vni, port, localIp, mtu);
        }

        Config tunnel(String dev, int v, int p, String ip, int m) {
            return new Config(mode, netns, routingMode, dev, v, p, Optional.ofNullable(ip), m);
        }

        @Override
        public AgentConfig.Routing routing() {
            Config c = this;
            return new AgentConfig.Routing() {
                @Override
                public String mode() {
                    return c.routingMode;
                }

                @Override
                public AgentConfig.Tunnel tunnel() {
                    return new AgentConfig.Tunnel() {
                        @Override
                        public String device() {
                            return c.device;
                        }

                        @Override
                        public int vni() {
                            return c.vni;
                        }

                        @Override
                        public int port() {
                            return c.port;
                        }

                        @Override
                        public Optional<String> localIp() {
                            return c.localIp;
                        }

                        @Override
                        public int mtu() {
                            return c.mtu;
                        }
                    };
                }
            };
        }
    }

    record Case(String name, Config config, String expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("defaults", Config.of("memory", "native"), "memory host netns native"),
                new Case("nftables in a named namespace", Config.of(" NFTables ", "none").netns("cmx-n1"),
                        "nftables netns cmx-n1 none"),
                new Case("tunnel", Config.of("nftables", "tunnel").tunnel("vx0", 7, 4789, "192.168.1.2", 1400),
                        "nftables host netns tunnel vx0/7/4789/192.168.1.2/1400"),
                new Case("bad mode", Config.of("ebpf", "native"),
                        "mesh.datapath.mode: 'ebpf' is not one of memory, nftables"),
                new Case("bad namespace", Config.of("nftables", "native").netns("../etc"),
                        "mesh.datapath.netns: '../etc' is not a network namespace name"),
                new Case("bad routing mode", Config.of("nftables", "bgp"),
                        "mesh.datapath.routing.mode: 'bgp' is not one of native, tunnel, none"),
                new Case("tunnel without local address", Config.of("nftables", "tunnel"),
                        "mesh.datapath.routing.tunnel.local-ip: required in tunnel mode"),
                new Case("every bad tunnel value is named",
                        Config.of("nftables", "tunnel").tunnel("a-very-long-device-name", 0, 70000, "node-1", 100),
                        "mesh.datapath.routing.tunnel.device: 'a-very-long-device-name' is not a device name"
                                + " (at most 15 characters);"
                                + " mesh.datapath.routing.tunnel.vni: 0 is outside 1..16777215;"
                                + " mesh.datapath.routing.tunnel.port: 70000 is outside 1..65535;"
                                + " mesh.datapath.routing.tunnel.mtu: 100 is outside 576..65535;"
                                + " mesh.datapath.routing.tunnel.local-ip: 'node-1' is not an IP address"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void validatesIntoARecordOrNamesTheProperty(Case c) {
        if (c.expected().startsWith("mesh.")) {
            assertThatThrownBy(() -> DatapathSettings.from(c.config())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(c.expected());
            return;
        }
        DatapathSettings s = DatapathSettings.from(c.config());
        assertThat(s.mode().configName() + " " + s.netns() + " " + s.routing().mode().configName() + s.routing().tunnel()
                .map(t -> " " + t.device() + "/" + t.vni() + "/" + t.port() + "/" + t.localIp() + "/" + t.mtu())
                .orElse("")).isEqualTo(c.expected());
    }
}
