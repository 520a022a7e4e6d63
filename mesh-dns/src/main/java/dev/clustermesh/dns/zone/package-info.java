/**
 * The {@code clusterset.local} zone as pure values: {@link dev.clustermesh.dns.zone.ZoneCompute} turns one
 * {@link dev.clustermesh.core.mesh.MeshSnapshot} into an immutable {@link dev.clustermesh.dns.zone.Zone}, and
 * {@link dev.clustermesh.dns.zone.Zone#answer} turns one question into one {@link dev.clustermesh.dns.zone.Answer}.
 *
 * <p>Owns the record rules of the Kubernetes MCS DNS specification 1.0.0 (plus
 * {@code <cluster>.<svc>.<ns>.svc.<zone>}): which names exist, what they hold, NXDOMAIN versus NODATA, the SOA in
 * negative answers, REFUSED outside the zone, PTR records for clusterset IPs that are remote ClusterIPs. Query
 * names arrive as keys ({@code \DDD} for octets no zone name holds), so a name with such octets never exists. Promises: no I/O, no clock, no threads; the same snapshot, serial,
 * question and rotation always give the same answer; answering is a hash lookup that never throws for any
 * question. Wire framing (EDNS0, truncation, FORMERR) belongs to {@code dev.clustermesh.dns.server}.
 */
package dev.clustermesh.dns.zone;
