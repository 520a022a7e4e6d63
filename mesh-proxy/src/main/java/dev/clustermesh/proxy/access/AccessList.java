package dev.clustermesh.proxy.access;

import dev.clustermesh.core.identity.ClusterIdentity;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The clusters whose {@code remote-<cluster>} certificates may read this cluster's shared state, from the access
 * list file ({@code meshctl clustermesh connect|disconnect} keep it):
 *
 * <pre>
 * clusters:
 * - name: cluster2
 * - name: cluster3
 *   serials: ["4f1a…"]            # optional pins: the certificate's serial (hex) …
 *   spki-sha256: ["q1Xw…="]       # … or the SHA-256 of its public key (base64); any one match lets it in
 * </pre>
 *
 * An empty file or {@code clusters: []} lets no other cluster in. {@link #OPEN} is the list when no file is
 * configured: every {@code remote-} certificate of the mesh CA reads, as before access lists existed.
 *
 * @param clusters the allowed clusters by name, each with its pins (empty: any certificate of the mesh CA)
 * @param open whether no file is configured
 */
public record AccessList(Map<String, Pins> clusters, boolean open) {
    /** Every remote cluster may read: no access list file is configured. */
    public static final AccessList OPEN = new AccessList(Map.of(), true);
    /** No remote cluster may read: the file is configured but not (yet) there or never valid. */
    public static final AccessList CLOSED = new AccessList(Map.of(), false);

    public AccessList {
        clusters = Map.copyOf(clusters);
    }

    /**
     * Pins of one cluster's certificates.
     *
     * @param serials certificate serial numbers, lowercase hex without leading zeros
     * @param spkiSha256 SHA-256 hashes of the SubjectPublicKeyInfo, standard base64
     */
    public record Pins(Set<String> serials, Set<String> spkiSha256) {
        public Pins {
            serials = Set.copyOf(serials);
            spkiSha256 = Set.copyOf(spkiSha256);
        }

        boolean none() {
            return serials.isEmpty() && spkiSha256.isEmpty();
        }
    }

    /**
     * Why {@code cluster}'s certificate may not read, or empty when it may.
     *
     * @param presented the certificate's serial and public key hash
     */
    public Optional<Refusal> refusal(String cluster, Fingerprint presented) {
        if (open) {
            return Optional.empty();
        }
        Pins pins = clusters.get(cluster);
        if (pins == null) {
            return Optional.of(new Refusal(Refusal.NOT_ON_ACCESS_LIST, "remote-" + cluster + ": cluster " + cluster
                    + " is not on this cluster's access list (meshctl clustermesh connect adds it)"));
        }
        if (pins.none() || pins.serials().contains(presented.serial())
                || pins.spkiSha256().contains(presented.spkiSha256())) {
            return Optional.empty();
        }
        return Optional.of(new Refusal(Refusal.PIN_MISMATCH, "remote-" + cluster + ": certificate serial "
                + presented.serial() + " (spki-sha256 " + presented.spkiSha256()
                + ") does not match the serials or keys the access list pins for cluster " + cluster));
    }

    /** The allowed cluster names, sorted (for logs and status). */
    public Set<String> names() {
        return new TreeSet<>(clusters.keySet());
    }

    /**
     * Parses the file's text.
     *
     * @throws InvalidAccessList naming {@code source} and every problem found
     */
    public static AccessList parse(String text, String source) {
        Object doc;
        try {
            doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
        } catch (YAMLException e) {
            throw new InvalidAccessList(source + ": not valid YAML: " + e.getMessage().replace('\n', ' '));
        }
        if (doc == null) {
            return new AccessList(Map.of(), false);
        }
        if (!(doc instanceof Map<?, ?> map)) {
            throw new InvalidAccessList(source + ": expected a mapping with 'clusters:' (a list of {name: <cluster>})");
        }
        List<String> errors = new ArrayList<>();
        for (Object key : map.keySet()) {
            if (!"clusters".equals(key)) {
                errors.add("unknown field '" + key + "' (only 'clusters')");
            }
        }
        Object list = map.get("clusters");
        Map<String, Pins> clusters = new LinkedHashMap<>();
        if (list != null && !(list instanceof List<?>)) {
            errors.add("'clusters' must be a list of {name: <cluster>}");
        } else if (list != null) {
            int i = 0;
            for (Object o : (List<?>) list) {
                entry(o, "clusters[" + i++ + "]", clusters, errors);
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidAccessList(source + ": " + String.join("; ", errors));
        }
        return new AccessList(clusters, false);
    }

    private static void entry(Object o, String where, Map<String, Pins> out, List<String> errors) {
        if (!(o instanceof Map<?, ?> m)) {
            errors.add(where + " must be a mapping with 'name'");
            return;
        }
        for (Object key : m.keySet()) {
            if (!List.of("name", "serials", "spki-sha256").contains(String.valueOf(key))) {
                errors.add(where + ": unknown field '" + key + "' (name, serials, spki-sha256)");
            }
        }
        Object name = m.get("name");
        if (!(name instanceof String n)) {
            errors.add(where + ": 'name' (a cluster name) is required");
            return;
        }
        Optional<String> problem = ClusterIdentity.nameProblem(n);
        if (problem.isPresent()) {
            errors.add(where + ": name '" + n + "': " + problem.get());
            return;
        }
        if (out.containsKey(n)) {
            errors.add(where + ": cluster '" + n + "' is listed twice");
            return;
        }
        Set<String> serials = new TreeSet<>();
        for (String s : strings(m.get("serials"), where + ".serials", errors)) {
            String hex = s.replace(":", "").toLowerCase(Locale.ROOT);
            try {
                HexFormat.of().parseHex(hex.length() % 2 == 0 ? hex : "0" + hex);
                serials.add(Fingerprint.normalSerial(hex));
            } catch (IllegalArgumentException e) {
                errors.add(where + ".serials: '" + s + "' is not a hexadecimal serial number");
            }
        }
        Set<String> spki = new TreeSet<>();
        for (String s : strings(m.get("spki-sha256"), where + ".spki-sha256", errors)) {
            byte[] hash;
            try {
                hash = Base64.getDecoder().decode(s);
            } catch (IllegalArgumentException e) {
                hash = new byte[0];
            }
            if (hash.length != 32) {
                errors.add(where + ".spki-sha256: '" + s + "' is not a base64 SHA-256 hash (32 bytes)");
            } else {
                spki.add(Base64.getEncoder().encodeToString(hash));
            }
        }
        out.put(n, new Pins(serials, spki));
    }

    private static List<String> strings(Object v, String where, List<String> errors) {
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> list)) {
            errors.add(where + " must be a list of strings");
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Object o : list) {
            if (o instanceof String str) {
                out.add(str);
            } else {
                // YAML reads 0123 as octal 83 and 12:34 as 754: the operator's text is lost, so refuse it.
                errors.add(where + ": " + o + " is not a string; quote it (\"...\")");
            }
        }
        return out;
    }

    /** The access list file is not valid; the message names the file and every problem. */
    public static final class InvalidAccessList extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InvalidAccessList(String message) {
            super(message);
        }
    }
}
