package dev.clustermesh.agent.datapath.nftables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clustermesh.agent.datapath.DatapathException;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Chain;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Element;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Field;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Kind;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Rule;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Set;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Table;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract every {@link NftRunner} keeps, run against each: the real ones in a network namespace of their
 * own ({@code NftFileRunnerIT}, {@code NftSessionIT}), the in-memory fake ({@code FakeNftRunnerTest}).
 */
@Timeout(60)
abstract class NftRunnerContract {
    static final Table TABLE = new Table("inet", "cmcontract");
    static final Set BACKENDS = new Set("backends", List.of(Field.typeOf(Kind.IPV4_ADDR, "ip daddr"),
            Field.typeOf(Kind.INET_SERVICE, "tcp dport")), List.of(Field.typeOf(Kind.IPV4_ADDR, "ip daddr"),
            Field.typeOf(Kind.INET_SERVICE, "tcp dport")), false, null);
    static final Set SEEN = new Set("seen", List.of(Field.type(Kind.IPV4_ADDR), Field.type(Kind.INET_PROTO),
            Field.type(Kind.INET_SERVICE)), List.of(), false, "contract");
    static final Set VERDICTS = new Set("verdicts", List.of(Field.type(Kind.IPV4_ADDR)),
            List.of(Field.type(Kind.VERDICT)), false, null);

    /** The runner under test, working in a ruleset without table {@link #TABLE}. */
    protected abstract NftRunner runner();

    /** Removes {@link #TABLE}, whatever it holds. */
    protected abstract void removeTable();

    @AfterEach
    void cleanUp() {
        removeTable();
    }

    private static NftTransaction tx() {
        return new NftTransaction(TABLE, List.of(BACKENDS, SEEN, VERDICTS));
    }

    private static Element backend(String vip, String target) {
        return new Element("backends", List.of(vip, "80"), List.of(target, "8080"), null);
    }

    private void create() {
        runner().apply(tx().add(TABLE).add(BACKENDS).add(SEEN).add(VERDICTS).add(Chain.regular("target"))
                .add(new Rule("target", "ip daddr . meta l4proto . th dport @seen accept")));
    }

    private String backends() {
        return runner().list(List.of("map", "inet", TABLE.name(), "backends"));
    }

    @Test
    void appliesATransactionAndListsWhatItHolds() {
        create();
        runner().apply(tx().add(backend("10.0.0.1", "10.1.0.1")).add(backend("10.0.0.2", "10.1.0.2"))
                .add(new Element("seen", List.of("10.0.0.1", "tcp", "80"), List.of(), "1 00000000000000aa"))
                .add(new Element("verdicts", List.of("10.0.0.1"), List.of("goto target"), null)));

        assertThat(backends()).contains("typeof ip daddr . tcp dport : ip daddr . tcp dport",
                "10.0.0.1 . 80 : 10.1.0.1 . 8080", "10.0.0.2 . 80 : 10.1.0.2 . 8080");
        assertThat(runner().list(List.of("set", "inet", TABLE.name(), "seen")))
                .contains("comment \"contract\"", "10.0.0.1 . tcp . 80 comment \"1 00000000000000aa\"");
        assertThat(runner().list(List.of("map", "inet", TABLE.name(), "verdicts"))).contains("10.0.0.1 : goto target");
    }

    @Test
    void aTransactionTheKernelRefusesChangesNothing() {
        create();
        runner().apply(tx().add(backend("10.0.0.1", "10.1.0.1")));

        assertThatThrownBy(() -> runner().apply(tx().add(backend("10.0.0.2", "10.1.0.2")).flush(SEEN)
                .delete(new Element("backends", List.of("10.0.0.9", "80"), List.of(), null))))
                .isInstanceOf(DatapathException.class).hasMessageContaining("No such file or directory");
        assertThat(backends()).contains("10.0.0.1 . 80 : 10.1.0.1 . 8080").doesNotContain("10.0.0.2");
    }

    @Test
    void anExistingKeyWithOtherDataIsRefusedAndTheSameDataIsNoChange() {
        create();
        runner().apply(tx().add(backend("10.0.0.1", "10.1.0.1")));

        runner().apply(tx().add(backend("10.0.0.1", "10.1.0.1")));
        assertThatThrownBy(() -> runner().apply(tx().add(backend("10.0.0.1", "10.1.0.9"))))
                .isInstanceOf(DatapathException.class).hasMessageContaining("File exists");
        assertThat(backends()).contains("10.0.0.1 . 80 : 10.1.0.1 . 8080").doesNotContain("10.1.0.9");
    }

    @Test
    void anInvalidTransactionIsRefusedWithItsFirstProblemAndNothingIsSent() {
        create();
        NftTransaction tx = tx().add(backend("10.0.0.2", "10.1.0.2")).add(backend("10.0.0.256", "10.1.0.3"))
                .add(backend("10.0.0.3", "fd00::1"));

        assertThatThrownBy(() -> runner().apply(tx)).isInstanceOf(DatapathException.class)
                .hasMessageContaining("operation 2").hasMessageContaining("'10.0.0.256' is not an IPv4 address")
                .hasMessageNotContaining("fd00::1");
        assertThat(backends()).doesNotContain("10.0.0.2");
    }

    @Test
    void aTransactionBuiltWhenTheRunnerIsReadyIsCheckedWholeBeforeAnyOfItIsSent() {
        create();

        assertThatThrownBy(() -> runner().apply(() -> tx().add(backend("10.0.0.2", "10.1.0.2"))
                .add(backend("10.0.0.3", "10.1.0.256")))).isInstanceOf(DatapathException.class)
                .hasMessageContaining("'10.1.0.256' is not an IPv4 address");
        assertThat(backends()).doesNotContain("10.0.0.2");
        NftTransaction built = runner().apply(() -> tx().add(backend("10.0.0.4", "10.1.0.4")));
        assertThat(built.size()).isEqualTo(1);
        assertThat(backends()).contains("10.0.0.4 . 80 : 10.1.0.4 . 8080");
    }

    @Test
    void itKeepsWorkingAfterARefusal() {
        create();
        assertThatThrownBy(() -> runner().apply(tx().delete(new Element("backends", List.of("10.0.0.9", "80"),
                List.of(), null)))).isInstanceOf(DatapathException.class);

        runner().apply(tx().add(backend("10.0.0.1", "10.1.0.1")));
        assertThat(backends()).contains("10.0.0.1 . 80 : 10.1.0.1 . 8080");
    }

    @Test
    void deletesElementsAndFlushesSets() {
        create();
        runner().apply(tx().add(backend("10.0.0.1", "10.1.0.1")).add(backend("10.0.0.2", "10.1.0.2"))
                .add(new Element("seen", List.of("10.0.0.1", "udp", "53"), List.of(), null)));

        runner().apply(tx().delete(new Element("backends", List.of("10.0.0.1", "80"), List.of(), null)).flush(SEEN));
        assertThat(backends()).doesNotContain("10.0.0.1 . 80").contains("10.0.0.2 . 80 : 10.1.0.2 . 8080");
        assertThat(runner().list(List.of("set", "inet", TABLE.name(), "seen"))).doesNotContain("10.0.0.1");
    }

    @Test
    void replacesATableInOneTransaction() {
        create();
        runner().apply(tx().add(backend("10.0.0.1", "10.1.0.1")));

        runner().apply(tx().add(TABLE).delete(TABLE).add(TABLE).add(BACKENDS).add(backend("10.0.0.2", "10.1.0.2")));
        assertThat(backends()).contains("10.0.0.2 . 80 : 10.1.0.2 . 8080").doesNotContain("10.0.0.1");
        assertThatThrownBy(() -> runner().list(List.of("set", "inet", TABLE.name(), "seen")))
                .isInstanceOf(DatapathException.class).hasMessageContaining("No such file or directory");
    }

    @Test
    void anEmptyTransactionDoesNothingAndListingWhatIsMissingFails() {
        runner().apply(tx());

        assertThatThrownBy(this::backends).isInstanceOf(DatapathException.class)
                .hasMessageContaining("No such file or directory");
        assertThat(runner().list(List.of("flowtables"))).isEmpty();
    }
}
