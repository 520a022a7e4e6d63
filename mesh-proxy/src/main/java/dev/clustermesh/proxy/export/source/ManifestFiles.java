package dev.clustermesh.proxy.export.source;

import dev.clustermesh.core.keys.PolicyKind;
import dev.clustermesh.proxy.export.inventory.ExportObject;
import dev.clustermesh.proxy.export.inventory.Inventory;
import dev.clustermesh.proxy.export.inventory.NamespaceObject;
import dev.clustermesh.proxy.export.inventory.NodeObject;
import dev.clustermesh.proxy.export.inventory.ObjectRef;
import dev.clustermesh.proxy.export.inventory.PodObject;
import dev.clustermesh.proxy.export.inventory.PolicyObject;
import dev.clustermesh.proxy.export.inventory.PropertyObject;
import dev.clustermesh.proxy.export.inventory.ServiceObject;
import dev.clustermesh.proxy.export.inventory.SliceObject;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The last good objects of each manifest file of a directory. Not thread-safe: one owner thread.
 */
final class ManifestFiles {
    private static final Logger LOG = Logger.getLogger(ManifestFiles.class);

    /**
     * A file's last read content and the objects of the last content that parsed.
     *
     * @param content the bytes last read (good or bad), to skip files that did not change
     * @param objects the objects of the last good content
     */
    private record FileState(byte[] content, List<HasMetadata> objects) {
    }

    private final Path dir;
    private final Consumer<ManifestError> onError;
    private final Map<Path, FileState> files = new TreeMap<>();

    ManifestFiles(Path dir, Consumer<ManifestError> onError) {
        this.dir = dir;
        this.onError = onError;
    }

    int size() {
        return files.size();
    }

    /**
     * Re-reads the directory: files gone are forgotten, new or changed files are parsed; a file that does not
     * parse keeps its previous objects.
     *
     * @return true when the objects of some file changed
     * @throws UncheckedIOException when the directory cannot be listed
     */
    boolean rescan() {
        List<Path> current = list();
        boolean changed = files.keySet().removeIf(p -> {
            boolean gone = !current.contains(p);
            if (gone) {
                LOG.infof("manifest %s removed", p);
            }
            return gone;
        });
        for (Path p : current) {
            changed |= read(p);
        }
        return changed;
    }

    /** Replaces the inventory's content with the objects of every file (the first file in name order wins). */
    void publish(Inventory inventory) {
        Map<ObjectRef, ServiceObject> services = new LinkedHashMap<>();
        Map<ObjectRef, SliceObject> slices = new LinkedHashMap<>();
        Map<ObjectRef, NodeObject> nodes = new LinkedHashMap<>();
        Map<ObjectRef, PodObject> pods = new LinkedHashMap<>();
        Map<ObjectRef, NamespaceObject> namespaces = new LinkedHashMap<>();
        Map<ObjectRef, ExportObject> exports = new LinkedHashMap<>();
        Map<ObjectRef, PropertyObject> properties = new LinkedHashMap<>();
        Map<PolicyKind, Map<ObjectRef, PolicyObject>> policies = new EnumMap<>(PolicyKind.class);
        for (PolicyKind k : PolicyKind.values()) {
            policies.put(k, new LinkedHashMap<>());
        }
        for (FileState f : files.values()) {
            for (HasMetadata o : f.objects()) {
                if (o instanceof Service s) {
                    ServiceObject v = KubeObjects.service(s);
                    services.putIfAbsent(v.ref(), v);
                } else if (o instanceof EndpointSlice e) {
                    SliceObject v = KubeObjects.slice(e);
                    slices.putIfAbsent(v.ref(), v);
                } else if (o instanceof Node n) {
                    NodeObject v = KubeObjects.node(n);
                    nodes.putIfAbsent(v.ref(), v);
                } else if (o instanceof Pod p) {
                    PodObject v = KubeObjects.pod(p);
                    pods.putIfAbsent(v.ref(), v);
                } else if (o instanceof Namespace n) {
                    NamespaceObject v = KubeObjects.namespace(n);
                    namespaces.putIfAbsent(v.ref(), v);
                } else if (o instanceof GenericKubernetesResource g && KubeObjects.SERVICE_EXPORT.equals(g.getKind())) {
                    ExportObject v = KubeObjects.export(g);
                    exports.putIfAbsent(v.ref(), v);
                } else if (o instanceof GenericKubernetesResource g && KubeObjects.CLUSTER_PROPERTY.equals(g.getKind())) {
                    PropertyObject v = KubeObjects.property(g);
                    properties.putIfAbsent(v.ref(), v);
                } else if (o instanceof GenericKubernetesResource g) {
                    PolicyKind.fromKind(g.getKind()).map(k -> KubeObjects.policy(k, g))
                            .ifPresent(v -> policies.get(v.kind()).putIfAbsent(v.ref(), v));
                }
            }
        }
        inventory.replaceServices(services.values());
        inventory.replaceSlices(slices.values());
        inventory.replaceNodes(nodes.values());
        inventory.replacePods(pods.values());
        inventory.replaceNamespaces(namespaces.values());
        policies.forEach((k, v) -> inventory.replacePolicies(k, v.values()));
        inventory.replaceExports(exports.values());
        inventory.replaceProperties(properties.values());
    }

    private boolean read(Path p) {
        byte[] content;
        try {
            content = Files.readAllBytes(p);
        } catch (IOException e) {
            // Gone between the listing and the read, or unreadable: the next event tells.
            LOG.debugf("manifest %s not readable now: %s", p, e.getMessage());
            return false;
        }
        FileState before = files.get(p);
        if (before != null && Arrays.equals(before.content(), content)) {
            return false;
        }
        List<HasMetadata> previous = before == null ? List.of() : before.objects();
        try {
            List<HasMetadata> objects = ManifestReader.read(p.toString(), new String(content, StandardCharsets.UTF_8));
            files.put(p, new FileState(content, objects));
            return !objects.equals(previous);
        } catch (ManifestException e) {
            files.put(p, new FileState(content, previous));
            onError.accept(e.error());
            return false;
        }
    }

    private List<Path> list() {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(ManifestFiles::isManifest).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list manifest directory " + dir, e);
        }
    }

    private static boolean isManifest(Path p) {
        String name = p.getFileName().toString();
        String lower = name.toLowerCase(Locale.ROOT);
        return !name.startsWith(".") && Files.isRegularFile(p)
                && (lower.endsWith(".yaml") || lower.endsWith(".yml") || lower.endsWith(".json"));
    }
}
