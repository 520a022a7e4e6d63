package dev.clustermesh.testing.etcd;

import dev.clustermesh.testing.Binaries;
import dev.clustermesh.testing.Command;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The real {@code etcdctl} (v3 API) pointed at one endpoint, optionally with TLS flags. */
record Etcdctl(String endpoint, List<String> flags) {

    Etcdctl(String endpoint) {
        this(endpoint, List.of());
    }

    Command.Result run(String... args) {
        List<String> command = new ArrayList<>(List.of(
                Binaries.require("etcdctl", EtcdProcess.INSTALL_COMMAND).toString(),
                "--endpoints=" + endpoint, "--dial-timeout=2s", "--command-timeout=5s"));
        command.addAll(flags);
        command.addAll(List.of(args));
        return Command.run(Duration.ofSeconds(20), Map.of("ETCDCTL_API", "3"), command);
    }

    /** Value of {@code key}, or fails with etcdctl's output. */
    String get(String key) {
        Command.Result result = run("get", key, "--print-value-only");
        if (result.exitCode() != 0) {
            throw new AssertionError("etcdctl get " + key + " failed: " + result.output());
        }
        return result.output().strip();
    }

    void put(String key, String value) {
        Command.Result result = run("put", key, value);
        if (result.exitCode() != 0 || !result.output().strip().equals("OK")) {
            throw new AssertionError("etcdctl put " + key + " failed: " + result.output());
        }
    }
}
