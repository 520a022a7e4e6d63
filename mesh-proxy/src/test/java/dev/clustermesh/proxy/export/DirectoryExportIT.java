package dev.clustermesh.proxy.export;

import dev.clustermesh.testing.Eventually;
import static dev.clustermesh.proxy.export.Manifests.CLUSTER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.tuple;

import dev.clustermesh.core.keys.MeshKey;
import dev.clustermesh.core.keys.ResourceKind;
import dev.clustermesh.proto.mesh.v1.Affinity;
import dev.clustermesh.proto.mesh.v1.Backend;
import dev.clustermesh.proto.mesh.v1.BackendState;
import dev.clustermesh.proto.mesh.v1.ClusterConfig;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.Endpoint;
import dev.clustermesh.proto.mesh.v1.Heartbeat;
import dev.clustermesh.proto.mesh.v1.Identity;
import dev.clustermesh.proto.mesh.v1.Node;
import dev.clustermesh.proto.mesh.v1.Port;
import dev.clustermesh.proto.mesh.v1.SyncCanary;
import dev.clustermesh.proxy.export.source.DirectorySource;
import dev.clustermesh.proxy.export.source.ManifestError;
import dev.clustermesh.testing.etcd.EtcdExtension;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The exporter on a manifest directory against a real etcd. */
@Timeout(180)
class DirectoryExportIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String WEB = "mesh/v1/services/cluster1/demo/web";
    private static final String DB = "mesh/v1/local/services/cluster1/demo/db";
    private static final String CACHE = "mesh/v1/services/cluster1/infra/cache";
    private static final String PLAIN = "mesh/v1/services/cluster1/demo/plain";
    private static final String ENDPOINTS = "mesh/v1/endpoints/cluster1/";
    private static final String IDENTITIES = "mesh/v1/identities/cluster1/";
    private static final String HEARTBEAT = "mesh/v1/heartbeat/cluster1";
    private static final String POLICY = "mesh/v1/local/policies/cluster1/networkpolicy/demo/web-from-db";

    @RegisterExtension
    final EtcdExtension etcd = new EtcdExtension();

    @TempDir
    Path dir;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final List<ManifestError> errors = new CopyOnWriteArrayList<>();
    private SimpleMeterRegistry registry;
    private Client client;

    @BeforeEach
    void connect() {
        client = Client.builder().endpoints(etcd.endpoint()).build();
        resources.add(client);
    }

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(resources);
        for (AutoCloseable r : resources) {
            r.close();
        }
    }

    @Test
    void exportsTheManifestsWithConfigCanariesAndHeartbeat() throws Exception {
        Manifests.copyAll(dir);
        ExportSettings settings = start("replica-a");
        awaitSynced();

        Eventually.await(WAIT, () -> assertThat(EtcdKeys.data(client, CLUSTER))
                .containsExactlyInAnyOrderEntriesOf(Manifests.expectedData(settings.clusterConfig(), dir)));
        assertServices();
        assertNodesAndEndpoints();
        assertConfigAndCanaries(settings);
        assertThat(EtcdKeys.policies(client, CLUSTER)).containsExactlyInAnyOrderEntriesOf(
                Manifests.expectedPolicies(settings.clusterConfig(), dir)).containsKey(POLICY);

        long beat = revision(HEARTBEAT);
        assertThat(((Heartbeat) EtcdKeys.get(client, "mesh/v1/heartbeat/cluster1")).getWriter()).isEqualTo("replica-a");
        Eventually.await(WAIT, () -> assertThat(revision(HEARTBEAT)).isGreaterThan(beat));

        assertThat(registry.get("mesh.export.annotation.warnings").counter().count()).isEqualTo(1);
        assertThat(registry.get("mesh.export.leader").gauge().value()).isEqualTo(1);
        assertThat(registry.get("mesh.export.keys.written").counter().count()).isGreaterThanOrEqualTo(14);
        assertThat(registry.get("mesh.export.lag").timer().count()).isGreaterThanOrEqualTo(1);
        assertThat(registry.get("mesh.export.sync.failures").counter().count()).isZero();
    }

    private void assertServices() throws Exception {
        ClusterService web = (ClusterService) EtcdKeys.get(client, WEB);
        assertThat(web.getClusterIpsList()).containsExactly("10.11.0.10");
        assertThat(web.getPortsList()).extracting(Port::getName, Port::getPort).containsExactly(
                tuple("http", 80), tuple("dns", 53));
        assertThat(web.getShared()).isTrue();
        assertThat(web.getBackendsList()).extracting(Backend::getIp, Backend::getState).containsExactly(
                tuple("10.10.1.5", BackendState.BACKEND_STATE_ACTIVE),
                tuple("10.10.1.6", BackendState.BACKEND_STATE_TERMINATING),
                tuple("10.10.2.8", BackendState.BACKEND_STATE_ACTIVE));
        Backend both = web.getBackends(0);
        assertThat(both.getPortsList()).extracting(Port::getName, Port::getPort).containsExactly(
                tuple("dns", 5353), tuple("http", 8080));
        assertThat(List.of(both.getHostname(), both.getZone(), both.getNode())).containsExactly("web-1", "zone-1",
                "node-a");

        ClusterService db = (ClusterService) EtcdKeys.get(client, DB);
        assertThat(db.getHeadless()).isTrue();
        assertThat(db.getClusterIpsList()).isEmpty();
        assertThat(db.getShared()).isFalse();
        assertThat(db.getAffinity()).isEqualTo(Affinity.AFFINITY_LOCAL);
        assertThat(db.getBackends(0).getHostname()).isEqualTo("db-0");
        assertThat(((ClusterService) EtcdKeys.get(client, CACHE)).getAffinity()).isEqualTo(Affinity.AFFINITY_NONE);
        assertThat(EtcdKeys.get(client, PLAIN)).isNull();
        assertThat(EtcdKeys.get(client, ENDPOINTS + "10.10.1.7")).isNull();
        assertThat(EtcdKeys.get(client, ENDPOINTS + "10.10.1.30")).isNull();
    }

    private void assertNodesAndEndpoints() throws Exception {
        Endpoint web1 = (Endpoint) EtcdKeys.get(client, ENDPOINTS + "10.10.1.5");
        assertThat(List.of(web1.getNamespace(), web1.getPod(), web1.getNode(), web1.getServiceAccount()))
                .containsExactly("demo", "web-1", "node-a", "web");
        assertThat(web1.getNamespaceLabelsMap()).containsEntry("team", "blue");
        assertThat(web1.getNamedPortsList()).extracting(Port::getName, Port::getPort)
                .containsExactly(tuple("dns", 5353), tuple("http", 8080));
        assertThat(web1.getIdentity()).isEqualTo(1 << 16 | 2);
        assertThat(((Endpoint) EtcdKeys.get(client, ENDPOINTS + "fd00:10:1::5")).getIdentity()).isEqualTo(1 << 16 | 2);
        assertThat(((Endpoint) EtcdKeys.get(client, ENDPOINTS + "10.10.2.8")).getIdentity())
                .as("web-4 differs from web-1 in pod-template-hash only").isEqualTo(1 << 16 | 2);
        assertThat(((Endpoint) EtcdKeys.get(client, ENDPOINTS + "10.10.3.1")).getIdentity()).isEqualTo(1 << 16 | 1);
        assertThat(EtcdKeys.under(client, ENDPOINTS).keySet()).hasSize(4);
        assertThat(((Identity) EtcdKeys.get(client, IDENTITIES + (1 << 16 | 2))).getLabelsMap()).containsOnly(
                entry("app", "web"), entry("io.kubernetes.pod.namespace", "demo"),
                entry("io.cilium.k8s.policy.cluster", CLUSTER), entry("io.cilium.k8s.policy.serviceaccount", "web"),
                entry("io.cilium.k8s.namespace.labels.team", "blue"),
                entry("io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name", "demo"));

        Node a = (Node) EtcdKeys.get(client, "mesh/v1/nodes/cluster1/node-a");
        assertThat(a.getAddresses(0).getType()).isEqualTo("InternalIP");
        assertThat(a.getAddresses(0).getAddress()).isEqualTo("172.18.0.2");
        assertThat(a.getPodCidrsList()).containsExactly("10.10.1.0/24", "fd00:10:1::/64");
        assertThat(((Node) EtcdKeys.get(client, "mesh/v1/nodes/cluster1/node-b")).getPodCidrsList())
                .containsExactly("10.10.2.0/24");
    }

    private void assertConfigAndCanaries(ExportSettings settings) throws Exception {
        ClusterConfig config = (ClusterConfig) EtcdKeys.get(client, "mesh/v1/config/cluster1");
        assertThat(config).isEqualTo(settings.clusterConfig());
        assertThat(config.getCapabilities().getSyncCanaries()).isTrue();
        assertThat(config.getCapabilities().getCached()).isTrue();
        assertThat(config.getCapabilities().getMaxConnectedClusters()).isEqualTo(255);
        assertThat(canary(ResourceKind.SERVICES).getKeys()).isEqualTo(3);
        assertThat(canary(ResourceKind.ENDPOINTS).getKeys()).isEqualTo(4);
        assertThat(canary(ResourceKind.IDENTITIES).getKeys()).isEqualTo(2);
        assertThat(canary(ResourceKind.POLICIES).getKeys()).isEqualTo(1);
        assertThat(canary(ResourceKind.NODES).getKeys()).isEqualTo(2);
        assertCanariesWrittenAfterTheirKeys();
    }

    @Test
    void followsFileChangesAndWritesOnlyWhatChanged() throws Exception {
        Manifests.copy(dir, "web.yaml", "plain.yaml", "nodes.yaml");
        start("replica-a");
        awaitSynced();
        long webRevision = revision(WEB);
        String plain = read("plain.yaml");

        write("plain.yaml", plain.replace("  namespace: demo\nspec:",
                "  namespace: demo\n  annotations:\n    service.cilium.io/global: \"true\"\nspec:"));
        Eventually.await(WAIT, () -> assertThat(EtcdKeys.get(client, PLAIN)).isNotNull());
        assertThat(((ClusterService) EtcdKeys.get(client, PLAIN)).getBackendsCount()).isEqualTo(1);
        assertThat(EtcdKeys.get(client, ENDPOINTS + "10.10.1.30")).as("backends without Pods are no endpoints")
                .isNull();
        assertThat(revision(WEB)).as("an unchanged value is not rewritten").isEqualTo(webRevision);

        write("plain.yaml", plain);
        Eventually.await(WAIT, () -> assertThat(EtcdKeys.get(client, PLAIN)).isNull());
        assertThat(EtcdKeys.get(client, ENDPOINTS + "10.10.1.30")).isNull();

        String service = read("web.yaml").split("\n---\n")[0];
        write("web.yaml", service + "\n---\n" + """
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: web-a
                  namespace: demo
                  labels:
                    kubernetes.io/service-name: web
                addressType: IPv4
                endpoints: []
                """);
        Eventually.await(WAIT, () -> assertThat(((ClusterService) EtcdKeys.get(client, WEB)).getBackendsCount())
                .isZero());
        assertThat(EtcdKeys.under(client, ENDPOINTS)).isEmpty();

        Manifests.copy(dir, "db.yaml");
        Eventually.await(WAIT, () -> assertThat(EtcdKeys.get(client, DB)).isNotNull());
        Files.delete(dir.resolve("web.yaml"));
        Files.delete(dir.resolve("nodes.yaml"));
        Eventually.await(WAIT, () -> assertThat(EtcdKeys.data(client, CLUSTER).keySet())
                .containsExactlyInAnyOrder(DB));
        // Counted once the writes are done, which a reader of etcd may see a moment before.
        Eventually.await(WAIT, () -> assertThat(registry.get("mesh.export.keys.deleted").counter().count())
                .isGreaterThanOrEqualTo(4));
    }

    @Test
    void reportsAMalformedFileWithItsLineAndKeepsItsObjects() throws Exception {
        Manifests.copy(dir, "web.yaml", "cache.yaml");
        start("replica-a");
        awaitSynced();
        ClusterService before = (ClusterService) EtcdKeys.get(client, CACHE);
        long revision = revision(CACHE);
        String remote = read("cache.yaml").replace("affinity: sideways", "affinity: remote");
        long lines = remote.lines().count();

        write("cache.yaml", remote + "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: [broken\n");
        Eventually.await(WAIT, () -> assertThat(errors).hasSize(1));
        ManifestError error = errors.get(0);
        assertThat(error.file()).endsWith("cache.yaml");
        assertThat(error.line()).isEqualTo(lines + 5);
        assertThat(error.message()).contains("invalid YAML");
        assertThat(registry.get(DirectorySource.MANIFEST_ERRORS).counter().count()).isEqualTo(1);

        Manifests.copy(dir, "db.yaml");
        Eventually.await(WAIT, () -> assertThat(EtcdKeys.get(client, DB)).isNotNull());
        assertThat(EtcdKeys.get(client, CACHE)).as("the bad file's earlier objects stay").isEqualTo(before);
        assertThat(revision(CACHE)).isEqualTo(revision);

        write("cache.yaml", remote);
        Eventually.await(WAIT, () -> assertThat(((ClusterService) EtcdKeys.get(client, CACHE)).getAffinity())
                .isEqualTo(Affinity.AFFINITY_REMOTE));
        assertThat(errors).hasSize(1);
    }

    @Test
    void aRestartDeletesThisClustersStaleKeysOnly() throws Exception {
        List<String> foreign = List.of("mesh/v1/services/cluster2/demo/web", "mesh/v1/config/cluster2",
                "mesh/v1/nodes/cluster2/node-z", "mesh/v1/config/cluster10", "mesh/v1/services/cluster10/demo/web",
                "mesh/v1/endpoints/cluster10/10.10.1.5", "mesh/v1/identities/cluster10/655361",
                "mesh/v1/local/policies/cluster2/networkpolicy/demo/web-from-db", "mesh-internal/election/cluster2",
                "unrelated/key");
        List<String> stale = List.of("mesh/v1/services/cluster1/old/gone", "mesh/v1/local/services/cluster1/old/gone",
                ENDPOINTS + "10.99.0.1", "mesh/v1/nodes/cluster1/node-gone", "mesh/v1/synced/cluster1/bogus",
                IDENTITIES + (1 << 16 | 77), "mesh/v1/local/policies/cluster1/networkpolicy/demo/gone");
        for (String k : foreign) {
            EtcdKeys.put(client, k, "x");
        }
        for (String k : stale) {
            EtcdKeys.put(client, k, "stale");
        }
        Manifests.copyAll(dir);
        Exporter first = exporter("replica-a");
        awaitSynced();
        ClusterConfig config = Manifests.settings("x", Duration.ofSeconds(5), Duration.ofSeconds(1)).clusterConfig();
        Eventually.await(WAIT, () -> assertThat(EtcdKeys.data(client, CLUSTER))
                .containsExactlyInAnyOrderEntriesOf(Manifests.expectedData(config, dir)));
        Map<String, KeyValue> all = EtcdKeys.under(client, "");
        assertThat(all).doesNotContainKeys(stale.toArray(String[]::new));
        assertForeignIntact(foreign);
        Map<String, KeyValue> firstRun = EtcdKeys.under(client, "mesh/v1/");

        first.close();
        Files.delete(dir.resolve("cache.yaml"));
        start("replica-b");
        Eventually.await(WAIT, () -> assertThat(((Heartbeat) EtcdKeys.get(client, "mesh/v1/heartbeat/cluster1"))
                .getWriter()).isEqualTo("replica-b"));
        Eventually.await(WAIT, () -> assertThat(EtcdKeys.data(client, CLUSTER))
                .containsExactlyInAnyOrderEntriesOf(Manifests.expectedData(config, dir)));
        assertThat(EtcdKeys.get(client, CACHE)).isNull();
        assertThat(EtcdKeys.get(client, ENDPOINTS + "10.10.2.20")).isNull();
        for (String key : EtcdKeys.data(client, CLUSTER).keySet()) {
            assertThat(revision(key)).as("%s was rewritten", key).isEqualTo(firstRun.get(key).getModRevision());
        }
        assertForeignIntact(foreign);
    }

    @Test
    void identitiesKeepTheirNumbersAcrossARestartAndAreReleasedAfterTheGrace() throws Exception {
        Manifests.copy(dir, "pods.yaml");
        Exporter first = exporter("replica-a");
        awaitSynced();
        int db = 1 << 16 | 1;
        int web = 1 << 16 | 2;
        assertThat(((Endpoint) EtcdKeys.get(client, ENDPOINTS + "10.10.1.5")).getIdentity()).isEqualTo(web);

        first.close();
        String pods = read("pods.yaml");
        String withoutDb = pods.replaceFirst("(?s)---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: db-0.*?(?=---)",
                "");
        assertThat(withoutDb).doesNotContain("name: db-0");
        write("pods.yaml", withoutDb);
        start("replica-b");
        Eventually.await(WAIT, () -> assertThat(((Heartbeat) EtcdKeys.get(client, "mesh/v1/heartbeat/cluster1"))
                .getWriter()).isEqualTo("replica-b"));
        Eventually.await(WAIT, () -> assertThat(EtcdKeys.get(client, ENDPOINTS + "10.10.3.1")).isNull());
        assertThat(((Endpoint) EtcdKeys.get(client, ENDPOINTS + "10.10.1.5")).getIdentity())
                .as("web keeps its number although it is now the only label set").isEqualTo(web);
        Eventually.await(WAIT, () -> assertThat(EtcdKeys.get(client, IDENTITIES + db)).as("released after the grace")
                .isNull());
        assertThat(EtcdKeys.get(client, IDENTITIES + web)).isNotNull();

        write("pods.yaml", withoutDb + "---\n" + pods.substring(pods.indexOf("apiVersion: v1\nkind: Pod\n"))
                .split("---\n")[0].replace("app: db", "app: db2"));
        Eventually.await(WAIT, () -> assertThat(EtcdKeys.get(client, ENDPOINTS + "10.10.3.1")).isNotNull());
        assertThat(((Endpoint) EtcdKeys.get(client, ENDPOINTS + "10.10.3.1")).getIdentity())
                .as("the lowest free number").isEqualTo(db);
        assertThat(registry.get("mesh.export.identities").tag("cluster", CLUSTER).gauge().value()).isEqualTo(2);
        assertThat(registry.get("mesh.export.endpoints").tag("cluster", CLUSTER).gauge().value()).isEqualTo(4);
    }

    @Test
    void convergesAfterEtcdComesBack() throws Exception {
        Manifests.copy(dir, "web.yaml", "nodes.yaml");
        ExportSettings settings = start("replica-a");
        awaitSynced();

        etcd.process().kill();
        Manifests.copy(dir, "db.yaml");
        Files.delete(dir.resolve("nodes.yaml"));
        etcd.process().restart();

        Eventually.await(Duration.ofSeconds(40), () -> assertThat(EtcdKeys.data(client, CLUSTER))
                .containsExactlyInAnyOrderEntriesOf(Manifests.expectedData(settings.clusterConfig(), dir))
                .containsKey(DB));
        assertThat(EtcdKeys.get(client, WEB)).isNotNull();
    }

    /** Issue 14: an etcd back without its data (a lost disk) gets everything again, canaries last. */
    @Test
    void exportsEverythingAgainToAnEtcdBackWithoutItsData() throws Exception {
        Manifests.copy(dir, "web.yaml", "nodes.yaml");
        ExportSettings settings = start("replica-a");
        awaitSynced();

        etcd.process().restartEmpty();

        Eventually.await(Duration.ofSeconds(40), () -> assertThat(EtcdKeys.data(client, CLUSTER))
                .containsExactlyInAnyOrderEntriesOf(Manifests.expectedData(settings.clusterConfig(), dir)));
        awaitSynced();
        assertCanariesWrittenAfterTheirKeys();
    }

    private ExportSettings start(String identity) {
        exporter(identity);
        return Manifests.settings(identity, Duration.ofSeconds(5), Duration.ofMillis(500));
    }

    private Exporter exporter(String identity) {
        Client etcdClient = Client.builder().endpoints(etcd.endpoint()).build();
        registry = new SimpleMeterRegistry();
        Exporter exporter = Exporter.create(Manifests.settings(identity, Duration.ofSeconds(5), Duration.ofMillis(500)),
                etcdClient, new DirectorySource(dir, registry, errors::add), registry);
        resources.addAll(List.of(etcdClient, exporter));
        exporter.start();
        return exporter;
    }

    private void awaitSynced() {
        Eventually.await(WAIT, () -> {
            for (ResourceKind k : ResourceKind.values()) {
                assertThat(canary(k)).as("canary of %s", k).isNotNull();
            }
        });
    }

    private void assertCanariesWrittenAfterTheirKeys() throws Exception {
        EtcdKeys.assertCanariesWrittenAfterTheirKeys(client, CLUSTER);
    }

    private SyncCanary canary(ResourceKind kind) throws Exception {
        return (SyncCanary) EtcdKeys.get(client, new MeshKey.Synced(CLUSTER, kind).key());
    }

    private long revision(String key) throws Exception {
        return EtcdKeys.under(client, key).get(key).getModRevision();
    }

    private void assertForeignIntact(List<String> keys) throws Exception {
        Map<String, KeyValue> all = EtcdKeys.under(client, "");
        for (String k : keys) {
            assertThat(all).containsKey(k);
            assertThat(all.get(k).getValue().toString()).isEqualTo("x");
        }
    }

    private String read(String name) throws Exception {
        return Files.readString(Manifests.source().resolve(name));
    }

    /** Writes through a hidden temporary file and a rename, as careful tools do; the source ignores hidden files. */
    private void write(String name, String text) throws Exception {
        Path tmp = dir.resolve("." + name + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
