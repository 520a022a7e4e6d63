package dev.clustermesh.meshctl.pki;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The proxy's access list as meshctl writes it (the ConfigMap {@value KubeNames#ACCESS_CONFIG}, key
 * {@value KubeNames#ACCESS_KEY}, or the demo's {@code <cluster>/access.yaml}): the clusters whose
 * {@code remote-<cluster>} certificates may read, each optionally pinned. meshctl pins the key (SPKI hash), which
 * survives renewal and CA rotation (both keep keys); serial pins written by hand are kept as they are.
 */
public final class AccessLists {
    private AccessLists() {
    }

    /** One cluster's pins; both empty: any certificate of the mesh CA for that cluster. */
    public record Pins(List<String> serials, List<String> spki) {
        public static final Pins NONE = new Pins(List.of(), List.of());

        public Pins {
            serials = List.copyOf(serials);
            spki = List.copyOf(spki);
        }

        /** Pinned to exactly the key of {@code cert}. */
        public static Pins key(X509Certificate cert) {
            return new Pins(List.of(), List.of(AccessLists.spki(cert)));
        }
    }

    /** The SHA-256 of {@code cert}'s SubjectPublicKeyInfo, base64, as mesh-proxy compares it. */
    public static String spki(X509Certificate cert) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(cert.getPublicKey().getEncoded()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** The YAML of {@code self}'s access list. */
    public static String render(String self, Map<String, Pins> clusters) {
        StringBuilder b = new StringBuilder("# Clusters whose remote-<cluster> certificates may read " + self
                + "'s shared state; mesh-proxy re-reads this file while it runs (meshctl keeps it).\nclusters:");
        if (clusters.isEmpty()) {
            b.append(" []");
        }
        b.append('\n');
        new TreeMap<>(clusters).forEach((name, pins) -> {
            b.append("- name: ").append(name).append('\n');
            list(b, "serials", pins.serials());
            list(b, "spki-sha256", pins.spki());
        });
        return b.toString();
    }

    private static void list(StringBuilder b, String field, List<String> values) {
        if (!values.isEmpty()) {
            b.append("  ").append(field).append(": [").append(String.join(", ",
                    values.stream().map(v -> "\"" + v + "\"").toList())).append("]\n");
        }
    }

    /**
     * Parses an access list (mesh-proxy validates the file fully; this keeps names and pins).
     *
     * @throws IllegalArgumentException naming {@code source} when it is not YAML
     */
    public static Map<String, Pins> parse(String yaml, String source) {
        Map<String, Pins> out = new TreeMap<>();
        Object doc;
        try {
            doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml == null ? "" : yaml);
        } catch (YAMLException e) {
            throw new IllegalArgumentException(source + " is not valid YAML: " + e.getMessage().replace('\n', ' '));
        }
        if (doc instanceof Map<?, ?> m && m.get("clusters") instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> e && e.get("name") != null) {
                    out.put(String.valueOf(e.get("name")), new Pins(strings(e.get("serials")),
                            strings(e.get("spki-sha256"))));
                }
            }
        }
        return out;
    }

    private static List<String> strings(Object v) {
        List<String> out = new ArrayList<>();
        if (v instanceof List<?> l) {
            l.forEach(x -> out.add(String.valueOf(x)));
        }
        return out;
    }
}
