package dev.clustermesh.k8s;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubectlTest {

    @Test
    void aMissingKubectlFailsWithTheInstallCommand(@TempDir Path emptyDir) {
        assertThatThrownBy(() -> Kustomize.kubectl(emptyDir.toString()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'kubectl'")
                .hasMessageContaining(emptyDir.toString())
                .hasMessageContaining("apt-get install -y kubernetes-client");
    }
}
