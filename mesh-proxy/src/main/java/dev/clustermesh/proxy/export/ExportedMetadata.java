package dev.clustermesh.proxy.export;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * ServiceExport {@code spec.exportedLabels} and {@code spec.exportedAnnotations} as Kubernetes accepts them on the
 * ServiceImport object: keys are qualified names ({@code [prefix/]name}, prefix a DNS subdomain of at most 253, name at
 * most 63 alphanumerics, '-', '_', '.'), label values at most 63 of the same (or empty); an entry that is not is left
 * out with a warning, so one bad label never keeps the import from being written. Pure.
 */
final class ExportedMetadata {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
    private static final Pattern PREFIX =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private ExportedMetadata() {
    }

    /** The entries of {@code labels} Kubernetes takes as labels, sorted; {@code warn} gets one message per other. */
    static Map<String, String> labels(Map<String, String> labels, Consumer<String> warn) {
        Map<String, String> out = new TreeMap<>();
        labels.forEach((k, v) -> {
            if (!qualified(k)) {
                warn.accept("spec.exportedLabels key '" + k + "' is not a qualified name; left out");
            } else if (!v.isEmpty() && !NAME.matcher(v).matches()) {
                warn.accept("spec.exportedLabels." + k + " value '" + v + "' is not a label value (at most 63 "
                        + "alphanumerics, '-', '_', '.'); left out");
            } else {
                out.put(k, v);
            }
        });
        return out;
    }

    /** The entries of {@code annotations} whose key is a qualified name, sorted; {@code warn} gets the others. */
    static Map<String, String> annotations(Map<String, String> annotations, Consumer<String> warn) {
        Map<String, String> out = new TreeMap<>();
        annotations.forEach((k, v) -> {
            if (qualified(k)) {
                out.put(k, v);
            } else {
                warn.accept("spec.exportedAnnotations key '" + k + "' is not a qualified name; left out");
            }
        });
        return out;
    }

    static boolean qualified(String key) {
        int slash = key.indexOf('/');
        String name = slash < 0 ? key : key.substring(slash + 1);
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            if (prefix.isEmpty() || prefix.length() > 253 || !PREFIX.matcher(prefix).matches()) {
                return false;
            }
        }
        return NAME.matcher(name).matches();
    }
}
