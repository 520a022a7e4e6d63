package dev.clustermesh.agent.policy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** How the policy book reads and names its inputs: a stored policy's JSON, a label filter's digest. */
final class PolicyInputs {
    private PolicyInputs() {
    }

    /** The start of a digest, as problems name it. */
    static String abbreviate(String digest) {
        return digest.length() > 12 ? digest.substring(0, 12) : digest;
    }

    /** The JSON object stored under {@code key}; empty, with the reason added to {@code problems}, when it is none. */
    @SuppressWarnings("unchecked")
    static Optional<Map<String, Object>> parse(String key, String json, List<String> problems) {
        try {
            Object o = new Yaml(new SafeConstructor(new LoaderOptions())).load(json);
            if (o instanceof Map<?, ?> m) {
                return Optional.of((Map<String, Object>) m);
            }
            problems.add("policy " + key + ": not a JSON object; left out");
        } catch (RuntimeException e) {
            problems.add("policy " + key + ": not valid JSON (" + String.valueOf(e.getMessage()).lines().findFirst()
                    .orElse("") + "); left out");
        }
        return Optional.empty();
    }
}
