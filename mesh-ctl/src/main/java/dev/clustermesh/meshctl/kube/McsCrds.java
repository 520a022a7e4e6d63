package dev.clustermesh.meshctl.kube;

import dev.clustermesh.meshctl.cli.MeshCtlException;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The Multi-Cluster Services API CRDs (ServiceExport, ServiceImport, ClusterProperty) as k8s/base/mcs-crds.yaml
 * ships them, installed or updated by {@code meshctl clustermesh enable}.
 */
final class McsCrds {
    static final String RESOURCE = "/k8s/mcs-crds.yaml";

    private McsCrds() {
    }

    /** The CRDs of the shipped file. */
    static List<CustomResourceDefinition> load(KubernetesClient k) {
        try (InputStream in = McsCrds.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new MeshCtlException("this meshctl lacks " + RESOURCE + " (a build without k8s/base)");
            }
            List<CustomResourceDefinition> out = new ArrayList<>();
            for (HasMetadata o : k.load(in).items()) {
                if (o instanceof CustomResourceDefinition crd) {
                    out.add(crd);
                }
            }
            return out;
        } catch (IOException e) {
            throw new MeshCtlException("cannot read " + RESOURCE + ": " + e.getMessage(), e);
        }
    }

    /**
     * The KEP-2149 ClusterProperties {@code cluster.clusterset.k8s.io} (and the older {@code id.k8s.io}) naming this
     * cluster in the clusterset (its mesh name, which the MCS DNS names use), created when missing. An existing one is
     * left as it is (the KEP forbids changing it) and described when it names another cluster, so the caller can warn.
     */
    static java.util.Optional<String> claimClusterProperty(KubernetesClient k, String cluster) {
        // A CRD just created is served a moment later (once Established): 404 until then.
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return claim(k, cluster);
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 404 || System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(200); // retry pacing while the API server establishes the CRD
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private static java.util.Optional<String> claim(KubernetesClient k, String cluster) {
        io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext ctx =
                new io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext.Builder().withGroup("about.k8s.io")
                        .withVersion("v1alpha1").withKind("ClusterProperty").withPlural("clusterproperties")
                        .withNamespaced(false).build();
        var properties = k.genericKubernetesResources(ctx);
        java.util.Optional<String> other = java.util.Optional.empty();
        for (String name : List.of(CLUSTER_PROPERTY, LEGACY_CLUSTER_PROPERTY)) {
            io.fabric8.kubernetes.api.model.GenericKubernetesResource current = properties.withName(name).get();
            if (current != null) {
                Object spec = current.getAdditionalProperties().get("spec");
                Object value = spec instanceof java.util.Map<?, ?> m ? m.get("value") : null;
                if (!cluster.equals(value) && other.isEmpty()) {
                    other = java.util.Optional.of(name + " says '" + value + "'");
                }
                continue;
            }
            var p = new io.fabric8.kubernetes.api.model.GenericKubernetesResource();
            p.setApiVersion("about.k8s.io/v1alpha1");
            p.setKind("ClusterProperty");
            p.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).build());
            p.setAdditionalProperty("spec", java.util.Map.of("value", cluster));
            properties.resource(p).create();
        }
        return other;
    }

    /** The ClusterProperty that names a cluster within its clusterset (KEP-2149). */
    static final String CLUSTER_PROPERTY = "cluster.clusterset.k8s.io";
    /** Its name in KEP-2149's first version, still read by older MCS implementations. */
    static final String LEGACY_CLUSTER_PROPERTY = "id.k8s.io";

    /** Creates each CRD, or updates it to the shipped one; returns their names. */
    static List<String> install(KubernetesClient k) {
        List<String> names = new ArrayList<>();
        for (CustomResourceDefinition crd : load(k)) {
            k.apiextensions().v1().customResourceDefinitions().resource(crd).createOr(e -> e.update());
            names.add(crd.getMetadata().getName());
        }
        return names;
    }
}
