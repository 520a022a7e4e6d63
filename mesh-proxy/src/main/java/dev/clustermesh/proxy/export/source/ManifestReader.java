package dev.clustermesh.proxy.export.source;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.clustermesh.core.keys.PolicyKind;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads the Services, EndpointSlices, Nodes, Pods, Namespaces, NetworkPolicies, CiliumNetworkPolicies and
 * ServiceExports (multicluster.x-k8s.io/v1alpha1 or v1beta1) and ClusterProperties (about.k8s.io/v1alpha1), as
 * generic resources, of a
 * manifest file (policies as {@link GenericKubernetesResource}s, checked for their apiVersion only): YAML with any number of documents
 * separated by {@code ---} lines (JSON is YAML too), each an object or a {@code List} of objects. Other
 * kinds are skipped. Pure: text in, objects out.
 *
 * <p>A file is read whole or not at all: the first malformed document fails it with a
 * {@link ManifestException} naming the file and the 1-based line in the file (documents are parsed one by
 * one, each with the line offset where it starts, so lines are right in multi-document files).
 */
public final class ManifestReader {
    private static final Pattern DOCUMENT_START = Pattern.compile("^---(\\s.*)?$");
    private static final Pattern DOCUMENT_END = Pattern.compile("^\\.\\.\\.\\s*$");
    private static final YAMLMapper MAPPER = YAMLMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

    private ManifestReader() {
    }

    /** One YAML document and the 1-based file line of its first line. */
    record Document(int firstLine, String text) {
    }

    /**
     * Reads a file's objects.
     *
     * @param file the file name used in errors
     * @throws ManifestException for the first malformed document: bad YAML, a known kind with the wrong
     *     apiVersion or fields of the wrong type, a missing {@code kind} or {@code metadata.name}
     */
    public static List<HasMetadata> read(String file, String text) throws ManifestException {
        List<HasMetadata> out = new ArrayList<>();
        for (Document doc : split(text)) {
            JsonNode node = tree(file, doc);
            if (node == null || node.isMissingNode() || node.isNull()) {
                continue;
            }
            if (!node.isObject()) {
                throw error(file, contentLine(doc),
                        "a manifest document must be a mapping, found " + node.getNodeType(), null);
            }
            if (node.path("kind").asText("").endsWith("List") && node.has("items")) {
                for (JsonNode item : node.path("items")) {
                    typed(file, doc, item, true).ifPresent(out::add);
                }
            } else {
                typed(file, doc, node, false).ifPresent(out::add);
            }
        }
        return List.copyOf(out);
    }

    /** Splits on {@code ---} lines (a document may start on that line) and {@code ...} end markers. */
    static List<Document> split(String text) {
        List<Document> docs = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        // A final newline ends the last line; it does not start another one.
        int count = lines.length > 0 && lines[lines.length - 1].isEmpty() ? lines.length - 1 : lines.length;
        StringBuilder current = new StringBuilder();
        int first = 1;
        for (int i = 0; i < count; i++) {
            String line = lines[i];
            if (DOCUMENT_START.matcher(line).matches()) {
                docs.add(new Document(first, current.toString()));
                current = new StringBuilder(line.substring(3)).append('\n');
                first = i + 1;
            } else if (DOCUMENT_END.matcher(line).matches()) {
                docs.add(new Document(first, current.toString()));
                current = new StringBuilder();
                first = i + 2;
            } else {
                current.append(line).append('\n');
            }
        }
        docs.add(new Document(first, current.toString()));
        docs.removeIf(d -> d.text().isBlank());
        return docs;
    }

    private static JsonNode tree(String file, Document doc) throws ManifestException {
        try {
            return MAPPER.readTree(doc.text());
        } catch (JsonProcessingException e) {
            throw error(file, doc.firstLine() - 1 + line(e, doc), message(e), e);
        }
    }

    private static Optional<HasMetadata> typed(String file, Document doc, JsonNode node, boolean listItem)
            throws ManifestException {
        String kind = node.path("kind").asText("");
        String apiVersion = node.path("apiVersion").asText("");
        int line = contentLine(doc);
        Class<? extends HasMetadata> type = switch (kind) {
            case "Service" -> expect(file, line, kind, apiVersion, "v1", Service.class);
            case "EndpointSlice" -> expect(file, line, kind, apiVersion, "discovery.k8s.io/v1", EndpointSlice.class);
            case "Node" -> expect(file, line, kind, apiVersion, "v1", Node.class);
            case "Pod" -> expect(file, line, kind, apiVersion, "v1", Pod.class);
            case "Namespace" -> expect(file, line, kind, apiVersion, "v1", Namespace.class);
            case "NetworkPolicy", "CiliumNetworkPolicy" -> expect(file, line, kind, apiVersion,
                    PolicyKind.fromKind(kind).orElseThrow().apiVersion(), GenericKubernetesResource.class);
            case KubeObjects.SERVICE_EXPORT -> expectAny(file, line, kind, apiVersion,
                    KubeObjects.MCS_VERSIONS.stream().map(v -> KubeObjects.MCS_GROUP + "/" + v).toList());
            case KubeObjects.CLUSTER_PROPERTY -> expect(file, line, kind, apiVersion, KubeObjects.ABOUT_API_VERSION,
                    GenericKubernetesResource.class);
            case "" -> throw error(file, line, "document has no kind", null);
            default -> null;
        };
        if (type == null) {
            return Optional.empty();
        }
        HasMetadata object;
        try {
            // Reading the document text (not the tree) keeps Jackson's line numbers; list items only have a path.
            object = listItem ? MAPPER.treeToValue(node, type) : MAPPER.readValue(doc.text(), type);
        } catch (JsonProcessingException e) {
            throw error(file, listItem ? line : doc.firstLine() - 1 + line(e, doc), message(e), e);
        }
        if (object.getMetadata() == null || object.getMetadata().getName() == null
                || object.getMetadata().getName().isEmpty()) {
            throw error(file, line, kind + " has no metadata.name", null);
        }
        for (String field : List.of("exportedLabels", "exportedAnnotations")) {
            JsonNode map = node.path("spec").path(field);
            if (KubeObjects.SERVICE_EXPORT.equals(kind) && !map.isMissingNode() && !map.isNull() && (!map.isObject()
                    || java.util.stream.StreamSupport.stream(map.spliterator(), false).anyMatch(v -> !v.isTextual()))) {
                throw error(file, line, "ServiceExport " + object.getMetadata().getName() + ": spec." + field
                        + " must map names to strings", null);
            }
        }
        if (KubeObjects.CLUSTER_PROPERTY.equals(kind) && !(node.path("spec").path("value").isTextual()
                && !node.path("spec").path("value").asText().isEmpty())) {
            throw error(file, line, "ClusterProperty " + object.getMetadata().getName()
                    + " needs spec.value, a non-empty string", null);
        }
        return Optional.of(object);
    }

    private static Class<? extends HasMetadata> expectAny(String file, int line, String kind, String apiVersion,
            List<String> wanted) throws ManifestException {
        if (!wanted.contains(apiVersion)) {
            throw error(file, line, kind + " has apiVersion '" + apiVersion + "'; only " + String.join(" and ", wanted)
                    + " are supported", null);
        }
        return GenericKubernetesResource.class;
    }

    private static Class<? extends HasMetadata> expect(String file, int line, String kind, String apiVersion,
            String wanted, Class<? extends HasMetadata> type) throws ManifestException {
        if (!wanted.equals(apiVersion)) {
            throw error(file, line, kind + " has apiVersion '" + apiVersion + "'; only " + wanted + " is supported",
                    null);
        }
        return type;
    }

    /**
     * The 1-based line, within the document, where Jackson or SnakeYAML saw the problem; a problem at the end
     * of the stream is reported on the document's last line.
     */
    private static int line(JsonProcessingException e, Document doc) {
        int line = 1;
        JsonLocation loc = e.getLocation();
        if (loc != null && loc.getLineNr() > 0) {
            line = loc.getLineNr();
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MarkedYAMLException m && m.getProblemMark() != null) {
                Mark mark = m.getProblemMark();
                line = mark.getLine() + 1;
                break;
            }
        }
        long lines = doc.text().chars().filter(c -> c == '\n').count();
        return (int) Math.max(1, Math.min(line, lines));
    }

    private static String message(JsonProcessingException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MarkedYAMLException m) {
                String context = m.getContext() == null ? "" : m.getContext() + ": ";
                return "invalid YAML: " + context + m.getProblem();
            }
        }
        String path = e instanceof JsonMappingException m && !m.getPath().isEmpty()
                ? " (at " + m.getPathReference() + ")" : "";
        return e.getOriginalMessage() + path;
    }

    private static int contentLine(Document doc) {
        String[] lines = doc.text().split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i].strip();
            if (!l.isEmpty() && !l.startsWith("#")) {
                return doc.firstLine() + i;
            }
        }
        return doc.firstLine();
    }

    private static ManifestException error(String file, int line, String message, Throwable cause) {
        return new ManifestException(new ManifestError(file, line, message), cause);
    }
}
