package dev.clustermesh.meshctl.pki;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The proxy's access list as meshctl writes it (the ConfigMap {@value KubeNames#ACCESS_CONFIG}, key
 * {@value KubeNames#ACCESS_KEY}, or the demo's {@code <cluster>/access.yaml}): the clusters whose
 * {@code remote-<cluster>} certificates may read, each optionally pinned to one certificate serial.
 */
public final class AccessLists {
    private AccessLists() {
    }

    /** The YAML of an access list: cluster name → pinned serial (lowercase hex), if any. */
    public static String render(String self, Map<String, Optional<String>> clusters) {
        StringBuilder b = new StringBuilder("# Clusters whose remote-<cluster> certificates may read " + self
                + "'s shared state; mesh-proxy re-reads this file while it runs (meshctl keeps it).\nclusters:");
        if (clusters.isEmpty()) {
            b.append(" []");
        }
        b.append('\n');
        new TreeMap<>(clusters).forEach((name, serial) -> {
            b.append("- name: ").append(name).append('\n');
            serial.ifPresent(s -> b.append("  serials: [\"").append(s).append("\"]\n"));
        });
        return b.toString();
    }

    /**
     * Parses what {@link #render} wrote (other fields are ignored: mesh-proxy validates the file fully).
     *
     * @throws IllegalArgumentException naming {@code source} when it is not YAML
     */
    public static Map<String, Optional<String>> parse(String yaml, String source) {
        Map<String, Optional<String>> out = new TreeMap<>();
        Object doc;
        try {
            doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml == null ? "" : yaml);
        } catch (YAMLException e) {
            throw new IllegalArgumentException(source + " is not valid YAML: " + e.getMessage().replace('\n', ' '));
        }
        if (doc instanceof Map<?, ?> m && m.get("clusters") instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> e && e.get("name") != null) {
                    Object serials = e.get("serials");
                    out.put(String.valueOf(e.get("name")), serials instanceof List<?> l && !l.isEmpty()
                            ? Optional.of(String.valueOf(l.get(0))) : Optional.empty());
                }
            }
        }
        return out;
    }
}
