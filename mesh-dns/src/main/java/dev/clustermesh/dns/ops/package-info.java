/**
 * The Quarkus shell around one {@link dev.clustermesh.dns.mesh.DnsCore}: starts it on Vert.x's event loops with
 * the application and closes it on shutdown, Prometheus metrics (queries by transport, type and rcode, answer
 * latency histogram, names served, bad packets by reason, zone builds), readiness (every cluster synced or
 * failed with a reason, the server listening) and liveness (the server's event loops run a task within a second),
 * all on the management port.
 */
package dev.clustermesh.dns.ops;
