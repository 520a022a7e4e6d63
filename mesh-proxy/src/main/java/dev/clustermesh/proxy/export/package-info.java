/**
 * The exporter: this cluster's Services (annotated global) with their EndpointSlices' backends, the Nodes, the
 * Pods (endpoints, with numeric identities allocated here), the Namespaces' labels, and the NetworkPolicies and
 * CiliumNetworkPolicies, read from Kubernetes or from a manifest directory, written into this cluster's etcd
 * under {@code mesh/v1/} by the elected replica.
 *
 * <p>Shape: sources record changes in an {@link dev.clustermesh.proxy.export.inventory.Inventory}; one
 * reconciler thread computes the full desired key/value map with the pure
 * {@link dev.clustermesh.proxy.export.ExportCompute#compute}, diffs it with what it knows is in etcd, and
 * applies only the difference in guarded transactions. Promises: nothing is written while this replica is
 * not the leader; values that did not change are not written; only this cluster's own keys are ever
 * written or deleted; a failure is logged once, counted, retried with backoff and followed by a full
 * re-list of etcd; a new leader adopts the identities it finds in etcd, so pods keep their numbers across
 * restarts and leader changes. The plain-Java core ({@link dev.clustermesh.proxy.export.Exporter}) has no CDI; the
 * Quarkus wiring is a thin bean that builds it from the settings.
 */
package dev.clustermesh.proxy.export;
