package dev.clustermesh.proxy.export.inventory;

import dev.clustermesh.proto.mesh.v1.ClusterSelector;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the export needs of a ServiceExport (multicluster.x-k8s.io, v1alpha1 or v1beta1): it names the Service of
 * the same namespace and name.
 *
 * @param ref namespace and name
 * @param createdMillis metadata.creationTimestamp in Unix milliseconds (0 when unknown): the oldest export wins a
 *     conflict
 * @param clusterSelectors spec.clusterSelectors (KEP-5939) in order; empty when unset or invalid
 * @param selectorError what is wrong with spec.clusterSelectors (the export is then not valid), empty when nothing
 * @param exportedLabels spec.exportedLabels
 * @param exportedAnnotations spec.exportedAnnotations
 */
public record ExportObject(ObjectRef ref, long createdMillis, List<ClusterSelector> clusterSelectors,
        Optional<String> selectorError, Map<String, String> exportedLabels, Map<String, String> exportedAnnotations) {
    public ExportObject {
        clusterSelectors = List.copyOf(clusterSelectors);
        selectorError = Objects.requireNonNull(selectorError, "selectorError");
        exportedLabels = Map.copyOf(exportedLabels);
        exportedAnnotations = Map.copyOf(exportedAnnotations);
    }

    /** An export without exported labels and annotations. */
    public ExportObject(ObjectRef ref, long createdMillis, List<ClusterSelector> clusterSelectors,
            Optional<String> selectorError) {
        this(ref, createdMillis, clusterSelectors, selectorError, Map.of(), Map.of());
    }

    /** An export without cluster selectors. */
    public ExportObject(ObjectRef ref, long createdMillis) {
        this(ref, createdMillis, List.of(), Optional.empty());
    }
}
