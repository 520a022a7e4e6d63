package dev.clustermesh.agent.datapath.nftables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clustermesh.agent.datapath.DatapathException;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Chain;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Element;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Field;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Hook;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Kind;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Rule;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Set;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Table;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class NftTransactionTest {
    private static final Table T = new Table("inet", "t");
    private static final Set SLOTS = new Set("slots", List.of(Field.typeOf(Kind.IPV4_ADDR, "ip daddr"),
            Field.typeOf(Kind.INET_SERVICE, "tcp dport"), Field.typeOf(Kind.INTEGER, "numgen random mod 1")),
            List.of(Field.typeOf(Kind.IPV4_ADDR, "ip daddr"), Field.typeOf(Kind.INET_SERVICE, "tcp dport")), false,
            null);
    private static final Set VERDICTS = new Set("verdicts", List.of(Field.type(Kind.IPV6_ADDR),
            Field.type(Kind.INET_PROTO)), List.of(Field.type(Kind.VERDICT)), false, null);
    private static final Set PODS = new Set("pods", List.of(Field.type(Kind.IPV4_ADDR)), List.of(), true,
            "remote pods");

    private static NftTransaction tx() {
        return new NftTransaction(T, List.of(SLOTS, VERDICTS, PODS));
    }

    private static Element slot(String... values) {
        return new Element("slots", List.of(values).subList(0, 3), List.of(values).subList(3, values.length), null);
    }

    @Test
    void aNewTableIsRenderedAsOneBlockForNftFileAndAsCommandsOnOneLineForNftInteractive() {
        NftTransaction tx = new NftTransaction(T, List.of()).add(T).delete(T).add(T).add(SLOTS).add(PODS)
                .add(new Chain("pre", new Hook("nat", "prerouting", -110)))
                .add(new Rule("pre", "ct state invalid drop")).add(Chain.regular("lb"))
                .add(new Rule("lb", "dnat ip to ip daddr . tcp dport . numgen random mod 2 map @slots"))
                .add(slot("10.0.0.1", "80", "0", "10.1.0.1", "8080")).add(new Element("pods", List.of("10.20.0.0/16"),
                        List.of(), null)).add(slot("10.0.0.1", "80", "1", "10.1.0.2", "8080"));

        assertThat(tx.render()).isEqualTo("""
                add table inet t
                delete table inet t
                table inet t {
                \tmap slots {
                \t\ttypeof ip daddr . tcp dport . numgen random mod 1 : ip daddr . tcp dport
                \t\telements = { 10.0.0.1 . 80 . 0 : 10.1.0.1 . 8080,
                \t\t\t10.0.0.1 . 80 . 1 : 10.1.0.2 . 8080 }
                \t}
                \tset pods {
                \t\ttype ipv4_addr
                \t\tflags interval
                \t\tauto-merge
                \t\tcomment "remote pods"
                \t\telements = { 10.20.0.0/16 }
                \t}
                \tchain pre {
                \t\ttype nat hook prerouting priority -110; policy accept;
                \t\tct state invalid drop
                \t}
                \tchain lb {
                \t\tdnat ip to ip daddr . tcp dport . numgen random mod 2 map @slots
                \t}
                }
                """);
        assertThat(NftBlock.line(tx)).isEqualTo("add table inet t; delete table inet t; add table inet t;"
                + " add map inet t slots { typeof ip daddr . tcp dport . numgen random mod 1 : ip daddr . tcp dport; };"
                + " add set inet t pods { type ipv4_addr; flags interval; auto-merge; comment \"remote pods\"; };"
                + " add chain inet t pre { type nat hook prerouting priority -110; policy accept; };"
                + " add rule inet t pre ct state invalid drop; add chain inet t lb;"
                + " add rule inet t lb dnat ip to ip daddr . tcp dport . numgen random mod 2 map @slots;"
                + " add element inet t slots { 10.0.0.1 . 80 . 0 : 10.1.0.1 . 8080 };"
                + " add element inet t pods { 10.20.0.0/16 };"
                + " add element inet t slots { 10.0.0.1 . 80 . 1 : 10.1.0.2 . 8080 }");
    }

    @Test
    void changesToAnExistingTableAreCommandsWithConsecutiveElementOperationsMerged() {
        NftTransaction tx = tx().add(Chain.regular("lb")).flush(Chain.regular("lb"))
                .delete(new Element("slots", List.of("10.0.0.1", "80", "0"), List.of(), null))
                .delete(new Element("slots", List.of("10.0.0.1", "80", "1"), List.of(), null))
                .add(slot("10.0.0.1", "80", "0", "10.1.0.3", "8080"))
                .add(new Element("verdicts", List.of("fd00::1", "udp"), List.of("goto lb"), null)).flush(PODS);

        assertThat(tx.render()).isEqualTo("""
                add chain inet t lb
                flush chain inet t lb
                delete element inet t slots { 10.0.0.1 . 80 . 0, 10.0.0.1 . 80 . 1 }
                add element inet t slots { 10.0.0.1 . 80 . 0 : 10.1.0.3 . 8080 }
                add element inet t verdicts { fd00::1 . udp : goto lb }
                flush set inet t pods
                """);
        assertThat(tx.commands()).hasSize(6);
        assertThat(NftBlock.line(tx)).doesNotContain("\n").startsWith("add chain inet t lb; flush chain inet t lb; ");
    }

    record Case(String name, Consumer<NftTransaction> ops, String error) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> invalid() {
        return Stream.of(
                new Case("a name nft would not read as one", tx -> tx.add(Chain.regular("lb; flush ruleset")),
                        "'lb; flush ruleset' is not a valid chain name"),
                new Case("a table other than the transaction's", tx -> tx.add(new Table("ip", "t")),
                        "this transaction is on table inet t"),
                new Case("an element of an unknown map",
                        tx -> tx.add(new Element("nope", List.of("1"), List.of(), null)),
                        "no set or map 'nope'"),
                new Case("a key shorter than the map's", tx -> tx.add(new Element("slots", List.of("10.0.0.1", "80"),
                        List.of("10.1.0.1", "8080"), null)), "a key of 2 values for slots's 3 fields"),
                new Case("a value longer than the map's",
                        tx -> tx.add(slot("10.0.0.1", "80", "0", "10.1.0.1", "8080", "1")),
                        "a value of 3 fields for slots's 2"),
                new Case("a map element without its value", tx -> tx.add(slot("10.0.0.1", "80", "0")),
                        "a value of 0 fields"),
                new Case("an IPv6 address in an IPv4 field",
                        tx -> tx.add(slot("fd00::1", "80", "0", "10.1.0.1", "8080")),
                        "key field 1: 'fd00::1' is not an IPv4 address"),
                new Case("an IPv4 address in an IPv6 field", tx -> tx.add(new Element("verdicts",
                        List.of("10.0.0.1", "tcp"),
                        List.of("accept"), null)), "'10.0.0.1' is not an IPv6 address"),
                new Case("a CIDR outside an interval set",
                        tx -> tx.add(slot("10.0.0.0/8", "80", "0", "10.1.0.1", "8080")),
                        "'10.0.0.0/8' is not an IPv4 address"),
                new Case("a CIDR with a bad prefix", tx -> tx.add(new Element("pods", List.of("10.0.0.0/33"), List.of(),
                        null)), "'10.0.0.0/33' is not an IPv4 address or CIDR"),
                new Case("port 0", tx -> tx.add(slot("10.0.0.1", "0", "0", "10.1.0.1", "8080")),
                        "key field 2: '0' is not a port (1-65535)"),
                new Case("port 65536", tx -> tx.add(slot("10.0.0.1", "80", "0", "10.1.0.1", "65536")),
                        "value field 2: '65536' is not a port (1-65535)"),
                new Case("a port with a sign", tx -> tx.add(slot("10.0.0.1", "+80", "0", "10.1.0.1", "8080")),
                        "'+80' is not a port"),
                new Case("a negative slot", tx -> tx.add(slot("10.0.0.1", "80", "-1", "10.1.0.1", "8080")),
                        "'-1' is not a valid integer"),
                new Case("an unknown protocol", tx -> tx.add(new Element("verdicts", List.of("fd00::1", "icmp"),
                        List.of("accept"), null)), "'icmp' is not tcp, udp or sctp"),
                new Case("a verdict to a bad chain name", tx -> tx.add(new Element("verdicts",
                        List.of("fd00::1", "tcp"),
                        List.of("goto x y"), null)), "'goto x y' is not a valid verdict"),
                new Case("a comment with a quote", tx -> tx.add(new Element("pods", List.of("10.0.0.1"), List.of(),
                        "a\"b")), "a comment with a quote"),
                new Case("a delete with a value", tx -> tx.delete(slot("10.0.0.1", "80", "0", "10.1.0.1", "8080")),
                        "an element is deleted by its key alone"),
                new Case("a rule naming an unknown set", tx -> tx.add(new Rule("lb", "ip daddr @nope accept")),
                        "it names @nope"),
                new Case("a rule with a second statement", tx -> tx.add(new Rule("lb", "accept; flush ruleset")),
                        "a rule must be one statement"),
                new Case("deleting a rule", tx -> tx.delete(new Rule("lb", "accept")),
                        "only adding rules is supported"),
                new Case("a base chain on no hook", tx -> tx.add(new Chain("c", new Hook("nat", "ingress", 0))),
                        "'ingress' is not a netfilter hook"),
                new Case("a map redeclared with other fields", tx -> tx.add(new Set("slots",
                        List.of(Field.type(Kind.IPV4_ADDR)),
                        List.of(), false, null)), "declared already with other fields"),
                new Case("a verdict inside a key", tx -> tx.add(new Set("v", List.of(Field.type(Kind.VERDICT)),
                        List.of(),
                        false, null)), "a verdict can only be a map's whole value"),
                new Case("elements of a set the transaction deleted the table of", tx -> tx.delete(T)
                        .add(new Element("pods", List.of("10.0.0.1"), List.of(), null)), "no set or map 'pods'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void eachOperationIsCheckedAsItIsAdded(Case c) {
        NftTransaction tx = tx();
        c.ops().accept(tx);

        assertThat(tx.error()).hasValueSatisfying(e -> assertThat(e).contains(c.error()));
        assertThatThrownBy(tx::render).isInstanceOf(DatapathException.class).hasMessageContaining(c.error());
    }

    @Test
    void theFirstErrorIsKeptAndLaterOperationsAreIgnored() {
        NftTransaction tx = tx().add(slot("10.0.0.1", "80", "0", "10.1.0.1", "8080"))
                .add(slot("10.0.0.2", "80", "0", "10.1.0.1", "80800"))
                .add(slot("10.0.0.3", "x", "0", "10.1.0.1", "8080"))
                .add(slot("10.0.0.4", "80", "0", "10.1.0.1", "8080"));

        assertThat(tx.error()).contains("operation 2 (add element 10.0.0.2 . 80 . 0 of slots): value field 2:"
                + " '80800' is not a port (1-65535)");
        assertThat(tx.size()).isEqualTo(1);
        assertThat(tx.isEmpty()).isFalse();
        assertThatThrownBy(tx::commands).isInstanceOf(DatapathException.class)
                .hasMessage("invalid nft transaction on table inet t: " + tx.error().orElseThrow());
    }

    @Test
    void addressFieldsMustFitTheTablesFamily() {
        assertThat(new NftTransaction(new Table("ip", "t"), List.of()).add(VERDICTS).error())
                .hasValueSatisfying(e -> assertThat(e).contains("an ipv6_addr field in a table of family ip"));
        assertThat(new NftTransaction(new Table("ip6", "t"), List.of()).add(SLOTS).error())
                .hasValueSatisfying(e -> assertThat(e).contains("an ipv4_addr field in a table of family ip6"));
        assertThat(new NftTransaction(new Table("inet", "t"), List.of()).add(SLOTS).add(VERDICTS).error()).isEmpty();
    }

    @Test
    void validOperationsOfEveryKindAreTaken() {
        NftTransaction tx = tx().add(T)
                .add(new Element("verdicts", List.of("fd00::1", "sctp"), List.of("jump lb"), null))
                .add(new Element("pods", List.of("10.0.0.0/8"), List.of(), "1 00000000000000aa"))
                .add(new Element("pods", List.of("10.1.2.3"), List.of(), null)).delete(SLOTS).flush(PODS)
                .add(new Rule("lb", "ip saddr @pods masquerade"));

        assertThat(tx.error()).isEmpty();
        assertThat(tx.size()).isEqualTo(7);
        assertThat(new NftTransaction(T, List.of()).isEmpty()).isTrue();
        assertThat(new NftTransaction(new Table("bridge", "t"), List.of()).error()).isPresent();
    }
}
