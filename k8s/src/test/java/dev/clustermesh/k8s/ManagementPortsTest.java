package dev.clustermesh.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The manifests' and images' management ports are the ones each service's application.properties sets. */
class ManagementPortsTest {

    static Stream<Overlays.Workload> workloads() {
        return Overlays.workloads();
    }

    @ParameterizedTest
    @MethodSource("workloads")
    void manifestsAndImagesUseTheServicesOwnManagementPort(Overlays.Workload w) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(Repo.read(Repo.root().resolve(w.name())
                    .resolve("src/main/resources/application.properties"))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(p.getProperty("quarkus.management.enabled")).as("%s management interface", w.name())
                .isEqualTo("true");
        assertThat(p.getProperty("quarkus.management.port")).as("%s quarkus.management.port", w.name())
                .isEqualTo(String.valueOf(w.managementPort()));
        assertThat(p.getProperty("quarkus.micrometer.export.prometheus.path")).isEqualTo("/metrics");
        for (String kind : List.of("jvm", "native")) {
            Dockerfile d = Dockerfile.read(Repo.docker().resolve(w.name()).resolve("Dockerfile." + kind));
            assertThat(String.join(" ", d.all("EXPOSE")).split("\\s+")).as("%s %s image EXPOSE", w.name(), kind)
                    .contains(String.valueOf(w.managementPort()));
        }
    }
}
