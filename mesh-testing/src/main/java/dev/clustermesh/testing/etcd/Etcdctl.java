package dev.clustermesh.testing.etcd;

import dev.clustermesh.testing.Binaries;
import dev.clustermesh.testing.Command;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The real {@code etcdctl} (v3 API) pointed at one endpoint, optionally with TLS flags.
 *
 * @param endpoint the client URL
 * @param flags extra global flags, e.g. {@code --cacert=...}
 */
public record Etcdctl(String endpoint, List<String> flags) {

    /** etcdctl without extra flags. */
    public Etcdctl(String endpoint) {
        this(endpoint, List.of());
    }

    /** etcdctl with mutual TLS. */
    public static Etcdctl tls(String endpoint, java.nio.file.Path ca, java.nio.file.Path cert, java.nio.file.Path key) {
        return new Etcdctl(endpoint, List.of("--cacert=" + ca, "--cert=" + cert, "--key=" + key));
    }

    /** The command line for {@code args}, for callers that start etcdctl as a long-running process. */
    public List<String> command(String... args) {
        List<String> command = new ArrayList<>(List.of(
                Binaries.require("etcdctl", EtcdProcess.INSTALL_COMMAND).toString(),
                "--endpoints=" + endpoint, "--dial-timeout=2s", "--command-timeout=5s"));
        command.addAll(flags);
        command.addAll(List.of(args));
        return command;
    }

    /** Runs etcdctl to completion (20 s at most) and returns its exit code and output. */
    public Command.Result run(String... args) {
        return Command.run(Duration.ofSeconds(20), Map.of("ETCDCTL_API", "3"), command(args));
    }

    /** Value of {@code key}, or fails with etcdctl's output. */
    public String get(String key) {
        Command.Result result = run("get", key, "--print-value-only");
        if (result.exitCode() != 0) {
            throw new AssertionError("etcdctl get " + key + " failed: " + result.output());
        }
        return result.output().strip();
    }

    /** Puts {@code key}, or fails with etcdctl's output. */
    public void put(String key, String value) {
        Command.Result result = run("put", key, value);
        if (result.exitCode() != 0 || !result.output().strip().equals("OK")) {
            throw new AssertionError("etcdctl put " + key + " failed: " + result.output());
        }
    }
}
