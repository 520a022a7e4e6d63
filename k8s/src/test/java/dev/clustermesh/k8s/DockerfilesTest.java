package dev.clustermesh.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Dockerfiles copy exactly what {@code ./mvnw package} leaves in a Quarkus module's {@code target/}: the fast-jar
 * layout {@code target/quarkus-app/} (JVM) or {@code target/*-runner} (native, {@code -Dnative}). No image is built
 * here (no container engine on these machines).
 */
class DockerfilesTest {
    /** Quarkus's fast-jar layout, as its own generated Dockerfile.jvm copies it. */
    private static final List<String> FAST_JAR = List.of("target/quarkus-app/lib/", "target/quarkus-app/*.jar",
            "target/quarkus-app/app/", "target/quarkus-app/quarkus/");
    /** Services with Dockerfiles whose module is not in the reactor yet. */
    private static final Set<String> PENDING_MODULES = Set.of();
    private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");

    static Stream<String> services() {
        return Stream.of("mesh-proxy", "mesh-agent", "mesh-dns", "mesh-ctl");
    }

    @ParameterizedTest
    @MethodSource("services")
    void jvmImageCopiesTheFastJarLayout(String service) {
        Dockerfile d = Dockerfile.read(Repo.docker().resolve(service).resolve("Dockerfile.jvm"));
        assertThat(d.all("FROM")).as("%s: one base image", service).hasSize(1);
        assertThat(d.copySources()).as("%s: COPY sources", service).containsExactlyElementsOf(FAST_JAR);
        assertThat(String.join("\n", d.all("ENTRYPOINT")) + String.join("\n", d.all("ENV")))
                .as("%s: runs the fast jar", service).contains("/deployments/quarkus-run.jar");
        assertBuildContextIsTheModule(d, service);
    }

    @ParameterizedTest
    @MethodSource("services")
    void nativeImageCopiesTheRunner(String service) {
        Dockerfile d = Dockerfile.read(Repo.docker().resolve(service).resolve("Dockerfile.native"));
        assertThat(d.all("FROM")).as("%s: one base image", service).hasSize(1);
        assertThat(d.copySources()).as("%s: COPY sources", service).containsExactly("target/*-runner");
        assertThat(d.all("ENTRYPOINT")).as("%s: runs the executable", service)
                .singleElement().asString().contains("./application");
        assertBuildContextIsTheModule(d, service);
    }

    @Test
    void agentImagesCarryNftAndIp() {
        for (String kind : List.of("jvm", "native")) {
            Dockerfile d = Dockerfile.read(Repo.docker().resolve("mesh-agent/Dockerfile." + kind));
            assertThat(d.all("RUN")).as("mesh-agent %s image packages", kind)
                    .anySatisfy(run -> assertThat(run).contains("install").contains(" nftables").contains(" iproute2"));
        }
    }

    @ParameterizedTest
    @MethodSource("services")
    void theModuleIsAQuarkusApplicationOfTheReactor(String service) {
        List<String> reactor = modules(Repo.root().resolve("pom.xml"));
        if (!reactor.contains(service)) {
            assertThat(PENDING_MODULES).as("%s has Dockerfiles but is not a module of the root pom", service)
                    .contains(service);
            return;
        }
        assertThat(Repo.read(Repo.root().resolve(service).resolve("pom.xml")))
                .as("%s packages a Quarkus application (target/quarkus-app, -runner)", service)
                .contains("<artifactId>quarkus-maven-plugin</artifactId>").contains("<goal>build</goal>");
    }

    @Test
    void everyQuarkusApplicationHasItsImages() {
        for (String module : modules(Repo.root().resolve("pom.xml"))) {
            Path pom = Repo.root().resolve(module).resolve("pom.xml");
            if (Repo.read(pom).contains("<goal>build</goal>")) {
                assertThat(Repo.docker().resolve(module).resolve("Dockerfile.jvm")).as("JVM image of %s", module)
                        .isRegularFile();
                assertThat(Repo.docker().resolve(module).resolve("Dockerfile.native")).as("native image of %s", module)
                        .isRegularFile();
            }
        }
    }

    private static void assertBuildContextIsTheModule(Dockerfile d, String service) {
        // The documented build command names the module directory as context: COPY paths are relative to it.
        // The image is named after the service, except meshctl, whose module is mesh-ctl/ (./meshctl is the script).
        String image = "mesh-ctl".equals(service) ? "meshctl" : service;
        assertThat(Repo.read(d.file())).as("%s: build command in %s", service, d.file().getFileName())
                .containsPattern("docker build -f docker/" + service + "/" + d.file().getFileName()
                        + " -t ghcr\\.io/clustermesh-j/" + image + ":\\S+ " + service + "\\n");
    }

    static List<String> modules(Path pom) {
        Matcher m = MODULE.matcher(Repo.read(pom));
        List<String> modules = new ArrayList<>();
        while (m.find()) {
            modules.add(m.group(1).strip());
        }
        return modules;
    }
}
