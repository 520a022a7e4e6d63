package dev.clustermesh.meshctl.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clustermesh.meshctl.cli.MeshCtlException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The commands the demo runs its services with, in both runtimes, and the refusals of {@code --runtime}. */
class DemoLaunchTest {
    private final DemoState state = new DemoState(Path.of("/tmp/demo-launch-test"));
    private final DemoState.Cluster c1 = state.add("cluster1", 1);
    private final Map<String, String> settings = new LinkedHashMap<>(Map.of("mesh.cluster.name", "cluster1"));

    @Test
    void unknownRuntimeIsRefusedByName() {
        assertThatThrownBy(() -> DemoLaunch.runtime("docker")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--runtime must be process or podman, got 'docker'");
        assertThat(DemoLaunch.runtime("process")).isEqualTo(DemoLaunch.PROCESS);
    }

    @Test
    void podmanContainerCarriesTheSettingsTheProcessGetsAsProperties() {
        state.runtime(DemoLaunch.PODMAN);
        DemoLaunch launch = new DemoLaunch(state);
        List<String> cmd = launch.service(c1, "mesh-proxy", settings, "128m");
        String name = state.netPrefix() + "-cluster1-mesh-proxy";
        assertThat(cmd.get(0)).endsWith("podman");
        assertThat(cmd).containsSubsequence("run", "--rm", "--replace", "--name", name)
                .containsSubsequence("--label", DemoLaunch.LABEL + "=/tmp/demo-launch-test")
                .containsSubsequence("--network", "host")
                .containsSubsequence("-v", "/tmp/demo-launch-test:/tmp/demo-launch-test")
                .contains("-e", "JAVA_OPTS_APPEND=-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 "
                        + "-Dclustermesh.demo=/tmp/demo-launch-test -Dmesh.cluster.name=cluster1")
                .doesNotContain("--cap-add");
        assertThat(cmd.get(cmd.size() - 1)).isEqualTo("ghcr.io/clustermesh-j/mesh-proxy:0.1.0");
        // demo stop finds a demo's programs by the directory on their command line: the client's names it too.
        assertThat(String.join(" ", cmd)).contains("/tmp/demo-launch-test");
    }

    @Test
    void podmanAgentMayProgramItsNodeNamespace() {
        state.runtime(DemoLaunch.PODMAN);
        state.datapath(DemoRunner.NFTABLES);
        List<String> cmd = new DemoLaunch(state).service(c1, "mesh-agent", settings, "192m");
        assertThat(cmd).containsSubsequence("--cap-add", "NET_ADMIN").containsSubsequence("--cap-add", "SYS_ADMIN")
                .containsSubsequence("-v", "/run/netns:/run/netns:rslave");
    }

    @Test
    void podmanAgentOfTheMemoryDatapathGetsNoPrivilegeNorNetns() {
        state.runtime(DemoLaunch.PODMAN);
        state.datapath(DemoRunner.MEMORY);
        List<String> cmd = new DemoLaunch(state).service(c1, "mesh-agent", settings, "192m");
        assertThat(cmd).doesNotContain("--cap-add", "/run/netns:/run/netns:rslave");
    }

    @Test
    void podmanEtcdTakesItsFlagsAfterTheImage() {
        state.runtime(DemoLaunch.PODMAN);
        List<String> cmd = new DemoLaunch(state).etcd(c1, List.of("--name", "cluster1"));
        assertThat(cmd.subList(cmd.size() - 3, cmd.size()))
                .containsExactly("localhost/clustermesh-j/etcd:demo", "--name", "cluster1");
    }

    @Test
    void blanksInASettingAreRefusedForContainersRatherThanSplit() {
        state.runtime(DemoLaunch.PODMAN);
        settings.put("mesh.export.directory", "/tmp/my demo/manifests");
        assertThatThrownBy(() -> new DemoLaunch(state).service(c1, "mesh-dns", settings, "128m"))
                .isInstanceOf(MeshCtlException.class)
                .hasMessageContaining("'-Dmesh.export.directory=/tmp/my demo/manifests'")
                .hasMessageContaining("without them");
    }

    @Test
    void processRuntimeRunsThePackagedJarWithTheSameSettings() {
        List<String> cmd = new DemoLaunch(state).service(c1, "mesh-dns", settings, "128m");
        assertThat(cmd.get(0)).endsWith("java");
        assertThat(cmd).containsSubsequence("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dclustermesh.demo=/tmp/demo-launch-test", "-Dmesh.cluster.name=cluster1", "-jar");
        assertThat(cmd.get(cmd.size() - 1)).endsWith("mesh-dns/target/quarkus-app/quarkus-run.jar");
    }
}
