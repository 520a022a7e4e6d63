package dev.clustermesh.core.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Walks one decoded object tree for a parser and collects its warnings. Every accessor tolerates any shape of
 * input: a value of the wrong type becomes a warning and a neutral result, never an exception.
 */
final class ParseContext {
    private final PolicyRef ref;
    private final List<PolicyWarning> warnings = new ArrayList<>();

    ParseContext(PolicyRef ref) {
        this.ref = ref;
    }

    PolicyRef ref() {
        return ref;
    }

    List<PolicyWarning> warnings() {
        return List.copyOf(warnings);
    }

    void warn(String path, String message) {
        warnings.add(new PolicyWarning(ref, path, message));
    }

    /** The value as an object, an empty map when absent, null (and a warning) when it is something else. */
    @SuppressWarnings("unchecked")
    Map<String, Object> object(Object value, String path) {
        if (value == null) {
            return Map.of();
        }
        if (value instanceof Map<?, ?> m && m.keySet().stream().allMatch(k -> k instanceof String)) {
            return (Map<String, Object>) m;
        }
        warn(path, "must be an object");
        return null;
    }

    /** The value as a list, empty when absent or (with a warning) when it is something else. */
    List<Object> list(Object value, String path) {
        if (value == null) {
            return List.of();
        }
        if (value instanceof List<?> l) {
            return new ArrayList<>(l);
        }
        warn(path, "must be a list");
        return List.of();
    }

    /** The value as a string, null when absent or (with a warning) when it is something else. */
    String string(Object value, String path) {
        if (value == null || value instanceof String) {
            return (String) value;
        }
        warn(path, "must be a string");
        return null;
    }

    /** The value as a boolean, {@code absent} when absent or (with a warning) when it is something else. */
    boolean bool(Object value, String path, boolean absent) {
        if (value == null) {
            return absent;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        warn(path, "must be true or false");
        return absent;
    }

    /**
     * Warns about every field of {@code object} that is neither in {@code known} nor in {@code unsupported} (whose
     * value is the reason given for refusing that field).
     */
    void fields(Map<String, Object> object, String path, Set<String> known, Map<String, String> unsupported) {
        for (String key : object.keySet()) {
            String p = path.isEmpty() ? key : path + "." + key;
            if (unsupported.containsKey(key)) {
                warn(p, unsupported.get(key));
            } else if (!known.contains(key)) {
                warn(p, "unknown field '" + key + "'");
            }
        }
    }

    static String at(String path, int index) {
        return path + "[" + index + "]";
    }
}
