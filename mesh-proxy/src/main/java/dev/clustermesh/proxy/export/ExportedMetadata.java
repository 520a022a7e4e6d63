package dev.clustermesh.proxy.export;

import dev.clustermesh.core.policy.LabelSyntax;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * ServiceExport {@code spec.exportedLabels} and {@code spec.exportedAnnotations} as Kubernetes accepts them on the
 * ServiceImport object: keys are qualified names ({@code [prefix/]name}, prefix a DNS subdomain of at most 253, name at
 * most 63 alphanumerics, '-', '_', '.'), label values at most 63 of the same (or empty); an entry that is not is left
 * out with a warning, so one bad label never keeps the import from being written. Pure.
 */
final class ExportedMetadata {
    private ExportedMetadata() {
    }

    /** The entries of {@code labels} Kubernetes takes as labels, sorted; {@code warn} gets one message per other. */
    static Map<String, String> labels(Map<String, String> labels, Consumer<String> warn) {
        Map<String, String> out = new TreeMap<>();
        labels.forEach((k, v) -> {
            if (!LabelSyntax.validKey(k)) {
                warn.accept("spec.exportedLabels key '" + k + "' is not a qualified name; left out");
            } else if (!LabelSyntax.validValue(v)) {
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
            if (LabelSyntax.validKey(k)) {
                out.put(k, v);
            } else {
                warn.accept("spec.exportedAnnotations key '" + k + "' is not a qualified name; left out");
            }
        });
        return out;
    }
}
