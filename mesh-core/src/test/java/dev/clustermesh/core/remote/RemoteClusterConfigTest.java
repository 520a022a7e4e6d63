package dev.clustermesh.core.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RemoteClusterConfigTest {
    @TempDir
    Path dir;

    @BeforeEach
    void files() throws Exception {
        for (String f : new String[] {"ca.crt", "client.crt", "client.key"}) {
            Files.writeString(dir.resolve(f), "pem");
        }
    }

    @Test
    void readsCiliumStyleFileWithRelativePaths() throws Exception {
        Path file = write("cluster2", "endpoints:\n- https://cluster2.mesh.example:2379\n"
                + "trusted-ca-file: ca.crt\ncert-file: client.crt\nkey-file: client.key\n");
        RemoteClusterConfig c = RemoteClusterConfig.read(file);
        assertThat(c.name()).isEqualTo("cluster2");
        assertThat(c.endpoints()).containsExactly("https://cluster2.mesh.example:2379");
        assertThat(c.tls().ca()).isEqualTo(dir.resolve("ca.crt"));
        assertThat(c.tls().cert()).contains(dir.resolve("client.crt"));
    }

    record Bad(String file, String content, String error) {
        @Override
        public String toString() {
            return error;
        }
    }

    static Stream<Bad> bad() {
        String ok = "trusted-ca-file: ca.crt\ncert-file: client.crt\nkey-file: client.key\n";
        return Stream.of(
                new Bad("cluster2", "endpoints: [\n", "not valid YAML"),
                new Bad("cluster2", "- just\n- a list\n", "expected a YAML mapping"),
                new Bad("cluster2", ok, "endpoints must be a non-empty list"),
                new Bad("cluster2", "endpoints: [ftp://x]\n" + ok, "endpoint 'ftp://x' is not an http(s):// URL"),
                new Bad("cluster2", "endpoints: [https://x]\ntrusted-ca-file: nope.crt\ncert-file: client.crt\nkey-file: client.key\n",
                        "trusted-ca-file '"),
                new Bad("cluster2", "endpoints: [https://x]\ntrusted-ca-file: ca.crt\n", "cert-file and key-file are required"),
                new Bad("Cluster_2", "endpoints: [https://x]\n" + ok, "file name: cluster name 'Cluster_2' is not a lowercase DNS label"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bad")
    void badFilesAreNamedWithTheReason(Bad c) throws Exception {
        Path file = write(c.file(), c.content());
        assertThatThrownBy(() -> RemoteClusterConfig.read(file)).isInstanceOf(InvalidConfigException.class)
                .hasMessageStartingWith(file.toString()).hasMessageContaining(c.error());
    }

    private Path write(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content);
    }
}
