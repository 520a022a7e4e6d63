package dev.clustermesh.dns.zone;

import static dev.clustermesh.dns.zone.ZoneFixtures.SETTINGS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.core.mesh.MeshSnapshot;
import dev.clustermesh.core.mesh.ServiceName;
import dev.clustermesh.core.remote.ClusterStatus;
import dev.clustermesh.core.remote.Freshness;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.ImportType;
import dev.clustermesh.proto.mesh.v1.ServiceImport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The zone rules, table-driven over the reference mesh seen from cluster1. */
class ZoneComputeTest {
    private static final String S = ".default.svc.clusterset.local";
    private static final List<String> SKIPPED = new ArrayList<>();
    private static final Zone ZONE = ZoneCompute.compute(SETTINGS, ZoneFixtures.reference(), 42, SKIPPED::add);

    /**
     * One question and what must come back.
     *
     * @param rcode the mnemonic, with " nodata" for NOERROR without answer
     * @param answers the answer section's data, in order
     */
    record Case(String what, String qname, int type, long rotation, String rcode, List<String> answers) {
        @Override
        public String toString() {
            return what;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("dns-version TXT", "dns-version.clusterset.local", RecordType.TXT, 0, "NOERROR",
                        List.of("\"1.0.0\"")),
                new Case("apex SOA", "clusterset.local", RecordType.SOA, 0, "NOERROR",
                        List.of("ns.dns.clusterset.local. hostmaster.clusterset.local. 42 7200 1800 86400 5")),
                new Case("apex NS", "clusterset.local.", RecordType.NS, 0, "NOERROR", List.of("ns.dns.clusterset.local.")),
                new Case("apex A is NODATA", "clusterset.local", RecordType.A, 0, "NOERROR nodata", List.of()),
                new Case("local ClusterIP only", "rebel-base" + S, RecordType.A, 3, "NOERROR", List.of("10.11.0.10")),
                new Case("case-insensitive", "REBEL-Base.Default.SVC.clusterset.LOCAL.", RecordType.A, 0, "NOERROR",
                        List.of("10.11.0.10")),
                new Case("no IPv6 ClusterIP: NODATA", "rebel-base" + S, RecordType.AAAA, 0, "NOERROR nodata", List.of()),
                new Case("one cluster's address", "cluster2.rebel-base" + S, RecordType.A, 0, "NOERROR",
                        List.of("10.21.0.10")),
                new Case("SRV for a named port", "_http._tcp.rebel-base" + S, RecordType.SRV, 0, "NOERROR",
                        List.of("0 100 80 rebel-base.default.svc.clusterset.local.")),
                new Case("SRV name's parent is an empty non-terminal", "_tcp.rebel-base" + S, RecordType.SRV, 0,
                        "NOERROR nodata", List.of()),
                new Case("namespace is an empty non-terminal", "default.svc.clusterset.local", RecordType.A, 0,
                        "NOERROR nodata", List.of()),
                new Case("unknown service", "nope" + S, RecordType.A, 0, "NXDOMAIN", List.of()));
    }

    static Stream<Case> serviceCases() {
        return Stream.of(
                new Case("unknown cluster", "cluster9.rebel-base" + S, RecordType.A, 0, "NXDOMAIN", List.of()),
                new Case("no local service: clusters with active backends", "remote-only" + S, RecordType.A, 0,
                        "NOERROR", List.of("10.21.0.20", "10.31.0.20")),
                new Case("... rotated per query", "remote-only" + S, RecordType.A, 1, "NOERROR",
                        List.of("10.31.0.20", "10.21.0.20")),
                new Case("a cluster without active backend keeps its own name", "cluster4.remote-only" + S,
                        RecordType.A, 0, "NOERROR", List.of("10.41.0.20")),
                new Case("headless: every active endpoint, local first", "db" + S, RecordType.A, 0, "NOERROR",
                        List.of("10.10.2.1", "10.10.2.2", "10.20.2.1")),
                new Case("headless: endpoint by hostname", "db-0.cluster2.db" + S, RecordType.A, 0, "NOERROR",
                        List.of("10.20.2.1")),
                new Case("headless: endpoint without hostname by dashed IP", "10-10-2-2.cluster1.db" + S, RecordType.A,
                        0, "NOERROR", List.of("10.10.2.2")),
                new Case("headless: one cluster's endpoints", "cluster1.db" + S, RecordType.A, 0, "NOERROR",
                        List.of("10.10.2.1", "10.10.2.2")),
                new Case("headless SRV: one per endpoint with its port", "_pg._tcp.db" + S, RecordType.SRV, 0,
                        "NOERROR", List.of("0 33 15432 db-0.cluster1.db" + S + ".", "0 33 15432 10-10-2-2.cluster1.db" + S
                                + ".", "0 33 15432 db-0.cluster2.db" + S + ".")),
                new Case("scaled to 0 everywhere: NODATA", "scaled" + S, RecordType.A, 0, "NOERROR nodata", List.of()),
                new Case("scaled to 0: no SRV", "_http._tcp.scaled" + S, RecordType.SRV, 0, "NOERROR nodata", List.of()),
                new Case("scaled to 0: the cluster's ClusterIP stays", "cluster2.scaled" + S, RecordType.A, 0,
                        "NOERROR", List.of("10.21.0.50")),
                new Case("remote not shared: absent", "private" + S, RecordType.A, 0, "NXDOMAIN", List.of()),
                new Case("dual-stack AAAA", "dual" + S, RecordType.AAAA, 0, "NOERROR", List.of("fd00:11::30")),
                new Case("unnamed port: no SRV name", "_._tcp.dual" + S, RecordType.SRV, 0, "NXDOMAIN", List.of()),
                new Case("ANY", "dual" + S, RecordType.ANY, 0, "NOERROR", List.of("10.11.0.30", "fd00:11::30")),
                new Case("outside the zone", "example.com", RecordType.A, 0, "REFUSED", List.of()),
                new Case("suffix without a dot is outside", "xclusterset.local", RecordType.A, 0, "REFUSED", List.of()),
                new Case("class CH", "dns-version.clusterset.local", RecordType.TXT, 0, "REFUSED chaos", List.of()),
                new Case("zone transfer", "clusterset.local", RecordType.AXFR, 0, "REFUSED", List.of()),
                new Case("a label holding a dot octet never exists", "rebel-base\\046default.svc.clusterset.local",
                        RecordType.A, 0, "NXDOMAIN", List.of()),
                new Case("PTR of a remote clusterset IP", "20.0.21.10.in-addr.arpa", RecordType.PTR, 0, "NOERROR",
                        List.of("remote-only.default.svc.clusterset.local.")),
                new Case("no PTR for the local ClusterIP: its cluster's DNS has one", "10.0.11.10.in-addr.arpa",
                        RecordType.PTR, 0, "REFUSED", List.of()),
                new Case("no PTR for a cluster without active backend", "20.0.41.10.in-addr.arpa", RecordType.PTR, 0,
                        "REFUSED", List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"cases", "serviceCases"})
    void answers(Case c) {
        Answer a = ZONE.answer(new Question(c.qname(), c.type(), c.rcode().endsWith("chaos") ? 3 : 1), c.rotation());
        String rcode = Answer.rcodeLabel(a.rcode()) + (a.nodata() ? " nodata" : "");
        assertThat(rcode).isEqualTo(c.rcode().replace(" chaos", ""));
        assertThat(a.answers()).extracting(ResourceRecord::data).containsExactlyElementsOf(c.answers());
        assertThat(a.answers()).allMatch(r -> r.ttl() == 5);
        if (a.rcode() == Answer.REFUSED) {
            assertThat(a.authoritative()).isFalse();
            assertThat(a.authority()).isEmpty();
        } else {
            assertThat(a.authoritative()).isTrue();
            // RFC 2308: negative answers carry the SOA; positive ones don't need it.
            assertThat(a.authority()).extracting(ResourceRecord::type)
                    .containsExactlyElementsOf(a.answers().isEmpty() ? List.of(RecordType.SOA) : List.of());
        }
    }

    @Test
    void srvAnswersCarryTheTargetsAddresses() {
        Answer a = ZONE.answer(new Question("_pg._tcp.db" + S, RecordType.SRV, 1), 0);
        assertThat(a.additional()).extracting(ResourceRecord::toString).containsExactly(
                "db-0.cluster1.db" + S + ". 5 IN A 10.10.2.1", "10-10-2-2.cluster1.db" + S + ". 5 IN A 10.10.2.2",
                "db-0.cluster2.db" + S + ". 5 IN A 10.20.2.1");
    }

    @Test
    void servicesWhoseNamesAreNotLabelsAreSkippedAndReported() {
        assertThat(SKIPPED).containsExactly("service default/Bad_Name: namespace and name must be DNS labels");
        assertThat(ZONE.exists("bad_name" + S.substring(1))).isFalse();
    }

    /**
     * MCS DNS for a ClusterSetIP import: the clusterset name holds the clusterset IP (with its PTR) even where the
     * cluster has no Service of that name, SRV points at it, and there is no {@code <cluster>.<svc>} name unless asked.
     */
    @Test
    void aClustersetIpImportAnswersItsAddressAndNoClusterNames() {
        ClusterService remote = ZoneFixtures.service("cluster2", "web", "http", 80, "10.21.0.30")
                .addBackends(ZoneFixtures.active("10.20.3.1", "")).build();
        ServiceImport imp = ServiceImport.newBuilder().setCluster("cluster1").setNamespace("default").setName("web")
                .setType(ImportType.CLUSTER_SET_IP).addIps("10.254.0.9").addPorts(remote.getPorts(0)).build();
        ServiceName web = new ServiceName("default", "web");
        MeshSnapshot snap = new MeshSnapshot(3, Map.of(web, List.of(remote)), Map.of(web, imp), Map.of(), Map.of(),
                Map.of(), 0);
        Zone zone = ZoneCompute.compute(SETTINGS, snap, 1);
        assertThat(addresses(zone, "web" + S)).containsExactly("10.254.0.9");
        assertThat(zone.exists("cluster2.web" + S)).isFalse();
        assertThat(zone.answer(new Question("9.0.254.10.in-addr.arpa", RecordType.PTR, 1), 0).answers())
                .extracting(ResourceRecord::data).containsExactly("web" + S + ".");
        assertThat(zone.answer(new Question("_http._tcp.web" + S, RecordType.SRV, 1), 0).answers())
                .extracting(ResourceRecord::data).containsExactly("0 100 80 web" + S + ".");
        assertThat(zone.answer(new Question("web" + S, RecordType.SRV, 1), 0).answers())
                .extracting(ResourceRecord::data).containsExactly("0 100 80 web" + S + ".");

        ZoneSettings withClusters = new ZoneSettings(SETTINGS.apex(), SETTINGS.ttl(), SETTINGS.localCluster(),
                SETTINGS.nameserver(), SETTINGS.nameserverAddresses(), true);
        assertThat(addresses(ZoneCompute.compute(withClusters, snap, 1), "cluster2.web" + S))
                .containsExactly("10.21.0.30");
    }

    @Test
    void goldenZone() {
        assertThat(ZONE.dump()).isEqualTo(GOLDEN);
        assertThat(ZONE.namesServed()).isEqualTo((int) GOLDEN.lines().map(l -> l.split(" ")[0]).distinct().count());
        assertThat(ZONE.meshVersion()).isEqualTo(7);
    }

    @Test
    void theSameSnapshotGivesTheSameZone() {
        assertThat(ZoneCompute.compute(SETTINGS, ZoneFixtures.reference(), 42).dump()).isEqualTo(ZONE.dump());
    }

    @Test
    void aStaleClusterAnswersForTheServiceNameOnlyWhereNoFreshClusterHasActiveBackends() {
        ClusterService db1 = ZoneFixtures.service("cluster1", "db", "pg", 5432).setHeadless(true)
                .addBackends(ZoneFixtures.active("10.10.2.1", "db-0")).build();
        ClusterService db2 = ZoneFixtures.service("cluster2", "db", "pg", 5432).setHeadless(true)
                .addBackends(ZoneFixtures.active("10.20.2.1", "db-0")).build();
        ClusterService web2 = ZoneFixtures.service("cluster2", "web", "http", 80, "10.21.0.9")
                .addBackends(ZoneFixtures.active("10.20.3.1", "")).build();
        ClusterService web3 = ZoneFixtures.service("cluster3", "web", "http", 80, "10.31.0.9")
                .addBackends(ZoneFixtures.active("10.30.3.1", "")).build();
        MeshSnapshot fresh = ZoneFixtures.snapshot(1, db1, db2, web2, web3);
        MeshSnapshot c2Stale = new MeshSnapshot(2, fresh.services(), Map.of(), Map.of("cluster2",
                status("cluster2", Freshness.STALE)), 0);
        Zone before = ZoneCompute.compute(SETTINGS, fresh, 1);
        Zone after = ZoneCompute.compute(SETTINGS, c2Stale, 2);
        assertThat(addresses(before, "db" + S)).containsExactlyInAnyOrder("10.10.2.1", "10.20.2.1");
        assertThat(addresses(after, "db" + S)).containsExactly("10.10.2.1");
        assertThat(addresses(before, "web" + S)).containsExactlyInAnyOrder("10.21.0.9", "10.31.0.9");
        assertThat(addresses(after, "web" + S)).containsExactly("10.31.0.9");
        // Its own names still answer: a client that asks for cluster2 by name gets cluster2.
        assertThat(addresses(after, "cluster2.db" + S)).containsExactly("10.20.2.1");
        assertThat(addresses(after, "cluster2.web" + S)).containsExactly("10.21.0.9");
        // With no fresh active backend left, the stale cluster stands in.
        ClusterService web3Gone = web3.toBuilder().clearBackends().build();
        MeshSnapshot only = new MeshSnapshot(3, ZoneFixtures.snapshot(3, db1, db2, web2, web3Gone).services(),
                Map.of(), c2Stale.clusters(), 0);
        assertThat(addresses(ZoneCompute.compute(SETTINGS, only, 3), "web" + S)).containsExactly("10.21.0.9");
    }

    private static List<String> addresses(Zone zone, String name) {
        return zone.answer(new Question(name, RecordType.A, 1), 0).answers().stream().map(ResourceRecord::data).toList();
    }

    private static ClusterStatus status(String name, Freshness f) {
        return new ClusterStatus(name, 2, true, true, Set.of(), 0, 0, 0, "", Optional.empty(), Optional.empty(),
                Optional.empty(), f, f == Freshness.FRESH ? "" : "no new heartbeat for more than 30s", 1, 1);
    }

    @Test
    void anEmptyMeshServesTheApexAndDnsVersion() {
        assertThat(ZoneCompute.empty(SETTINGS, 1).dump()).isEqualTo("""
                clusterset.local. 5 IN SOA ns.dns.clusterset.local. hostmaster.clusterset.local. 1 7200 1800 86400 5
                clusterset.local. 5 IN NS ns.dns.clusterset.local.
                dns-version.clusterset.local. 5 IN TXT "1.0.0"
                ns.dns.clusterset.local. 5 IN A 127.0.0.1
                """);
    }

    private static final String GOLDEN = """
            10-10-2-2.cluster1.db.default.svc.clusterset.local. 5 IN A 10.10.2.2
            _http._tcp.rebel-base.default.svc.clusterset.local. 5 IN SRV 0 100 80 rebel-base.default.svc.clusterset.local.
            _http._tcp.remote-only.default.svc.clusterset.local. 5 IN SRV 0 100 80 remote-only.default.svc.clusterset.local.
            _pg._tcp.db.default.svc.clusterset.local. 5 IN SRV 0 33 15432 db-0.cluster1.db.default.svc.clusterset.local.
            _pg._tcp.db.default.svc.clusterset.local. 5 IN SRV 0 33 15432 10-10-2-2.cluster1.db.default.svc.clusterset.local.
            _pg._tcp.db.default.svc.clusterset.local. 5 IN SRV 0 33 15432 db-0.cluster2.db.default.svc.clusterset.local.
            cluster1.db.default.svc.clusterset.local. 5 IN A 10.10.2.1
            cluster1.db.default.svc.clusterset.local. 5 IN A 10.10.2.2
            cluster1.dual.default.svc.clusterset.local. 5 IN A 10.11.0.30
            cluster1.dual.default.svc.clusterset.local. 5 IN AAAA fd00:11::30
            cluster1.rebel-base.default.svc.clusterset.local. 5 IN A 10.11.0.10
            cluster2.db.default.svc.clusterset.local. 5 IN A 10.20.2.1
            cluster2.rebel-base.default.svc.clusterset.local. 5 IN A 10.21.0.10
            cluster2.remote-only.default.svc.clusterset.local. 5 IN A 10.21.0.20
            cluster2.scaled.default.svc.clusterset.local. 5 IN A 10.21.0.50
            cluster3.remote-only.default.svc.clusterset.local. 5 IN A 10.31.0.20
            cluster4.remote-only.default.svc.clusterset.local. 5 IN A 10.41.0.20
            clusterset.local. 5 IN SOA ns.dns.clusterset.local. hostmaster.clusterset.local. 42 7200 1800 86400 5
            clusterset.local. 5 IN NS ns.dns.clusterset.local.
            db-0.cluster1.db.default.svc.clusterset.local. 5 IN A 10.10.2.1
            db-0.cluster2.db.default.svc.clusterset.local. 5 IN A 10.20.2.1
            db.default.svc.clusterset.local. 5 IN A 10.10.2.1
            db.default.svc.clusterset.local. 5 IN A 10.10.2.2
            db.default.svc.clusterset.local. 5 IN A 10.20.2.1
            dns-version.clusterset.local. 5 IN TXT \"1.0.0\"
            dual.default.svc.clusterset.local. 5 IN A 10.11.0.30
            dual.default.svc.clusterset.local. 5 IN AAAA fd00:11::30
            ns.dns.clusterset.local. 5 IN A 127.0.0.1
            rebel-base.default.svc.clusterset.local. 5 IN A 10.11.0.10
            remote-only.default.svc.clusterset.local. 5 IN A 10.21.0.20
            remote-only.default.svc.clusterset.local. 5 IN A 10.31.0.20
            20.0.21.10.in-addr.arpa. 5 IN PTR remote-only.default.svc.clusterset.local.
            20.0.31.10.in-addr.arpa. 5 IN PTR remote-only.default.svc.clusterset.local.
            """;
}
