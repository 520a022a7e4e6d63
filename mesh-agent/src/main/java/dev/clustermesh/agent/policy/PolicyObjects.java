package dev.clustermesh.agent.policy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** A stored policy's JSON as the object the parser reads, or a named problem. */
final class PolicyObjects {
    private PolicyObjects() {
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
