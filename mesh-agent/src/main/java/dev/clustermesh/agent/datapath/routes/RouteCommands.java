package dev.clustermesh.agent.datapath.routes;

import dev.clustermesh.agent.datapath.NetworkNamespace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Runs {@code ip} and {@code bridge} in the datapath's namespace. */
final class RouteCommands {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private RouteCommands() {
    }

    /** Runs {@code lines} with {@code ip -batch -}; stops at the first failing line. */
    static void ipBatch(NetworkNamespace netns, List<String> lines) {
        batch(netns, "ip", lines);
    }

    /** Runs {@code lines} with {@code bridge -batch -}; stops at the first failing line. */
    static void bridgeBatch(NetworkNamespace netns, List<String> lines) {
        batch(netns, "bridge", lines);
    }

    private static void batch(NetworkNamespace netns, String tool, List<String> lines) {
        if (!lines.isEmpty()) {
            netns.run(List.of(tool, "-batch", "-"), String.join("\n", lines) + "\n", TIMEOUT);
        }
    }

    /** Destinations of the agent's routes ({@code proto 201}), IPv4 and IPv6. */
    static List<String> listRoutes(NetworkNamespace netns) {
        List<String> out = new ArrayList<>();
        for (String family : List.of("-4", "-6")) {
            out.addAll(RouteScripts.routeDestinations(netns.run(
                    List.of("ip", family, "-o", "route", "show", "proto", RouteScripts.PROTO), "", TIMEOUT)));
        }
        return out;
    }

    /** Output of {@code ip ARGS}. */
    static String ip(NetworkNamespace netns, String... args) {
        List<String> argv = new ArrayList<>(List.of("ip"));
        argv.addAll(List.of(args));
        return netns.run(argv, "", TIMEOUT);
    }

    /** Output of {@code bridge ARGS}. */
    static String bridge(NetworkNamespace netns, String... args) {
        List<String> argv = new ArrayList<>(List.of("bridge"));
        argv.addAll(List.of(args));
        return netns.run(argv, "", TIMEOUT);
    }
}
