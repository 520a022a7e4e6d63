package dev.clustermesh.agent.datapath.nftables;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.agent.datapath.nftables.NftObjects.Element;
import dev.clustermesh.agent.datapath.nftables.NftPolicy.Desired;
import dev.clustermesh.agent.datapath.nftables.NftTransaction.Op;
import dev.clustermesh.agent.datapath.nftables.PolicyCaseFiles.Compiled;
import dev.clustermesh.core.policy.EndpointProgram;
import dev.clustermesh.core.policy.PolicyProgram;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The policy table's render and diff, pure: every case file renders to a valid transaction; churn is elements. */
class NftPolicyTest {

    static Stream<Compiled> cases() {
        return PolicyCaseFiles.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyCaseRendersToAValidTransactionAndBackToNothingEnforced(Compiled c) {
        Desired want = NftPolicy.render(c.program());
        NftTransaction full = NftPolicyDiff.full(want);
        assertThat(full.error()).as("full sync of %s", c).isEmpty();
        Desired none = NftPolicy.render(empty(c.program()));
        assertThat(NftPolicyDiff.between(want, none).error()).isEmpty();
        assertThat(NftPolicyDiff.between(none, want).error()).isEmpty();
        assertThat(NftPolicyDiff.between(want, want).isEmpty()).as("no change, no operation").isTrue();
        for (EndpointProgram ep : c.program().endpoints()) {
            boolean in = ep.ingress().enforced() || !ep.ingress().denies().isEmpty();
            boolean out = ep.egress().enforced() || !ep.egress().denies().isEmpty();
            assertThat(want.elements().get("ingress_eps").containsKey(ep.ip().getHostAddress()))
                    .as("ingress of %s in %s dispatched", ep.pod(), c).isEqualTo(in);
            assertThat(want.elements().get("egress_eps").containsKey(ep.ip().getHostAddress()))
                    .as("egress of %s in %s dispatched", ep.pod(), c).isEqualTo(out);
        }
    }

    @Test
    void aRemotePodWithAnExistingIdentityChangesOnlySetElements() {
        Compiled c = PolicyCaseFiles.all().stream()
                .filter(x -> x.policyCase().name().startsWith("allow-from-pod-in-namespace/any-cluster"))
                .filter(x -> x.cluster().equals("c1")).findFirst().orElseThrow();
        PolicyProgram before = c.program();
        Map<InetAddress, Integer> ids = new HashMap<>(before.ipIdentities());
        // A second c2/x/b: same labels, so same identity, new address.
        InetAddress b = ids.keySet().stream().filter(ip -> ip.getHostAddress().equals("10.2.1.2")).findFirst()
                .orElseThrow();
        InetAddress twin = address(b, 200);
        ids.put(twin, ids.get(b));
        PolicyProgram after = new PolicyProgram(before.cluster(), before.endpoints(), ids, before.podCidrs());
        NftTransaction tx = NftPolicyDiff.between(NftPolicy.render(before), NftPolicy.render(after));
        assertThat(tx.error()).isEmpty();
        List<Op> ops = tx.ops();
        assertThat(ops).isNotEmpty().allSatisfy(op -> assertThat(op.object()).isInstanceOf(Element.class));
        assertThat(ops).anySatisfy(op -> assertThat(((Element) op.object()).key())
                .containsExactly(twin.getHostAddress()));
        assertThat(tx.commands()).noneMatch(cmd -> cmd.contains(" rule ") || cmd.contains(" chain "));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void movingAddressesOfKnownIdentitiesLeavesTheTableAsTheFullRenderWouldAndTouchesOnlyElements(Compiled c) {
        PolicyProgram before = c.program();
        List<InetAddress> ips = before.ipIdentities().keySet().stream()
                .sorted(java.util.Comparator.comparing(InetAddress::getHostAddress)).toList();
        List<Integer> identities = ips.stream().map(before.ipIdentities()::get).distinct().toList();
        Map<InetAddress, Integer> removed = new HashMap<>();
        Map<InetAddress, Integer> added = new HashMap<>();
        // One pod goes, every pod gets a twin with its identity, and one address changes to another identity.
        removed.put(ips.get(0), before.ipIdentities().get(ips.get(0)));
        for (InetAddress ip : ips) {
            added.put(address(ip, 200 + ips.indexOf(ip)), before.ipIdentities().get(ip));
        }
        InetAddress moved = ips.get(ips.size() - 1);
        int other = identities.stream().filter(id -> !id.equals(before.ipIdentities().get(moved))).findFirst()
                .orElse(before.ipIdentities().get(moved));
        removed.put(moved, before.ipIdentities().get(moved));
        added.put(moved, other);
        Map<InetAddress, Integer> now = new HashMap<>(before.ipIdentities());
        removed.keySet().forEach(now::remove);
        now.putAll(added);
        PolicyProgram after = new PolicyProgram(before.cluster(), before.endpoints(), now, before.podCidrs());

        Desired have = NftPolicy.render(before);
        NftTransaction tx = NftPolicyAddresses.between(have, removed, added);
        assertThat(tx.error()).as("%s", c).isEmpty();
        assertThat(tx.ops()).allSatisfy(op -> assertThat(op.object()).isInstanceOf(Element.class));
        NftPolicyAddresses.record(have, removed, added);
        assertThat(have.elements()).as("%s", c).isEqualTo(NftPolicy.render(after).elements());
        assertThat(NftPolicyAddresses.between(have, removed, added).isEmpty()).as("applied twice: nothing").isTrue();
    }

    @Test
    void podsWithTheSameProgramShareOneChainAndTheChainsFollowTheDistinctPrograms() {
        for (Compiled c : PolicyCaseFiles.all()) {
            Desired d = NftPolicy.render(c.program());
            for (String vmap : List.of("ingress_eps", "egress_eps")) {
                long distinct = c.program().endpoints().stream()
                        .map(ep -> ep.direction(vmap.startsWith("in") ? dev.clustermesh.core.policy.Direction.INGRESS
                                : dev.clustermesh.core.policy.Direction.EGRESS))
                        .filter(dp -> dp.enforced() || !dp.denies().isEmpty()).distinct().count();
                long chains = d.elements().get(vmap).values().stream().distinct().count();
                assertThat(chains).as("%s %s", c, vmap).isEqualTo(distinct);
            }
        }
    }

    @Test
    void countersAreSummedPerPolicyDirectionAndVerdictFromTheTerseListing() {
        dev.clustermesh.core.policy.PolicyRef np = new dev.clustermesh.core.policy.PolicyRef("NetworkPolicy", "x", "a");
        Map<String, dev.clustermesh.core.policy.RuleRef> keys = Map.of(
                "r01", new dev.clustermesh.core.policy.RuleRef(np, "ingress", 0),
                "r02", new dev.clustermesh.core.policy.RuleRef(np, "ingress", 1));
        String listing = """
                table inet clustermesh_policy {
                	chain ingress {
                		type filter hook forward priority -5; policy accept;
                		ct state established,related accept
                	}
                	chain pe_aa_i {
                		ip saddr @pp_1 meta l4proto tcp th dport 80 counter packets 3 bytes 180 accept comment "r01"
                		ip saddr @pp_2 counter packets 2 bytes 100 accept comment "r02"
                		ip saddr @pp_3 counter packets 7 bytes 1 accept comment "gone"
                		counter packets 5 bytes 300 drop
                	}
                	chain pe_bb_i {
                		ip saddr @pp_1 counter packets 1 bytes 60 accept comment "r01"
                		counter packets 1 bytes 60 drop
                	}
                	chain pe_cc_e {
                		counter packets 4 bytes 240 drop
                	}
                }
                """;
        NftPolicyCounters counters = new NftPolicyCounters();
        assertThat(counters.add(listing, keys)).containsExactlyInAnyOrder(
                new dev.clustermesh.agent.policy.PolicyCounter("NetworkPolicy x/a", "ingress", "allowed", 6, 340),
                new dev.clustermesh.agent.policy.PolicyCounter("default-deny", "ingress", "denied", 6, 360),
                new dev.clustermesh.agent.policy.PolicyCounter("default-deny", "egress", "denied", 4, 240));

        // pe_bb_i went (its pod's program changed), pe_aa_i counted more, pe_dd_i is new: the totals only grow.
        String later = listing.replace("packets 3 bytes 180 accept", "packets 5 bytes 300 accept")
                .replace("""
                	chain pe_bb_i {
                		ip saddr @pp_1 counter packets 1 bytes 60 accept comment "r01"
                		counter packets 1 bytes 60 drop
                	}
                """, """
                	chain pe_dd_i {
                		ip saddr @pp_1 counter packets 4 bytes 200 accept comment "r01"
                		counter packets 0 bytes 0 drop
                	}
                """);
        assertThat(later).contains("pe_dd_i").doesNotContain("pe_bb_i");
        assertThat(counters.add(later, keys)).containsExactlyInAnyOrder(
                new dev.clustermesh.agent.policy.PolicyCounter("NetworkPolicy x/a", "ingress", "allowed", 12, 660),
                new dev.clustermesh.agent.policy.PolicyCounter("default-deny", "ingress", "denied", 6, 360),
                new dev.clustermesh.agent.policy.PolicyCounter("default-deny", "egress", "denied", 4, 240));

        // x/a deleted: no rule names it any more, so it is no longer counted (its metric series go too).
        assertThat(counters.add(later, Map.of())).containsExactlyInAnyOrder(
                new dev.clustermesh.agent.policy.PolicyCounter("default-deny", "ingress", "denied", 6, 360),
                new dev.clustermesh.agent.policy.PolicyCounter("default-deny", "egress", "denied", 4, 240));
    }

    @Test
    void aWorldPeerMatchesAddressesOutsideThePodsAndTheirCidrs() throws Exception {
        InetAddress pod = InetAddress.getByName("10.1.1.1");
        dev.clustermesh.core.policy.RuleRef ref = new dev.clustermesh.core.policy.RuleRef(
                new dev.clustermesh.core.policy.PolicyRef("CiliumNetworkPolicy", "x", "to-world"), "egress", 0);
        dev.clustermesh.core.policy.ProgramEntry toWorld = new dev.clustermesh.core.policy.ProgramEntry(ref,
                new dev.clustermesh.core.policy.PeerMatch.IdentitySet(List.of(dev.clustermesh.core.policy.Identities.WORLD)),
                dev.clustermesh.core.policy.PortMatch.ANY);
        dev.clustermesh.core.policy.DirectionProgram none = new dev.clustermesh.core.policy.DirectionProgram(false,
                List.of(), List.of());
        EndpointProgram ep = new EndpointProgram("x", "a", pod, 65792, none,
                new dev.clustermesh.core.policy.DirectionProgram(true, List.of(toWorld), List.of()));
        PolicyProgram p = new PolicyProgram("c1", List.of(ep), Map.of(pod, 65792),
                List.of(dev.clustermesh.core.policy.Cidr.parse("10.1.0.0/16").orElseThrow()));
        Desired d = NftPolicy.render(p);
        String chain = d.elements().get("egress_eps").get("10.1.1.1").get(0).substring("jump ".length());
        String key = d.ruleComments().entrySet().stream().filter(k -> k.getValue().equals(ref)).findFirst()
                .orElseThrow().getKey();
        assertThat(d.rules().get(chain)).contains("ip daddr != @pods ip daddr != @podnets counter accept comment \""
                + key + "\"", "counter drop");
        assertThat(NftPolicyDiff.full(d).error()).isEmpty();
    }

    /**
     * Issue 13, IPv6: every pod of a case also at an IPv6 address (dual stack) is dispatched from the IPv6 maps to
     * the same chain as its IPv4 address, its peers' IPv6 addresses are in the IPv6 twins of their sets, and pods
     * coming and going over IPv6 change only IPv6 elements.
     */
    @Test
    void dualStackPodsShareTheirChainsAndIpv6AddressesGoToTheSetsOfTheirFamily() {
        Compiled c = PolicyCaseFiles.all().stream()
                .filter(x -> x.policyCase().name().equals("allow-from-pod-in-namespace/two-clusters"))
                .filter(x -> x.cluster().equals("c1")).findFirst().orElseThrow();
        PolicyProgram v4 = c.program();
        PolicyProgram dual = dualStack(v4);
        Desired d = NftPolicy.render(dual);
        assertThat(NftPolicyDiff.full(d).error()).isEmpty();
        assertThat(d.rules().get("ingress")).contains("ip daddr vmap @ingress_eps", "ip6 daddr vmap @ingress_eps6");
        assertThat(d.rules().get("egress")).contains("ip saddr vmap @egress_eps", "ip6 saddr vmap @egress_eps6");
        assertThat(d.elements().get("ingress_eps")).as("the case isolates pods on ingress").isNotEmpty();
        for (String vmap : List.of("ingress_eps", "egress_eps")) {
            d.elements().get(vmap).forEach((ip, verdict) -> assertThat(d.elements().get(vmap + "6"))
                    .containsEntry(NftPolicy.key(v6(parse(ip))), verdict));
            assertThat(d.elements().get(vmap + "6")).hasSameSizeAs(d.elements().get(vmap));
        }
        d.identitySets().values().stream().flatMap(java.util.Set::stream).distinct().forEach(set -> {
            assertThat(d.elements().get(set + "6").keySet()).as(set).containsExactlyInAnyOrderElementsOf(
                    d.elements().get(set).keySet().stream().map(ip -> NftPolicy.key(v6(parse(ip)))).toList());
            assertThat(d.rules().values().stream().flatMap(List::stream)).as("rules naming " + set)
                    .anyMatch(r -> r.startsWith("ip ") && r.contains(" @" + set + " "))
                    .anyMatch(r -> r.startsWith("ip6 ") && r.contains(" @" + set + "6 "));
        });
        assertThat(d.elements().get("pods6")).hasSameSizeAs(d.elements().get("pods"));
        assertThat(d.elements().get("podnets6")).containsOnlyKeys("fd00:1::/32", "fd00:2::/32");

        // An IPv6 replica of a remote pod comes, another goes: IPv6 elements only, as the full render would be.
        InetAddress remote = v6(parse("10.2.1.2"));
        InetAddress replica = parse("fd00:2::1:c8");
        Map<InetAddress, Integer> ids = new HashMap<>(dual.ipIdentities());
        int identity = ids.get(remote);
        InetAddress gone = v6(parse("10.2.1.3"));
        Map<InetAddress, Integer> removed = Map.of(gone, ids.remove(gone));
        ids.put(replica, identity);
        Map<InetAddress, Integer> added = Map.of(replica, identity);
        NftTransaction tx = NftPolicyAddresses.between(d, removed, added);
        assertThat(tx.error()).isEmpty();
        assertThat(tx.ops()).isNotEmpty().allSatisfy(op -> assertThat(((Element) op.object()).set()).endsWith("6"));
        NftPolicyAddresses.record(d, removed, added);
        assertThat(d.elements()).isEqualTo(NftPolicy.render(new PolicyProgram(dual.cluster(), dual.endpoints(), ids,
                dual.podCidrs())).elements());
    }

    @Test
    void ipBlocksWithExceptionsBecomeTheFewestPrefixesInEitherFamily() {
        assertThat(IpRanges.minus(cidr("10.0.0.0/8"), List.of(cidr("10.1.0.0/16"))))
                .containsExactly("10.0.0.0/16", "10.2.0.0/15", "10.4.0.0/14", "10.8.0.0/13", "10.16.0.0/12",
                        "10.32.0.0/11", "10.64.0.0/10", "10.128.0.0/9");
        assertThat(IpRanges.minus(cidr("0.0.0.0/0"), List.of())).containsExactly("0.0.0.0/0");
        assertThat(IpRanges.minus(cidr("fd00:99::/32"), List.of(cidr("fd00:99:1::/48"))))
                .hasSize(16).startsWith("fd00:99::/48", "fd00:99:2::/47", "fd00:99:4::/46")
                .endsWith("fd00:99:8000::/33");
        assertThat(IpRanges.minus(cidr("::/0"), List.of(cidr("::/1")))).containsExactly("8000::/1");
        assertThat(IpRanges.minus(cidr("fd00::/64"), List.of(cidr("10.0.0.0/8"))))
                .as("an exception of the other family cuts nothing").containsExactly("fd00::/64");
        // IPv4-mapped IPv6 prefixes stay IPv6 text (Java's InetAddress would turn them into IPv4 addresses).
        assertThat(IpRanges.minus(cidr("::/64"), List.of(cidr("::fffe:0:0/96"))))
                .contains("::ffff:0:0/96").allSatisfy(p -> assertThat(p).contains(":"));
        assertThat(NftPolicy.cidr(cidr("::ffff:0:0/96"))).isEqualTo("::ffff:0:0/96");
    }

    /** The program with every pod, address and pod CIDR also in IPv6: {@code 10.c.x.y} also {@code fd00:c::x:y}. */
    private static PolicyProgram dualStack(PolicyProgram p) {
        List<EndpointProgram> eps = new java.util.ArrayList<>(p.endpoints());
        p.endpoints().forEach(ep -> eps.add(new EndpointProgram(ep.namespace(), ep.pod(), v6(ep.ip()), ep.identity(),
                ep.ingress(), ep.egress())));
        Map<InetAddress, Integer> ids = new HashMap<>(p.ipIdentities());
        p.ipIdentities().forEach((ip, id) -> ids.put(v6(ip), id));
        List<dev.clustermesh.core.policy.Cidr> cidrs = new java.util.ArrayList<>(p.podCidrs());
        cidrs.add(cidr("fd00:1::/32"));
        cidrs.add(cidr("fd00:2::/32"));
        return new PolicyProgram(p.cluster(), eps, ids, cidrs);
    }

    private static InetAddress v6(InetAddress v4) {
        byte[] a = v4.getAddress();
        return parse("fd00:" + a[1] + "::" + (a[2] & 0xff) + ":" + (a[3] & 0xff));
    }

    private static InetAddress parse(String ip) {
        return dev.clustermesh.core.net.IpAddresses.parse(ip).orElseThrow();
    }

    private static dev.clustermesh.core.policy.Cidr cidr(String text) {
        return dev.clustermesh.core.policy.Cidr.parse(text).orElseThrow();
    }

    private static PolicyProgram empty(PolicyProgram p) {
        return new PolicyProgram(p.cluster(), List.of(), p.ipIdentities(), p.podCidrs());
    }

    private static InetAddress address(InetAddress like, int last) {
        byte[] a = like.getAddress();
        a[3] = (byte) last;
        try {
            return InetAddress.getByAddress(a);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
