/**
 * Sources of exported state: the Kubernetes API through informers, or a directory of the same YAML
 * manifests. Both turn fabric8 model objects into inventory records with the same
 * {@link dev.clustermesh.proxy.export.source.KubeObjects} conversion, so equal objects export equal keys.
 *
 * <p>Promises: a malformed manifest is reported with its file name and line (log and
 * {@code mesh_export_manifest_errors_total}) and the objects that file held before stay; other files keep
 * flowing. A kind is marked synced only after its first full pass is in the inventory.
 */
package dev.clustermesh.proxy.export.source;
