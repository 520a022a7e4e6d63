package dev.clustermesh.proxy.export;

import dev.clustermesh.testing.Eventually;
import static dev.clustermesh.proxy.export.Manifests.CLUSTER;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import dev.clustermesh.core.keys.MeshKey;
import dev.clustermesh.core.keys.ResourceKind;
import dev.clustermesh.proto.mesh.v1.ClusterConfig;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.Heartbeat;
import dev.clustermesh.proxy.ProxyTestEnvironment;
import dev.clustermesh.proxy.config.ProxySettings;
import dev.clustermesh.proxy.export.source.ManifestReader;
import io.etcd.jetcd.Client;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The whole mesh-proxy with the Kubernetes source on a fake API server (CRUD mode, with watches): the same
 * manifests give the same keys and values as the directory source. Part of them exist before the application
 * starts (informers' first list), the rest are created afterwards (watch events).
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = KubernetesExportTest.BeforeStart.class)
@QuarkusTestResource(value = ProxyTestEnvironment.class, restrictToAnnotatedClass = true, initArgs = {
        @ResourceArg(name = "mesh.export.source", value = "kubernetes"),
        @ResourceArg(name = "mesh.export.lease-ttl", value = "3s"),
        @ResourceArg(name = "mesh.export.heartbeat-interval", value = "1s"),
        @ResourceArg(name = "mesh.export.identity", value = "proxy-0")})
class KubernetesExportTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String WEB = "mesh/v1/services/cluster1/demo/web";

    @KubernetesTestServer
    KubernetesServer server;

    @Inject
    ProxySettings settings;

    /**
     * Creates the objects of web.yaml, nodes.yaml and pods.yaml before the application (and its informers)
     * start; pods and their namespace come in the first list, so identities are numbered as the directory
     * source numbers them.
     */
    public static final class BeforeStart implements Consumer<KubernetesServer> {
        @Override
        public void accept(KubernetesServer s) {
            create(s.getClient(), "web.yaml");
            create(s.getClient(), "nodes.yaml");
            create(s.getClient(), "pods.yaml");
        }
    }

    @Test
    @Timeout(120)
    void exportsWhatTheDirectorySourceExportsForTheSameManifests() throws Exception {
        KubernetesClient k8s = server.getClient();
        create(k8s, "db.yaml");
        create(k8s, "cache.yaml");
        create(k8s, "plain.yaml");
        create(k8s, "policies.yaml");
        ClusterConfig config = ExportSettings.from(settings).clusterConfig();
        Map<String, Message> expected = Manifests.expectedData(config, Manifests.source());

        try (Client etcd = Client.builder().endpoints(ProxyTestEnvironment.current().etcd().endpoint()).build()) {
            Eventually.await(WAIT, () -> assertThat(withoutResourceVersions(EtcdKeys.data(etcd, CLUSTER)))
                    .containsExactlyInAnyOrderEntriesOf(expected));
            Eventually.await(WAIT, () -> assertThat(withoutUids(EtcdKeys.policies(etcd, CLUSTER)))
                    .containsExactlyInAnyOrderEntriesOf(Manifests.expectedPolicies(config, Manifests.source())));
            assertThat(((ClusterService) EtcdKeys.get(etcd, WEB)).getResourceVersion()).isNotEmpty();
            assertThat(EtcdKeys.get(etcd, "mesh/v1/config/" + CLUSTER)).isEqualTo(config);
            for (ResourceKind k : ResourceKind.values()) {
                assertThat(EtcdKeys.get(etcd, new MeshKey.Synced(CLUSTER, k).key())).as("canary %s", k).isNotNull();
            }
            assertThat(((Heartbeat) EtcdKeys.get(etcd, "mesh/v1/heartbeat/" + CLUSTER)).getWriter())
                    .isEqualTo("proxy-0");

            k8s.services().inNamespace("demo").withName("web").delete();
            k8s.nodes().withName("node-b").delete();
            k8s.pods().inNamespace("demo").withName("web-1").delete();
            Eventually.await(WAIT, () -> assertThat(EtcdKeys.data(etcd, CLUSTER)).doesNotContainKeys(WEB,
                    "mesh/v1/endpoints/cluster1/10.10.1.5", "mesh/v1/endpoints/cluster1/fd00:10:1::5",
                    "mesh/v1/nodes/cluster1/node-b"));
            assertThat(EtcdKeys.data(etcd, CLUSTER)).containsKeys("mesh/v1/local/services/cluster1/demo/db",
                    "mesh/v1/nodes/cluster1/node-a");
        }
    }

    private static void create(KubernetesClient k8s, String manifest) {
        try {
            String text = Files.readString(Manifests.source().resolve(manifest));
            for (HasMetadata o : ManifestReader.read(manifest, text)) {
                k8s.resource(o).create();
                if (o instanceof Node n && n.getStatus() != null) {
                    // Like a real API server, the fake may drop status on create; a kubelet sets it afterwards.
                    k8s.resource(n).updateStatus();
                } else if (o instanceof Pod p && p.getStatus() != null) {
                    k8s.resource(p).updateStatus();
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the objects of " + manifest + ": " + e.getMessage(), e);
        }
    }

    /** The fake API server sets uid and generation, a manifest has neither. */
    private static Map<String, String> withoutUids(Map<String, String> documents) {
        Map<String, String> out = new TreeMap<>(documents);
        out.replaceAll((k, v) -> v.replaceAll(",?\"uid\":\"[^\"]*\"", "").replaceAll("\"generation\":\\d+,?", ""));
        return out;
    }

    private static Map<String, Message> withoutResourceVersions(Map<String, Message> values) {
        Map<String, Message> out = new TreeMap<>(values);
        out.replaceAll((k, v) -> v instanceof ClusterService s ? s.toBuilder().clearResourceVersion().build() : v);
        return out;
    }
}
