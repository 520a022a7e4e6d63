package dev.clustermesh.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Locates executables on the {@code PATH} for integration tests.
 *
 * <p>Integration tests run against real tools. A missing tool is a broken test environment, not a
 * reason to skip: {@link #require} fails with the exact command that installs the tool.
 */
public final class Binaries {

    private Binaries() {
    }

    /**
     * Finds {@code binary} on the {@code PATH}, or fails.
     *
     * @param binary         executable name such as {@code "etcd"}, or an absolute path
     * @param installCommand shell command that installs it, quoted in the failure message
     * @return the absolute path of an executable regular file
     * @throws IllegalStateException if no executable is found; the message names the binary, the
     *                               searched {@code PATH} and {@code installCommand}
     */
    public static Path require(String binary, String installCommand) {
        Objects.requireNonNull(installCommand, "installCommand");
        String path = Objects.requireNonNullElse(System.getenv("PATH"), "");
        return find(binary, path).orElseThrow(() -> new IllegalStateException(
                "'" + binary + "' is required by this test but was not found on PATH=" + path
                        + ". Install it with: " + installCommand));
    }

    /**
     * Finds {@code binary} in the directories of {@code searchPath}.
     *
     * @param binary     executable name, or an absolute path that is checked as is
     * @param searchPath directories separated by {@link File#pathSeparator}
     * @return the absolute path of the first executable regular file, or empty
     */
    public static Optional<Path> find(String binary, String searchPath) {
        Objects.requireNonNull(binary, "binary");
        if (binary.contains(File.separator)) {
            return Optional.of(Path.of(binary).toAbsolutePath()).filter(Binaries::isExecutable);
        }
        for (String dir : searchPath.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, binary).toAbsolutePath();
            if (isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static boolean isExecutable(Path candidate) {
        return Files.isRegularFile(candidate) && Files.isExecutable(candidate);
    }
}
