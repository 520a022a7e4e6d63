package dev.clustermesh.meshctl.demo;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.clustermesh.core.keys.PolicyKind;
import dev.clustermesh.meshctl.cli.MeshCtlException;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The objects {@code meshctl demo apply} puts into a demo cluster's manifest directory: one file per object,
 * {@code applied_<kind>_<namespace>_<name>.yaml} (namespace empty for Node and Namespace), so an object of the same
 * kind, namespace and name replaces the earlier one and {@code demo delete} removes exactly it. These names sort
 * before the demo's own files, so an applied object overrides the demo's object of the same kind and name.
 *
 * <p>{@link #parse} refuses, naming the file, document and field, what the demo's mesh-proxy would not export:
 * text that is not YAML, a document that is not a mapping, a missing {@code kind}, a kind the manifest source does
 * not read, another apiVersion, fields of the wrong type, a missing or invalid {@code metadata.name} or
 * {@code metadata.namespace}, the same object twice. It checks the same as the proxy's reader, so what passes
 * here is exported; it does not check policy rules (the agent reports those in its policy state).
 */
final class AppliedManifests {
    /** What the manifest-directory source reads, with the apiVersion it accepts and the type it reads into. */
    private record KindSpec(List<String> apiVersions, String group, boolean namespaced,
            Class<? extends HasMetadata> type) {
        KindSpec(String apiVersion, String group, boolean namespaced, Class<? extends HasMetadata> type) {
            this(List.of(apiVersion), group, namespaced, type);
        }
    }

    private static final Map<String, KindSpec> KINDS = kinds();
    private static final Pattern SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final String PREFIX = "applied_";
    private static final YAMLMapper MAPPER = YAMLMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).build();

    private AppliedManifests() {
    }

    /**
     * One object of an applied file.
     *
     * @param kind e.g. {@code CiliumNetworkPolicy}
     * @param namespace its namespace ({@code default} when it names none), empty for cluster-scoped kinds
     * @param yaml the object as the file to write holds it
     */
    record AppliedObject(String kind, String namespace, String name, String yaml) {
        /** The file that holds it in the manifest directory. */
        String fileName() {
            return PREFIX + kind.toLowerCase(Locale.ROOT) + "_" + namespace + "_" + name + ".yaml";
        }

        /** As kubectl names it: {@code ciliumnetworkpolicy.cilium.io/rebel-base-policy}. */
        String display() {
            String group = KINDS.get(kind).group();
            return kind.toLowerCase(Locale.ROOT) + (group.isEmpty() ? "" : "." + group) + "/" + name
                    + (namespace.isEmpty() || namespace.equals(DemoLayout.NAMESPACE) ? "" : " -n " + namespace);
        }
    }

    /** The kinds the demo's manifest source reads, for messages. */
    static String kindNames() {
        return String.join(", ", KINDS.keySet());
    }

    /**
     * The objects of {@code text}: YAML with any number of {@code ---}-separated documents, each an object or a
     * {@code List} of objects.
     *
     * @param source the file name for messages
     * @throws MeshCtlException naming the file, the document (1-based) and what is wrong; for no objects at all too
     */
    static List<AppliedObject> parse(String source, String text) {
        List<AppliedObject> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int document = 0;
        // From a parser of our own: readValues(String) would take a top-level sequence for a stream of documents.
        try (JsonParser parser = MAPPER.createParser(text);
                MappingIterator<JsonNode> docs = MAPPER.readerFor(JsonNode.class).readValues(parser)) {
            while (docs.hasNextValue()) {
                JsonNode node = docs.nextValue();
                document++;
                String where = source + ", document " + document;
                if (node == null || node.isMissingNode() || node.isNull()) {
                    continue;
                }
                if (!node.isObject()) {
                    throw new MeshCtlException(where + ": a manifest must be a mapping, found " + node.getNodeType());
                }
                List<JsonNode> items = new ArrayList<>();
                if (node.path("kind").asText("").endsWith("List") && node.has("items")) {
                    node.path("items").forEach(items::add);
                } else {
                    items.add(node);
                }
                for (int n = 0; n < items.size(); n++) {
                    AppliedObject o = object(items.size() == 1 && items.get(0) == node ? where
                            : where + ", item " + (n + 1), items.get(n));
                    if (!seen.add(o.fileName())) {
                        throw new MeshCtlException(where + ": " + o.kind() + " " + ref(o) + " appears twice");
                    }
                    out.add(o);
                }
            }
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new MeshCtlException(source + (at != null && at.getLineNr() > 0 ? " line " + at.getLineNr() : "")
                    + ": not valid YAML: " + e.getOriginalMessage().lines().findFirst().orElse(""));
        } catch (IOException e) {
            throw new MeshCtlException("cannot read " + source + ": " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new MeshCtlException(source + " holds no objects");
        }
        return List.copyOf(out);
    }

    private static AppliedObject object(String where, JsonNode node) {
        String kind = node.path("kind").asText("");
        if (kind.isEmpty()) {
            throw new MeshCtlException(where + ": has no kind");
        }
        KindSpec spec = KINDS.get(kind);
        if (spec == null) {
            throw new MeshCtlException(where + ": kind " + kind + " is not read by the demo's mesh-proxy (it reads "
                    + kindNames() + ")");
        }
        String apiVersion = node.path("apiVersion").asText("");
        if (!spec.apiVersions().contains(apiVersion)) {
            throw new MeshCtlException(where + ": " + kind + " has apiVersion '" + apiVersion + "'; only "
                    + String.join(" and ", spec.apiVersions()) + (spec.apiVersions().size() > 1 ? " are" : " is")
                    + " supported");
        }
        if (spec.type() != null) {
            try {
                MAPPER.treeToValue(node, spec.type());
            } catch (JsonProcessingException e) {
                throw new MeshCtlException(where + ": " + kind + " does not parse: "
                        + e.getOriginalMessage().lines().findFirst().orElse(""));
            }
        }
        JsonNode meta = node.path("metadata");
        String name = meta.path("name").asText("");
        if (name.isEmpty()) {
            throw new MeshCtlException(where + ": " + kind + " has no metadata.name");
        }
        if (!SUBDOMAIN.matcher(name).matches()) {
            throw new MeshCtlException(where + ": " + kind + " metadata.name '" + name + "' is not a valid name "
                    + "(lower-case letters, digits, '-' and '.')");
        }
        String namespace = "";
        if (spec.namespaced()) {
            namespace = meta.path("namespace").asText("");
            namespace = namespace.isEmpty() ? DemoLayout.NAMESPACE : namespace;
            if (!LABEL.matcher(namespace).matches()) {
                throw new MeshCtlException(where + ": " + kind + " " + name + " has metadata.namespace '" + namespace
                        + "', not a valid namespace name (lower-case letters, digits and '-')");
            }
        }
        try {
            return new AppliedObject(kind, namespace, name, MAPPER.writeValueAsString(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed YAML tree always writes", e);
        }
    }

    private static String ref(AppliedObject o) {
        return o.namespace().isEmpty() ? o.name() : o.namespace() + "/" + o.name();
    }

    /** Whether {@code dir} holds {@code o} as applied with {@link #write}. */
    static boolean exists(Path dir, AppliedObject o) {
        return Files.exists(dir.resolve(o.fileName()));
    }

    /**
     * Writes {@code o} atomically, replacing the applied object of the same kind, namespace and name. Returns
     * {@code created}, {@code configured} or {@code unchanged}, as kubectl says.
     *
     * @throws MeshCtlException naming the file when it cannot be written
     */
    static String write(Path dir, AppliedObject o, String from) {
        String content = "# applied with 'meshctl demo apply' from " + from + "\n" + o.yaml();
        Path file = dir.resolve(o.fileName());
        String before = null;
        try {
            before = Files.exists(file) ? Files.readString(file) : null;
        } catch (IOException e) {
            // Unreadable: rewrite it.
        }
        if (content.equals(before)) {
            return "unchanged";
        }
        DemoManifests.replace(dir, o.fileName(), content);
        return before == null ? "created" : "configured";
    }

    /**
     * Removes the applied file of {@code o}.
     *
     * @throws MeshCtlException naming the file when it cannot be removed
     */
    static void remove(Path dir, AppliedObject o) {
        try {
            Files.deleteIfExists(dir.resolve(o.fileName()));
        } catch (IOException e) {
            throw new MeshCtlException("cannot remove " + dir.resolve(o.fileName()) + ": " + e.getMessage(), e);
        }
    }

    /** A Pod's {@code status.podIP}, empty for other kinds and Pods without one. */
    static String podIp(AppliedObject o) {
        if (!"Pod".equals(o.kind())) {
            return "";
        }
        try {
            return MAPPER.readTree(o.yaml()).path("status").path("podIP").asText("");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an applied object was written from a parsed tree", e);
        }
    }

    /**
     * Name to {@code status.podIP} of every Pod applied to {@code dir} (any namespace; a file that no longer parses
     * is left out).
     */
    static Map<String, String> podAddresses(Path dir) {
        Map<String, String> pods = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith(PREFIX + "pod_")).sorted().toList()) {
                try {
                    JsonNode pod = MAPPER.readTree(Files.readString(f));
                    pods.putIfAbsent(pod.path("metadata").path("name").asText(""),
                            pod.path("status").path("podIP").asText(""));
                } catch (IOException e) {
                    // Removed or rewritten meanwhile: not a pod to list.
                }
            }
        } catch (IOException e) {
            return Map.of();
        }
        pods.remove("");
        return pods;
    }

    /** {@code <kind> <namespace>/<name>}, for messages. */
    static String describe(AppliedObject o) {
        return o.kind() + " " + ref(o);
    }

    private static Map<String, KindSpec> kinds() {
        Map<String, KindSpec> k = new LinkedHashMap<>();
        k.put("Service", new KindSpec("v1", "", true, Service.class));
        k.put("EndpointSlice", new KindSpec("discovery.k8s.io/v1", "discovery.k8s.io", true, EndpointSlice.class));
        k.put("Node", new KindSpec("v1", "", false, Node.class));
        k.put("Pod", new KindSpec("v1", "", true, Pod.class));
        k.put("Namespace", new KindSpec("v1", "", false, Namespace.class));
        for (PolicyKind p : PolicyKind.values()) {
            // The proxy holds policies as generic resources: their rules are the agent's to check.
            k.put(p.kind(), new KindSpec(p.apiVersion(), p.apiVersion().substring(0, p.apiVersion().indexOf('/')),
                    true, null));
        }
        // The Multi-Cluster Services API's export, held as a generic resource too.
        k.put("ServiceExport", new KindSpec(List.of("multicluster.x-k8s.io/v1beta1", "multicluster.x-k8s.io/v1alpha1"),
                "multicluster.x-k8s.io", true, null));
        // A cluster's properties (KEP-2149), what ServiceExport cluster selectors match.
        k.put("ClusterProperty", new KindSpec("about.k8s.io/v1alpha1", "about.k8s.io", false, null));
        return Collections.unmodifiableMap(k);
    }
}
