package dev.clustermesh.k8s;

import static dev.clustermesh.k8s.Overlays.AGENT;
import static dev.clustermesh.k8s.Overlays.CLUSTERS_SECRET;
import static dev.clustermesh.k8s.Overlays.DNS;
import static dev.clustermesh.k8s.Overlays.PROXY;
import static dev.clustermesh.k8s.Overlays.PROXY_TLS_SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The three mesh workloads (and etcd) of every overlay, as {@code kubectl kustomize} renders them. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OverlayWorkloadsIT {

    static Stream<String> overlays() {
        return Overlays.names();
    }

    static Stream<Arguments> overlayWorkloads() {
        return Overlays.names().flatMap(o -> Overlays.workloads().map(w -> Arguments.of(o, w)));
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyWorkloadIsThere(String overlay) {
        Rendered r = Overlays.render(overlay);

        Deployment proxy = r.one(Deployment.class, PROXY.name());
        assertThat(proxy.getSpec().getReplicas()).as("%s: mesh-proxy replicas (lease election)", overlay)
                .isGreaterThanOrEqualTo(2);
        r.one(DaemonSet.class, AGENT.name());
        r.one(Deployment.class, DNS.name());
        StatefulSet etcd = r.one(StatefulSet.class, "mesh-etcd");
        assertThat(r.environment(r.container(PROXY.name())))
                .as("%s: the proxy's etcd is the mesh-etcd Service", overlay)
                .containsEntry("MESH_ETCD_ENDPOINTS", "http://" + etcd.getSpec().getServiceName() + ":2379");
    }

    @ParameterizedTest
    @MethodSource("overlayWorkloads")
    void probesAndMetricsAreOnTheManagementPort(String overlay, Overlays.Workload w) {
        Rendered r = Overlays.render(overlay);
        Container c = r.container(w.name());

        ContainerPort management = port(c, "management");
        assertThat(management.getContainerPort()).as("%s %s management port", overlay, w.name())
                .isEqualTo(w.managementPort());
        assertHttpProbe(c.getLivenessProbe(), "/q/health/live", overlay, w);
        assertHttpProbe(c.getReadinessProbe(), "/q/health/ready", overlay, w);
        assertThat(r.podTemplate(w.name()).getMetadata().getAnnotations()).as("%s %s scrape", overlay, w.name())
                .containsEntry("prometheus.io/scrape", "true")
                .containsEntry("prometheus.io/port", String.valueOf(w.managementPort()))
                .containsEntry("prometheus.io/path", "/metrics");
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void agentProgramsTheNodeWithNftables(String overlay) {
        Rendered r = Overlays.render(overlay);
        PodSpec pod = r.podTemplate(AGENT.name()).getSpec();
        Container c = r.container(AGENT.name());

        assertThat(pod.getHostNetwork()).as("%s: agent hostNetwork", overlay).isTrue();
        assertThat(pod.getDnsPolicy()).as("%s: agent resolves Services", overlay).isEqualTo("ClusterFirstWithHostNet");
        assertThat(pod.getTolerations()).as("%s: agent on every node", overlay)
                .anySatisfy(t -> assertThat(t.getOperator()).isEqualTo("Exists"));
        assertThat(c.getSecurityContext().getCapabilities().getAdd()).as("%s: agent capabilities", overlay)
                .contains("NET_ADMIN");
        assertThat(r.environment(c)).as("%s: agent environment", overlay)
                .containsEntry("MESH_DATAPATH_MODE", "nftables")
                .containsEntry("QUARKUS_HTTP_HOST", "127.0.0.1")
                .containsEntry("QUARKUS_HTTP_PORT", "9876")
                .containsEntry("MESH_NODE_NAME", "<from spec.nodeName>");
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void agentAndDnsReadTheClustersSecretAsTheirClustersDirectory(String overlay) {
        Rendered r = Overlays.render(overlay);
        for (Overlays.Workload w : List.of(AGENT, DNS)) {
            Container c = r.container(w.name());
            String dir = r.environment(c).get("MESH_CLUSTERS_DIR");
            assertThat(dir).as("%s %s MESH_CLUSTERS_DIR", overlay, w.name()).isNotBlank();
            VolumeMount mount = mountAt(c, dir, overlay);
            assertThat(mount.getReadOnly()).as("%s %s clusters mount read-only", overlay, w.name()).isTrue();
            assertThat(secretOf(r.podTemplate(w.name()).getSpec(), mount)).as("%s %s clusters volume", overlay, w.name())
                    .isEqualTo(CLUSTERS_SECRET);
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void proxyServesTheEtcdApiWithItsTlsSecret(String overlay) {
        Rendered r = Overlays.render(overlay);
        Container c = r.container(PROXY.name());
        Map<String, String> env = r.environment(c);

        assertThat(port(c, "etcd-api").getContainerPort()).isEqualTo(2379);
        assertThat(env).containsEntry("MESH_EXPORT_SOURCE", "kubernetes").containsKey("POD_NAME");
        for (String file : List.of("MESH_TLS_CERT", "MESH_TLS_KEY", "MESH_TLS_CA")) {
            String path = env.get(file);
            assertThat(path).as("%s: %s", overlay, file).isNotBlank();
            VolumeMount mount = mountAt(c, path.substring(0, path.lastIndexOf('/')), overlay);
            assertThat(secretOf(r.podTemplate(PROXY.name()).getSpec(), mount)).as("%s: %s volume", overlay, file)
                    .isEqualTo(PROXY_TLS_SECRET);
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void dnsListensOn53(String overlay) {
        Rendered r = Overlays.render(overlay);
        Container c = r.container(DNS.name());
        assertThat(r.environment(c)).containsEntry("MESH_DNS_PORT", "53");
        assertThat(c.getPorts()).as("%s: mesh-dns container ports", overlay)
                .anySatisfy(p -> assertThat(List.of(p.getContainerPort(), p.getProtocol())).containsExactly(53, "UDP"))
                .anySatisfy(p -> assertThat(List.of(p.getContainerPort(), p.getProtocol())).containsExactly(53, "TCP"));
        assertThat(r.podTemplate(DNS.name()).getSpec().getSecurityContext().getSysctls())
                .as("%s: a non-root mesh-dns may bind 53", overlay)
                .anySatisfy(s -> assertThat(List.of(s.getName(), s.getValue()))
                        .containsExactly("net.ipv4.ip_unprivileged_port_start", "53"));
    }

    static ContainerPort port(Container c, String name) {
        return c.getPorts().stream().filter(p -> name.equals(p.getName())).findFirst()
                .orElseThrow(() -> new AssertionError(c.getName() + " has no port named " + name));
    }

    private static void assertHttpProbe(Probe probe, String path, String overlay, Overlays.Workload w) {
        assertThat(probe).as("%s %s probe %s", overlay, w.name(), path).isNotNull();
        HTTPGetAction get = probe.getHttpGet();
        assertThat(get).as("%s %s probe %s is an HTTP GET", overlay, w.name(), path).isNotNull();
        assertThat(get.getPath()).isEqualTo(path);
        Object port = get.getPort().getStrVal() != null ? get.getPort().getStrVal() : get.getPort().getIntVal();
        assertThat(port).as("%s %s probe %s port", overlay, w.name(), path)
                .isIn("management", w.managementPort());
    }

    private static VolumeMount mountAt(Container c, String dir, String overlay) {
        return c.getVolumeMounts().stream().filter(m -> dir.equals(m.getMountPath())).findFirst()
                .orElseThrow(() -> new AssertionError(overlay + ": " + c.getName() + " mounts nothing at " + dir));
    }

    private static String secretOf(PodSpec pod, VolumeMount mount) {
        Volume v = pod.getVolumes().stream().filter(x -> x.getName().equals(mount.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + mount.getName()));
        assertThat(v.getSecret()).as("volume %s is a Secret", v.getName()).isNotNull();
        return v.getSecret().getSecretName();
    }
}
