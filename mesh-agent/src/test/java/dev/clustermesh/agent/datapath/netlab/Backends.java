package dev.clustermesh.agent.datapath.netlab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.testing.Command;
import dev.clustermesh.testing.Eventually;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Starts {@link RebelBase} servers in pods and sends requests the way the seed's x-wing does. */
public final class Backends {
    private Backends() {
    }

    /** Starts a rebel-base answering {@code cluster} on {@code ip} in pod {@code ns}; logs under {@code dir}. */
    public static void start(NetnsLab lab, String ns, String ip, String cluster, Path dir) {
        String java = ProcessHandle.current().info().command().orElse("java");
        String classes;
        try {
            classes = Path.of(RebelBase.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        lab.spawn(ns, dir.resolve(ns + ".log"), java, "-Xmx24m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", classes, RebelBase.class.getName(), ip, cluster);
    }

    /** Waits until {@code ip} answers HTTP from pod {@code from}. */
    public static void awaitUp(String from, String ip) {
        Eventually.await(Duration.ofSeconds(30), () -> assertThat(get(from, ip).exitCode()).isZero());
    }

    /** One HTTP GET from pod {@code from}; exit code as curl's (7: refused, 28: timed out). */
    public static Command.Result get(String from, String ip) {
        return NetnsLab.tryExec(from, "curl", "-sS", "--max-time", "2", "http://" + ip + "/");
    }

    /** The answers (cluster names) of {@code n} requests from {@code from} to {@code ip}; failures fail the test. */
    public static List<String> answers(String from, String ip, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Command.Result r = get(from, ip);
            assertThat(r.exitCode()).as("request %d from %s to %s: %s", i + 1, from, ip, r.output()).isZero();
            out.add(r.output().strip());
        }
        return out;
    }

    /**
     * One UDP datagram to {@code ip:port} from {@code from} and the answer, with bash's /dev/udp (no extra tool).
     * {@code head} rather than bash's {@code read}: read takes one byte per call, which discards the rest of a
     * datagram.
     */
    public static Command.Result udp(String from, String ip, int port) {
        return NetnsLab.tryExec(from, "bash", "-c", "exec 3<>/dev/udp/" + ip + "/" + port
                + "; echo ping >&3; timeout 2 head -n 1 <&3");
    }
}
