package dev.clustermesh.meshctl.demo;

import dev.clustermesh.meshctl.cli.MeshCtlException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the built services are: the repository meshctl runs from ({@code $MESHCTL_HOME}, set by ./meshctl). */
final class Install {
    private Install() {
    }

    /** The packaged application of {@code module}, e.g. {@code mesh-proxy}. */
    static Path jar(String module) {
        Path jar = home().resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new MeshCtlException(module + " is not built (no " + jar + "); build everything with: "
                    + "./mvnw -B -ntp package -DskipTests");
        }
        return jar;
    }

    /**
     * The jar of meshctl's own classes (where {@link RebelBase} is), which the demo runs in its pods.
     *
     * @throws MeshCtlException with the build command when meshctl is not packaged
     */
    static Path meshctlClasses() {
        Path app = home().resolve("mesh-ctl/target/quarkus-app/app");
        try (java.util.stream.Stream<Path> jars = Files.list(app)) {
            return jars.filter(p -> p.getFileName().toString().endsWith(".jar")).findFirst().orElseThrow(
                    () -> new java.io.IOException("no jar in it"));
        } catch (java.io.IOException e) {
            throw new MeshCtlException("meshctl is not packaged (" + app + ": " + e.getMessage() + "); build it with:"
                    + " ./mvnw -B -ntp package -DskipTests");
        }
    }

    static Path home() {
        String env = System.getenv("MESHCTL_HOME");
        if (env != null && !env.isBlank()) {
            return Path.of(env).toAbsolutePath().normalize();
        }
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.exists(d.resolve("mvnw")) && Files.isDirectory(d.resolve("mesh-proxy"))) {
                return d;
            }
        }
        throw new MeshCtlException("cannot find the ClusterMesh/J build: run meshctl as ./meshctl from the "
                + "repository, or set MESHCTL_HOME to it");
    }

    /** The java launcher: the one running meshctl, else $JAVA_HOME's, else java on PATH. */
    static String java() {
        String self = ProcessHandle.current().info().command().orElse("");
        if (self.endsWith("/java")) {
            return self;
        }
        String home = System.getenv("JAVA_HOME");
        if (home != null && Files.isExecutable(Path.of(home, "bin", "java"))) {
            return Path.of(home, "bin", "java").toString();
        }
        return Processes.binary("java", "openjdk-17-jre-headless").toString();
    }
}
