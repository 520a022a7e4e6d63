/**
 * One mesh-dns as plain Java: {@link dev.clustermesh.dns.mesh.DnsCore} joins every cluster of a clusters
 * directory (the agent's watchers and merge from mesh-core), keeps the zone computed from the merged view with
 * one builder thread, and serves it with the DNS server. The Quarkus application wraps one; tests may run several.
 *
 * <p>Promises: watchers only mark dirty; one thread computes the full zone from a snapshot and swaps it in
 * atomically, so every query sees one consistent zone; zone computation never runs on an event loop.
 */
package dev.clustermesh.dns.mesh;
