package dev.clustermesh.core.policy.cases;

import dev.clustermesh.core.policy.PolicyOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Loads case files: YAML, one case per document ({@code ---} between variants). Fields: {@code name},
 * {@code description}, {@code clusters} (default {@code [c1]}), {@code defaultLocalCluster} (default true),
 * {@code namespaceLabels}, {@code externals}, {@code policies} (cluster → objects), {@code refused}, and
 * {@code expect}: a list of {@code {probes: [80/TCP, ...], default: allow|deny, set: ["<from> -> <to> allow|deny"]}}
 * ({@code probes} defaults to {@link Probe#all()}).
 *
 * <p>A document may list {@code variants}: each is the document with the variant's fields replacing the base's
 * (named {@code <base>/<variant name>}), and its {@code also} lines appended to the {@code set} of every expectation.
 * YAML anchors let a variant reuse the base's policies ({@code policies: {c1: *p, c2: *p}}).
 *
 * <p>Case files are test data: a malformed one fails loudly with an {@link IllegalArgumentException} naming the file.
 */
public final class PolicyCases {
    private static final Set<String> FIELDS = Set.of("name", "description", "clusters", "defaultLocalCluster",
            "namespaceLabels", "externals", "policies", "refused", "expect", "variants");
    private static final Set<String> VARIANT_FIELDS = Set.of("name", "description", "clusters", "defaultLocalCluster",
            "namespaceLabels", "externals", "policies", "refused", "expect", "also");

    private PolicyCases() {
    }

    /** Every case of every {@code *.yaml} file under {@code directory}, files in name order. */
    public static List<PolicyCase> loadAll(Path directory) throws IOException {
        List<PolicyCase> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                out.addAll(load(f));
            }
        }
        return out;
    }

    /** Every case of one file. */
    public static List<PolicyCase> load(Path file) throws IOException {
        String text = Files.readString(file);
        List<PolicyCase> out = new ArrayList<>();
        try {
            for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(text)) {
                if (doc != null) {
                    out.addAll(decodeWithVariants(asMap(doc)));
                }
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": after " + out.size() + " cases: " + e.getMessage(), e);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<PolicyCase> decodeWithVariants(Map<String, Object> base) {
        List<PolicyCase> out = new ArrayList<>();
        Map<String, Object> m = new LinkedHashMap<>(base);
        List<Object> variants = (List<Object>) m.remove("variants");
        out.add(decode(m, List.of()));
        for (Object v : variants == null ? List.of() : variants) {
            Map<String, Object> variant = asMap(v);
            for (String k : variant.keySet()) {
                if (!VARIANT_FIELDS.contains(k)) {
                    throw new IllegalArgumentException("unknown variant field '" + k + "'");
                }
            }
            Map<String, Object> merged = new LinkedHashMap<>(m);
            merged.putAll(variant);
            merged.remove("also");
            merged.put("name", m.get("name") + "/" + require(variant, "name"));
            out.add(decode(merged, (List<String>) variant.getOrDefault("also", List.of())));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static PolicyCase decode(Map<String, Object> m, List<String> also) {
        for (String k : m.keySet()) {
            if (!FIELDS.contains(k)) {
                throw new IllegalArgumentException("unknown field '" + k + "'");
            }
        }
        String name = (String) require(m, "name");
        List<String> clusters = (List<String>) m.getOrDefault("clusters", List.of("c1"));
        boolean local = (Boolean) m.getOrDefault("defaultLocalCluster", true);
        Map<String, Map<String, Map<String, String>>> nsLabels =
                (Map<String, Map<String, Map<String, String>>>) m.getOrDefault("namespaceLabels", Map.of());
        Map<String, String> externals = (Map<String, String>) m.getOrDefault("externals", Map.of());
        Map<String, List<Map<String, Object>>> policies =
                (Map<String, List<Map<String, Object>>>) m.getOrDefault("policies", Map.of());
        for (String c : policies.keySet()) {
            if (!clusters.contains(c)) {
                throw new IllegalArgumentException(name + ": policies for unknown cluster '" + c + "'");
            }
        }
        List<Expectation> expect = new ArrayList<>();
        for (Object e : (List<Object>) require(m, "expect")) {
            expect.add(expectation(asMap(e), also));
        }
        return new PolicyCase(name, (String) m.getOrDefault("description", ""), clusters, new PolicyOptions(local),
                nsLabels, externals, policies, (List<String>) m.getOrDefault("refused", List.of()), expect);
    }

    @SuppressWarnings("unchecked")
    private static Expectation expectation(Map<String, Object> e, List<String> also) {
        List<Probe> probes = e.containsKey("probes")
                ? ((List<Object>) e.get("probes")).stream().map(p -> Probe.parse(p.toString())).toList() : Probe.all();
        Object def = require(e, "default");
        if (!"allow".equals(def) && !"deny".equals(def)) {
            throw new IllegalArgumentException("default must be allow or deny, not '" + def + "'");
        }
        List<String> set = new ArrayList<>((List<String>) e.getOrDefault("set", List.of()));
        set.addAll(also);
        return new Expectation(probes, "allow".equals(def), set);
    }

    private static Object require(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null) {
            throw new IllegalArgumentException("'" + key + "' is missing");
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object o) {
        if (!(o instanceof Map)) {
            throw new IllegalArgumentException("expected a mapping, found " + o);
        }
        return (Map<String, Object>) o;
    }
}
