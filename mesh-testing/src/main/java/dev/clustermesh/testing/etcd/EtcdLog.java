package dev.clustermesh.testing.etcd;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The file that receives etcd's output across restarts; reads never throw, for use in failures. */
record EtcdLog(Path file) {

    /** Current length, so that a later {@link #readFrom} sees only what a new launch wrote. */
    long size() {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    String readFrom(long offset) {
        try {
            byte[] bytes = Files.exists(file) ? Files.readAllBytes(file) : new byte[0];
            int from = (int) Math.min(offset, bytes.length);
            return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    /** The last {@code maxLines} lines written since {@code offset}, without readiness noise. */
    String tailFrom(long offset, int maxLines) {
        // Every readiness poll before the first leader election logs "/health error; no leader";
        // those lines would push the real cause out of the tail.
        List<String> lines = readFrom(offset).lines()
                .filter(line -> !line.contains("/health error; no leader"))
                .toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - maxLines), lines.size()));
    }
}
