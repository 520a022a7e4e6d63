package dev.clustermesh.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class BinariesTest {

    @Test
    void requireFindsAToolOnThePath() {
        Path sh = Binaries.require("sh", "apt-get install -y dash");

        assertThat(sh).isAbsolute().isExecutable();
        assertThat(sh.getFileName()).hasToString("sh");
    }

    @Test
    void requireFailsWithTheInstallCommandWhenTheToolIsMissing() {
        assertThatThrownBy(() -> Binaries.require("no-such-tool-4f1c", "apt-get install -y no-such-tool"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'no-such-tool-4f1c'")
                .hasMessageContaining("PATH=")
                .hasMessageEndingWith("Install it with: apt-get install -y no-such-tool");
    }

    @Test
    void findSkipsFilesThatAreNotExecutable(@TempDir Path first, @TempDir Path second) throws Exception {
        Files.createFile(first.resolve("tool"));
        Path executable = Files.createFile(second.resolve("tool"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));

        assertThat(Binaries.find("tool", first + File.pathSeparator + second)).contains(executable);
        assertThat(Binaries.find("tool", first.toString())).isEmpty();
    }

    @Test
    void findChecksAnAbsolutePathAsIs(@TempDir Path dir) {
        Path sh = Binaries.require("sh", "apt-get install -y dash");

        assertThat(Binaries.find(sh.toString(), dir.toString())).contains(sh);
        assertThat(Binaries.find(dir.resolve("missing").toString(), "")).isEmpty();
    }
}
