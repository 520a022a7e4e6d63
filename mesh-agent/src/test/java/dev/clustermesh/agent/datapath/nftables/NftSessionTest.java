package dev.clustermesh.agent.datapath.nftables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clustermesh.agent.datapath.DatapathException;
import dev.clustermesh.agent.datapath.NetworkNamespace;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Table;
import dev.clustermesh.core.worker.Backoff;
import dev.clustermesh.testing.Eventually;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
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

    /** An nft that follows the protocol: silent on success, an error echoing the line on failure. */
    private static final String WORKING = "while read l; do case \"$l\" in cmsync_barrier_*|'list table inet"
            + " clustermesh_probe_absent') printf 'Error: no\\n%s\\n^\\n' \"$l\" >&2;; esac; done";

    static Stream<Case> changedNft() {
        return Stream.of(
                new Case("cannot start", List.of("/nonexistent/nft", "-i")),
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
                Duration.ofMillis(500), new Backoff(Duration.ofMillis(1), Duration.ofMillis(1), 2, 0))) {
            NftTransaction tx = new NftTransaction(TABLE, List.of()).add(TABLE);

            assertThatThrownBy(() -> session.apply(tx)).isInstanceOf(DatapathException.class)
                    .hasMessageContaining("not used");
            assertThat(session.refused()).isTrue();
            session.prestart();
            assertThatThrownBy(() -> session.apply(tx)).as("for good").isInstanceOf(DatapathException.class)
                    .hasMessageContaining("not used");
        }
    }

    @Test
    @Timeout(60)
    void aProcessIsReplacedWhenIdleAfterItsShareOfTransactionsAndAtTheLatestAfterFourTimesThat(@TempDir Path dir)
            throws Exception {
        // nft's line editor walks its history for every line: a long-lived process gets slower with every one.
        Path starts = dir.resolve("starts");
        Path ends = dir.resolve("ends");
        String script = "trap 'echo ended >> " + ends + "' EXIT; echo started >> " + starts + "; " + WORKING;
        try (NftSession session = new NftSession(NetworkNamespace.host(), List.of("sh", "-c", script),
                Duration.ofSeconds(10), Duration.ofSeconds(10), new Backoff(Duration.ofSeconds(1),
                        Duration.ofSeconds(1), 2, 0))) {
            NftTransaction tx = new NftTransaction(TABLE, List.of()).add(TABLE);
            for (int i = 0; i < NftSession.MAX_TRANSACTIONS - 1; i++) {
                session.apply(tx);
            }
            session.refresh();
            session.apply(tx);
            Eventually.await(Duration.ofSeconds(10), () -> assertThat(Files.readAllLines(starts))
                    .as("one process until its share is done").hasSize(1));
            Eventually.await(Duration.ofSeconds(10), () -> {
                session.refresh(); // acts once no transaction has come for a while
                assertThat(Files.readAllLines(starts)).as("replaced when idle").hasSize(2);
            });
            for (int i = 0; i < 4 * NftSession.MAX_TRANSACTIONS; i++) {
                session.apply(tx);
            }
            assertThat(session.refused()).isFalse();
            Eventually.await(Duration.ofSeconds(10), () -> assertThat(Files.readAllLines(starts))
                    .as("a busy session without idle moments: replaced after four shares").hasSize(3));
            session.apply(tx);
            Eventually.await(Duration.ofSeconds(10), () -> assertThat(Files.readAllLines(ends))
                    .as("the replaced processes have ended").hasSize(2));
        }
    }

    @Test
    @Timeout(30)
    void anNftThatExitsDuringItsProbeIsRefusedUntilTheRetry() {
        try (NftSession session = new NftSession(NetworkNamespace.host(), List.of("true"), Duration.ofSeconds(5),
                Duration.ofMillis(300), new Backoff(Duration.ofMinutes(10), Duration.ofMinutes(10), 2, 0))) {
            NftTransaction tx = new NftTransaction(TABLE, List.of()).add(TABLE);

            assertThatThrownBy(() -> session.apply(tx)).isInstanceOf(DatapathException.class)
                    .hasMessageContaining("not used until its next start");
            assertThat(session.refused()).isTrue();
            assertThatThrownBy(() -> session.apply(tx)).as("until the retry, without starting a process")
                    .hasMessageContaining("not used until its next start");
        }
    }

    @Test
    @Timeout(30)
    void aSessionWhoseFirstProcessDiedIsUsedAgainAfterTheRetry(@TempDir Path dir) {
        // The first process exits before answering (killed, or too slow under load); later ones work.
        String script = "if [ ! -e " + dir.resolve("started") + " ]; then touch " + dir.resolve("started")
                + "; exit 1; fi; " + WORKING;
        try (NftSession session = new NftSession(NetworkNamespace.host(), List.of("sh", "-c", script),
                Duration.ofSeconds(5), Duration.ofSeconds(5), new Backoff(Duration.ofMillis(200),
                        Duration.ofMillis(200), 2, 0))) {
            NftTransaction tx = new NftTransaction(TABLE, List.of()).add(TABLE);
            assertThatThrownBy(() -> session.apply(tx)).hasMessageContaining("not used until its next start");

            Eventually.await(Duration.ofSeconds(20), () -> session.apply(tx));
            assertThat(session.refused()).isFalse();
        }
    }
}
