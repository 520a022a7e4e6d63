package dev.clustermesh.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Paths of the checked-out repository, found from this module's directory. */
final class Repo {

    private Repo() {
    }

    /** The {@code k8s/} module: Maven runs tests with the module as working directory and sets {@code basedir}. */
    static Path k8s() {
        Path dir = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir.resolve("overlays"))) {
            throw new IllegalStateException(dir + " is not the k8s module (no overlays/ in it)");
        }
        return dir;
    }

    static Path root() {
        return k8s().getParent();
    }

    static Path docker() {
        return root().resolve("docker");
    }

    /** The overlay directories, one per cluster, sorted by name. */
    static List<Path> overlays() {
        return subdirectories(k8s().resolve("overlays"));
    }

    static List<Path> subdirectories(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
