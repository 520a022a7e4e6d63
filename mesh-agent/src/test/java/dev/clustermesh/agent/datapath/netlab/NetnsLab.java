package dev.clustermesh.agent.datapath.netlab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.testing.Binaries;
import dev.clustermesh.testing.Command;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Network namespaces for one test run, all named {@code PREFIX-PID-suffix}. Closing removes every namespace
 * (and with it every link and VXLAN device in it) and every process it started; opening first removes what
 * earlier runs with the same prefix left behind when their process died before cleaning up. Nothing is created
 * in the host's own namespace.
 */
public final class NetnsLab implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final String prefix;
    private final String run;
    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    private NetnsLab(String prefix) {
        this.prefix = prefix;
        this.run = prefix + "-" + ProcessHandle.current().pid();
    }

    /**
     * Checks the environment (root, {@code ip}, {@code nft}, {@code curl}, {@code bridge}) and removes leftovers.
     *
     * @param prefix short name of the test kind, such as {@code cmt5}
     * @throws IllegalStateException saying what is missing and how to install it
     */
    public static NetnsLab open(String prefix) {
        requireRoot();
        Binaries.require("ip", "apt-get install -y iproute2");
        Binaries.require("bridge", "apt-get install -y iproute2");
        Binaries.require("nft", "apt-get install -y nftables");
        Binaries.require("curl", "apt-get install -y curl");
        removeLeftovers(prefix);
        return new NetnsLab(prefix);
    }

    private static void requireRoot() {
        Command.Result id = Command.run(TIMEOUT, Map.of(), List.of("id", "-u"));
        if (!id.output().strip().equals("0")) {
            throw new IllegalStateException("this test programs network namespaces, nftables and routes and must run"
                    + " as root (CAP_NET_ADMIN and CAP_SYS_ADMIN), as CI does: sudo ./mvnw -pl mesh-agent verify");
        }
    }

    /** Removes namespaces named {@code prefix-PID-*} whose PID is no longer running. */
    static void removeLeftovers(String prefix) {
        for (String ns : list()) {
            String[] parts = ns.split("-", 3);
            if (parts.length == 3 && parts[0].equals(prefix) && parts[1].matches("\\d+")
                    && ProcessHandle.of(Long.parseLong(parts[1])).isEmpty()) {
                delete(ns);
            }
        }
    }

    private static List<String> list() {
        Command.Result r = Command.run(TIMEOUT, Map.of(), List.of("ip", "netns", "list"));
        return r.output().lines().map(l -> l.split(" ")[0]).filter(l -> !l.isBlank()).toList();
    }

    /** Kills what runs in {@code ns}, then deletes it. */
    private static void delete(String ns) {
        Command.Result pids = Command.run(TIMEOUT, Map.of(), List.of("ip", "netns", "pids", ns));
        pids.output().lines().filter(l -> l.strip().matches("\\d+")).forEach(pid ->
                ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly));
        Command.run(TIMEOUT, Map.of(), List.of("ip", "netns", "del", ns));
    }

    /** Creates namespace {@code suffix} of this run, loopback up; returns its name. */
    public String namespace(String suffix) {
        String ns = run + "-" + suffix;
        namespaces.add(ns);
        exec(null, "ip", "netns", "add", ns);
        exec(ns, "ip", "link", "set", "lo", "up");
        return ns;
    }

    /** Runs a command in {@code ns} (null: the host's), fails the test when it fails; returns its output. */
    public static String exec(String ns, String... argv) {
        Command.Result r = tryExec(ns, argv);
        assertThat(r.exitCode()).as("%s in %s: %s", Arrays.toString(argv), ns, r.output()).isZero();
        return r.output();
    }

    /** Runs a command in {@code ns} (null: the host's). */
    public static Command.Result tryExec(String ns, String... argv) {
        List<String> cmd = new ArrayList<>();
        if (ns != null) {
            cmd.addAll(List.of("ip", "netns", "exec", ns));
        }
        cmd.addAll(List.of(argv));
        return Command.run(TIMEOUT, Map.of(), cmd);
    }

    /** Starts a long-running process in {@code ns}, logging to {@code log}; it is stopped on close. */
    public Process spawn(String ns, Path log, String... argv) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        cmd.addAll(List.of(argv));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            processes.add(p);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every namespace of this run. */
    public List<String> namespaces() {
        return List.copyOf(namespaces);
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
        for (String ns : namespaces) {
            delete(ns);
        }
        // Anything of this run created by a step that failed halfway.
        list().stream().filter(ns -> ns.startsWith(run + "-")).forEach(NetnsLab::delete);
    }
}
