package dev.clustermesh.proxy.export.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.clustermesh.core.keys.PolicyKind;
import dev.clustermesh.proxy.export.inventory.PolicyObject;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Turns a policy object into the JSON document the exporter stores: {@code apiVersion}, {@code kind},
 * {@code metadata} reduced to {@code name}, {@code namespace}, {@code uid}, {@code generation} and
 * {@code labels} (absent ones left out), and {@code spec} as the source holds it ({@code {}} when absent; a
 * CiliumNetworkPolicy's {@code specs} list is kept too). Keys are sorted at every level, so equal objects give
 * equal bytes whichever source they come from. Nothing else is checked: reading rules is the policy model's job.
 */
final class PolicyDocuments {
    // Plain maps and lists only: no bean reflection, so native images need no registration for this.
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

    private PolicyDocuments() {
    }

    /** The policy of {@code kind} held by {@code r}; a missing namespace means {@code default}. */
    static PolicyObject of(PolicyKind kind, GenericKubernetesResource r) {
        ObjectMeta m = r.getMetadata() == null ? new ObjectMeta() : r.getMetadata();
        String namespace = KubeObjects.ref(r).namespace();
        Map<String, Object> meta = new TreeMap<>();
        meta.put("name", Objects.requireNonNullElse(m.getName(), ""));
        meta.put("namespace", namespace);
        if (m.getUid() != null && !m.getUid().isEmpty()) {
            meta.put("uid", m.getUid());
        }
        if (m.getGeneration() != null) {
            meta.put("generation", m.getGeneration());
        }
        if (m.getLabels() != null && !m.getLabels().isEmpty()) {
            meta.put("labels", new TreeMap<>(KubeObjects.nonNullValues(m.getLabels())));
        }
        Map<String, Object> doc = new TreeMap<>();
        doc.put("apiVersion", kind.apiVersion());
        doc.put("kind", kind.kind());
        doc.put("metadata", meta);
        Map<String, Object> extra = r.getAdditionalProperties() == null ? Map.of() : r.getAdditionalProperties();
        Object spec = extra.get("spec");
        doc.put("spec", spec == null ? Map.of() : spec);
        if (kind == PolicyKind.CILIUM_NETWORK_POLICY && extra.get("specs") != null) {
            doc.put("specs", extra.get("specs"));
        }
        try {
            return new PolicyObject(kind, KubeObjects.ref(r), JSON.writeValueAsString(doc));
        } catch (JsonProcessingException e) {
            // Maps, lists and scalars parsed from JSON or YAML always serialize.
            throw new IllegalStateException("cannot write policy " + KubeObjects.ref(r) + " as JSON", e);
        }
    }
}
