package dev.clustermesh.proxy.export.inventory;

/**
 * What the export needs of a ServiceExport (multicluster.x-k8s.io, v1alpha1 or v1beta1): it names the Service of
 * the same namespace and name.
 *
 * @param ref namespace and name
 * @param createdMillis metadata.creationTimestamp in Unix milliseconds (0 when unknown): the oldest export wins a
 *     conflict
 */
public record ExportObject(ObjectRef ref, long createdMillis) {
}
