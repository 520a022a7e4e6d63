package dev.clustermesh.proxy;

import dev.clustermesh.testing.Command;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Go etcd client ({@code go.etcd.io/etcd/client/v3}) as a test peer: {@code src/test/go/etcdpeer}, built
 * with the Go toolchain at {@code /usr/local/go} (modules from the Go module proxy) into {@code target/}.
 */
public final class GoPeer {
    private static final Path GO = Path.of("/usr/local/go/bin/go");
    private static final Pattern PAIR = Pattern.compile("(\\w+)=(\"(?:[^\"\\\\]|\\\\.)*\"|\\S*)");

    /**
     * What one run printed: its whole output and the pairs of its last {@code result} line.
     *
     * @param output everything the peer printed
     * @param result the {@code key=value} pairs of its result line (quoted values unquoted)
     */
    public record Run(String output, Map<String, String> result) {
        public String get(String key) {
            String v = result.get(key);
            if (v == null) {
                throw new AssertionError("etcdpeer printed no " + key + ":\n" + output);
            }
            return v;
        }

        public long number(String key) {
            return Long.parseLong(get(key));
        }
    }

    private GoPeer() {
    }

    /** The built peer; builds it when missing or older than its sources. */
    public static synchronized Path binary() {
        Path module = moduleDir();
        Path binary = module.resolve("../../../../target/etcdpeer").normalize();
        try {
            if (Files.exists(binary) && Files.getLastModifiedTime(binary).compareTo(
                    Files.getLastModifiedTime(module.resolve("main.go"))) > 0) {
                return binary;
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        if (!Files.isExecutable(GO)) {
            throw new IllegalStateException("the Go etcd client peer needs Go at " + GO
                    + "; install it from https://go.dev/dl (tar -C /usr/local -xzf go*.linux-amd64.tar.gz)");
        }
        Command.Result r = Command.run(Duration.ofMinutes(10), Map.of("GOFLAGS", "-mod=mod"),
                List.of(GO.toString(), "-C", module.toString(), "build", "-o", binary.toString(), "."));
        if (r.exitCode() != 0) {
            throw new IllegalStateException("building " + module + " failed:\n" + r.output());
        }
        return binary;
    }

    /** Runs {@code mode} with {@code args}; fails when the peer itself could not run (exit status 2). */
    public static Run run(Duration timeout, String mode, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(binary().toString(), mode));
        cmd.addAll(args);
        Command.Result r = Command.run(timeout, Map.of(), cmd);
        if (r.exitCode() != 0) {
            throw new AssertionError("etcdpeer " + mode + " exited with " + r.exitCode() + ":\n" + r.output());
        }
        Map<String, String> result = new HashMap<>();
        String last = r.output().lines().filter(l -> l.startsWith("result ")).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("etcdpeer " + mode + " printed no result:\n" + r.output()));
        Matcher m = PAIR.matcher(last.substring("result ".length()));
        while (m.find()) {
            String v = m.group(2);
            result.put(m.group(1), v.startsWith("\"") ? v.substring(1, v.length() - 1).replace("\\\"", "\"") : v);
        }
        return new Run(r.output(), result);
    }

    /** The TLS flags for {@code cert}'s identity against the test environment's proxy. */
    public static List<String> tls(dev.clustermesh.testing.tls.Issued cert) {
        ProxyTestEnvironment env = ProxyTestEnvironment.current();
        return tls(env.apiEndpoint(), env.ca().certPem(), cert);
    }

    /** The endpoint and TLS flags for {@code cert}'s identity. */
    public static List<String> tls(String endpoint, Path ca, dev.clustermesh.testing.tls.Issued cert) {
        return List.of("-endpoint", endpoint, "-cacert", ca.toString(), "-cert", cert.certPem().toString(),
                "-key", cert.keyPem().toString());
    }

    private static Path moduleDir() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            Path candidate = p.resolve("mesh-proxy/src/test/go/etcdpeer");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
            if (p.endsWith("mesh-proxy") && Files.isDirectory(p.resolve("src/test/go/etcdpeer"))) {
                return p.resolve("src/test/go/etcdpeer");
            }
        }
        throw new IllegalStateException("src/test/go/etcdpeer not found from " + dir);
    }
}
