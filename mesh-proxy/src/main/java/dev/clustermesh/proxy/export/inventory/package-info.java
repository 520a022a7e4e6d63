/**
 * The exporter's in-memory picture of the source (Kubernetes API or manifest directory): Services,
 * EndpointSlices, Nodes, Pods, Namespaces, NetworkPolicies and CiliumNetworkPolicies reduced to the small immutable records the export needs.
 *
 * <p>Promises: sources only record changes here ({@link dev.clustermesh.proxy.export.inventory.Inventory} is
 * thread-safe and never blocks on I/O); every change wakes the one reconciler; a
 * {@link dev.clustermesh.proxy.export.inventory.Snapshot} is an immutable copy, safe to hand to pure code.
 * Plain Java, no CDI, no fabric8 types.
 */
package dev.clustermesh.proxy.export.inventory;
