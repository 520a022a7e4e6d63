package dev.clustermesh.k8s;

import static dev.clustermesh.k8s.Overlays.DNS;
import static dev.clustermesh.k8s.Overlays.NAMESPACE;
import static dev.clustermesh.k8s.Overlays.PROXY;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Per overlay: namespace, cluster identity, RBAC, Services, images and the CoreDNS forward. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OverlayClusterIT {
    private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace", "ClusterRole", "ClusterRoleBinding",
            "CustomResourceDefinition");
    private static final Pattern FORWARD = Pattern.compile("(?m)^\\s*forward\\s+\\.\\s+(\\S+)");

    static Stream<String> overlays() {
        return Overlays.names();
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everythingIsInTheMeshNamespace(String overlay) {
        Rendered r = Overlays.render(overlay);
        r.one(Namespace.class, NAMESPACE);
        for (HasMetadata o : r.objects()) {
            String expected = CLUSTER_SCOPED.contains(o.getKind()) ? null : NAMESPACE;
            assertThat(o.getMetadata().getNamespace()).as("%s: namespace of %s %s", overlay, o.getKind(),
                    o.getMetadata().getName()).isEqualTo(expected);
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyWorkloadKnowsThisClustersNameAndId(String overlay) {
        Rendered r = Overlays.render(overlay);
        for (Overlays.Workload w : Overlays.workloads().toList()) {
            assertThat(r.environment(r.container(w.name()))).as("%s: identity of %s", overlay, w.name())
                    .containsEntry("MESH_CLUSTER_NAME", overlay)
                    .containsEntry("MESH_CLUSTER_ID", String.valueOf(Overlays.CLUSTER_IDS.get(overlay)));
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void proxyMayReadServicesEndpointSlicesAndNodes(String overlay) {
        Rendered r = Overlays.render(overlay);
        String account = r.podTemplate(PROXY.name()).getSpec().getServiceAccountName();
        r.one(ServiceAccount.class, account);

        Set<String> granted = new TreeSet<>();
        for (ClusterRoleBinding b : r.all(ClusterRoleBinding.class)) {
            boolean bound = b.getSubjects().stream().anyMatch(s -> "ServiceAccount".equals(s.getKind())
                    && account.equals(s.getName()) && NAMESPACE.equals(s.getNamespace()));
            if (bound && "ClusterRole".equals(b.getRoleRef().getKind())) {
                for (PolicyRule rule : r.one(ClusterRole.class, b.getRoleRef().getName()).getRules()) {
                    for (String group : rule.getApiGroups()) {
                        for (String resource : rule.getResources()) {
                            rule.getVerbs().forEach(verb -> granted.add(group + "/" + resource + ":" + verb));
                        }
                    }
                }
            }
        }
        for (String resource : List.of("/services", "/nodes", "/pods", "/namespaces",
                "discovery.k8s.io/endpointslices", "networking.k8s.io/networkpolicies",
                "cilium.io/ciliumnetworkpolicies")) {
            for (String verb : List.of("get", "list", "watch")) {
                assertThat(granted).as("%s: mesh-proxy's grants", overlay).contains(resource + ":" + verb);
            }
        }
        for (String verb : List.of("get", "list", "watch")) {
            assertThat(granted).as("%s: mesh-proxy reads ServiceExports", overlay)
                    .contains("multicluster.x-k8s.io/serviceexports:" + verb);
        }
        // It writes only the Multi-Cluster Services API's objects it keeps: ServiceExport status, ServiceImports and
        // their EndpointSlices.
        assertThat(granted).as("%s: mesh-proxy writes only MCS status, imports and their slices", overlay)
                .allSatisfy(g -> assertThat(g).matches(".*:(get|list|watch)|(multicluster\\.x-k8s\\.io/"
                        + "(serviceexports/status|serviceimports|serviceimports/status)|discovery\\.k8s\\.io/endpointslices)"
                        + ":(create|update|patch|delete)"));
        assertThat(granted).as("%s: mesh-proxy keeps ServiceImports", overlay).contains(
                "multicluster.x-k8s.io/serviceimports:create", "multicluster.x-k8s.io/serviceexports/status:patch");
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void onlyTheProxyTalksToTheKubernetesApi(String overlay) {
        Rendered r = Overlays.render(overlay);
        for (Overlays.Workload w : List.of(Overlays.AGENT, DNS)) {
            PodSpec pod = r.podTemplate(w.name()).getSpec();
            assertThat(pod.getAutomountServiceAccountToken()).as("%s: %s token", overlay, w.name()).isFalse();
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void servicesReachTheRightContainerPorts(String overlay) {
        Rendered r = Overlays.render(overlay);
        Service proxy = r.one(Service.class, PROXY.name());
        assertThat(proxy.getSpec().getType()).isIn("NodePort", "LoadBalancer", "ClusterIP");
        ServicePort api = proxy.getSpec().getPorts().stream().filter(p -> p.getPort() == 2379).findFirst()
                .orElseThrow(() -> new AssertionError(overlay + ": mesh-proxy Service has no port 2379"));
        assertThat(targetPort(r.container(PROXY.name()), api)).isEqualTo(2379);
        assertThat(r.podTemplate(PROXY.name()).getMetadata().getLabels()).as("%s: mesh-proxy pods", overlay)
                .containsAllEntriesOf(proxy.getSpec().getSelector());

        Service dns = r.one(Service.class, DNS.name());
        assertThat(dns.getSpec().getPorts()).as("%s: mesh-dns Service ports", overlay)
                .extracting(p -> p.getPort() + "/" + p.getProtocol() + "->" + targetPort(r.container(DNS.name()), p))
                .containsExactlyInAnyOrder("53/UDP->53", "53/TCP->53");
        assertThat(r.podTemplate(DNS.name()).getMetadata().getLabels()).as("%s: mesh-dns pods", overlay)
                .containsAllEntriesOf(dns.getSpec().getSelector());
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void meshImagesComeFromOneRepositoryWithOneTag(String overlay) {
        Rendered r = Overlays.render(overlay);
        Set<String> tags = new TreeSet<>();
        for (Overlays.Workload w : Overlays.workloads().toList()) {
            for (Container c : r.podTemplate(w.name()).getSpec().getContainers()) {
                String image = c.getImage();
                assertThat(image).as("%s: image of %s", overlay, c.getName())
                        .startsWith(Overlays.IMAGE_REPOSITORY + w.name() + ":");
                tags.add(image.substring(image.lastIndexOf(':') + 1));
            }
        }
        assertThat(tags).as("%s: mesh image tags", overlay).hasSize(1);
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void coreDnsForwardsClustersetLocalToMeshDns(String overlay) {
        String stanza = Repo.read(Repo.k8s().resolve("overlays").resolve(overlay).resolve("coredns-clusterset.server"));
        assertThat(stanza).containsPattern("(?m)^clusterset\\.local(:53)?\\s*\\{");
        Matcher m = FORWARD.matcher(stanza);
        assertThat(m.find()).as("a forward line in %s/coredns-clusterset.server", overlay).isTrue();
        Service dns = Overlays.render(overlay).one(Service.class, DNS.name());
        assertThat(m.group(1)).as("%s: CoreDNS forwards to the mesh-dns Service's clusterIP", overlay)
                .isEqualTo(dns.getSpec().getClusterIP());
    }

    /** A real API server refuses a clusterIP outside its --service-cluster-ip-range: the pin must be in the CIDR. */
    @ParameterizedTest
    @MethodSource("overlays")
    void meshDnsAddressLiesInTheOverlaysServiceCidr(String overlay) {
        Rendered r = Overlays.render(overlay);
        Map<String, String> env = r.environment(r.container(DNS.name()));
        String cidrs = env.getOrDefault("MESH_CLUSTER_SERVICE_CIDRS", "");
        assertThat(cidrs).as("%s: MESH_CLUSTER_SERVICE_CIDRS in the mesh-cluster ConfigMap", overlay).isNotBlank();
        assertThat(env.get("MESH_CLUSTER_POD_CIDRS")).as("%s: MESH_CLUSTER_POD_CIDRS", overlay).isNotBlank();
        String ip = r.one(Service.class, DNS.name()).getSpec().getClusterIP();
        assertThat(Arrays.stream(cidrs.split(",")).anyMatch(c -> Cidrs.contains(c.trim(), ip)))
                .as("%s: mesh-dns clusterIP %s inside %s", overlay, ip, cidrs).isTrue();
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void onlyTheTwoMeshSecretsComeFromOutside(String overlay) {
        Rendered r = Overlays.render(overlay);
        Set<String> secrets = new TreeSet<>();
        for (Overlays.Workload w : Overlays.workloads().toList()) {
            PodSpec pod = r.podTemplate(w.name()).getSpec();
            r.one(ServiceAccount.class, pod.getServiceAccountName());
            pod.getVolumes().stream().filter(v -> v.getSecret() != null)
                    .forEach(v -> secrets.add(v.getSecret().getSecretName()));
        }
        assertThat(secrets).as("%s: Secrets meshctl creates", overlay)
                .containsExactlyInAnyOrder(Overlays.CLUSTERS_SECRET, Overlays.PROXY_TLS_SECRET);
    }

    private static int targetPort(Container c, ServicePort sp) {
        if (sp.getTargetPort().getStrVal() == null) {
            return sp.getTargetPort().getIntVal();
        }
        return c.getPorts().stream()
                .filter(p -> sp.getTargetPort().getStrVal().equals(p.getName()) && sp.getProtocol().equals(p.getProtocol()))
                .findFirst().orElseThrow(() -> new AssertionError(c.getName() + " has no " + sp.getProtocol()
                        + " port named " + sp.getTargetPort().getStrVal()))
                .getContainerPort();
    }
}
