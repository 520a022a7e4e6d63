package dev.clustermesh.agent.datapath.nftables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clustermesh.agent.datapath.DatapathException;
import dev.clustermesh.agent.datapath.NetworkNamespace;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Table;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The start-up probe that keeps {@link NftSession} from talking to an nft whose interactive mode changed. */
class NftSessionTest {
    private static final Table TABLE = new Table("inet", "cmprobe");

    record Case(String name, List<String> command) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> changedNft() {
        return Stream.of(
                new Case("cannot start", List.of("/nonexistent/nft", "-i")),
                new Case("exits at once", List.of("true")),
                new Case("answers nothing", List.of("sh", "-c", "exec cat >/dev/null")),
                new Case("reports errors without echoing the line",
                        List.of("sh", "-c", "while read l; do echo \"Error: $l\" >&2; done")),
                new Case("prints nothing for a failing command", List.of("sh", "-c", "while read l; do case $l in"
                        + " cmsync_barrier_*) printf 'Error: syntax error\\n%s\\n^\\n' \"$l\" >&2;; esac; done")),
                new Case("prints something for a command that succeeds", List.of("sh", "-c", "while read l; do"
                        + " printf 'Error: %s\\n%s\\n^\\n' \"$l\" \"$l\" >&2; done")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("changedNft")
    @Timeout(30)
    void aChangedNftFailsTheProbeAndTheSessionRefusesBeforeSendingAnything(Case c) {
        try (NftSession session = new NftSession(NetworkNamespace.host(), c.command(), Duration.ofSeconds(5),
                Duration.ofMillis(500))) {
            NftTransaction tx = new NftTransaction(TABLE, List.of()).add(TABLE);

            assertThatThrownBy(() -> session.apply(tx)).isInstanceOf(DatapathException.class)
                    .hasMessageContaining("not used");
            assertThat(session.refused()).isTrue();
            session.prestart();
            assertThatThrownBy(() -> session.apply(tx)).as("for good").isInstanceOf(DatapathException.class)
                    .hasMessageContaining("not used");
        }
    }
}
