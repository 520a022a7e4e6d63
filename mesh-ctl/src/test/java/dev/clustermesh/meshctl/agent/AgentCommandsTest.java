package dev.clustermesh.meshctl.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.testing.FreePorts;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What a user sees when the agent cannot be asked; answers from real agents are in DemoIT. */
@QuarkusMainTest
@Timeout(120)
class AgentCommandsTest {
    @TempDir
    Path dir;

    @Test
    void anUnreachableAgentIsOneLineAndExitOne(QuarkusMainLauncher meshctl) {
        int port = FreePorts.next();
        for (String[] args : new String[][] {{"status", "--agent", "127.0.0.1:" + port},
            {"service", "list", "--agent", "127.0.0.1:" + port}, {"status", "--agent", "127.0.0.1:" + port, "-o", "json"}}) {
            LaunchResult r = meshctl.launch(args);
            assertThat(r.exitCode()).as(String.join(" ", args)).isEqualTo(1);
            assertThat(r.getErrorOutput().strip()).doesNotContain("\n")
                    .startsWith("Error: cannot reach the agent at 127.0.0.1:" + port + " (")
                    .contains("is mesh-agent running there?");
            assertThat(r.getOutput()).isEmpty();
        }
    }

    @Test
    void waitingForAnAgentThatNeverComesTimesOutWithProgress(QuarkusMainLauncher meshctl) {
        int port = FreePorts.next();
        LaunchResult r = meshctl.launch("status", "--wait", "--timeout", "2s", "--agent", "127.0.0.1:" + port);
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.getErrorOutput()).contains("⌛ Waiting (").contains("Error: not ready after 2.0s: cannot reach");
    }

    @Test
    void badAddressesAndFlagsAreNamed(QuarkusMainLauncher meshctl) {
        LaunchResult noPort = meshctl.launch("status", "--agent", "localhost");
        assertThat(noPort.exitCode()).isEqualTo(1);
        assertThat(noPort.getErrorOutput().strip())
                .isEqualTo("Error: --agent 'localhost' is not host:port (e.g. 127.0.0.1:9876)");

        LaunchResult both = meshctl.launch("status", "--agent", "127.0.0.1:1", "--context", "cluster1");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.getErrorOutput().strip()).isEqualTo("Error: give --agent or --context, not both");

        LaunchResult format = meshctl.launch("service", "list", "-o", "yaml");
        assertThat(format.exitCode()).isEqualTo(2);
        assertThat(format.getErrorOutput().strip()).doesNotContain("\n").contains("'yaml'")
                .endsWith("(see 'meshctl service list --help')");

        LaunchResult timeout = meshctl.launch("status", "--wait", "--timeout", "soon");
        assertThat(timeout.exitCode()).isEqualTo(2);
        assertThat(timeout.getErrorOutput()).contains("'soon' is not a duration");

        LaunchResult noDemo = meshctl.launch("status", "--context", "cluster1", "--demo-dir", dir.toString());
        assertThat(noDemo.exitCode()).isEqualTo(1);
        assertThat(noDemo.getErrorOutput().strip()).isEqualTo("Error: no demo in " + dir
                + " (no demo.json); start one with 'meshctl demo up --dir " + dir + "'");
    }
}
