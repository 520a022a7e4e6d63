/**
 * Real Kubernetes control planes for tests: per cluster its own etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler and kwok (simulated nodes and pods), built from the Go module proxy by
 * {@code scripts/k8s-peers.sh}. Promises: every process runs on loopback addresses only, is stopped by
 * {@code close()} (and by a shutdown hook if the JVM dies first), and a missing binary fails loudly with the
 * command that builds it. No mocks: what the product is tested against here is the real API server and the
 * real controllers (EndpointSlice, ReplicaSet, node IPAM, service accounts).
 */
package dev.clustermesh.testing.kube;
