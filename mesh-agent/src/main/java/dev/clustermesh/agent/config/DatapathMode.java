package dev.clustermesh.agent.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** What {@code mesh.datapath.mode} selects. */
enum DatapathMode {
    /** LB maps kept and listed, nothing programmed into the kernel. */
    MEMORY,
    /** The agent's nftables table and routes to the other clusters. */
    NFTABLES;

    /** The mode named {@code text} (case-insensitive, trimmed), or empty. */
    static Optional<DatapathMode> parse(String text) {
        return Arrays.stream(values()).filter(m -> m.name().equalsIgnoreCase(text.trim())).findFirst();
    }

    /** The name as configured: {@code memory}, {@code nftables}. */
    String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Every mode's configured name, for error messages: {@code memory, nftables}. */
    static String names() {
        return Arrays.stream(values()).map(DatapathMode::configName).collect(Collectors.joining(", "));
    }
}
