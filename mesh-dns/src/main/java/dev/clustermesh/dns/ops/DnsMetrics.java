package dev.clustermesh.dns.ops;

import dev.clustermesh.dns.mesh.MeshObserver;
import dev.clustermesh.dns.server.BadPacket;
import dev.clustermesh.dns.server.DnsObserver;
import dev.clustermesh.dns.zone.Answer;
import dev.clustermesh.dns.zone.RecordType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jboss.logging.Logger;

/**
 * Prometheus metrics of mesh-dns; bad input and failures are logged here once and counted. The per-query path
 * looks counters up in an array (labels are bounded: transport x type mnemonic x rcode mnemonic), no map, no
 * boxing.
 */
@Singleton
final class DnsMetrics implements DnsObserver, MeshObserver {
    private static final Logger LOG = Logger.getLogger(DnsMetrics.class);
    private static final int[] TYPES = {RecordType.A, RecordType.NS, RecordType.CNAME, RecordType.SOA, RecordType.PTR,
        RecordType.MX, RecordType.TXT, RecordType.AAAA, RecordType.SRV, RecordType.IXFR, RecordType.AXFR,
        RecordType.ANY};
    private static final int[] RCODES = {Answer.NOERROR, Answer.FORMERR, Answer.SERVFAIL, Answer.NXDOMAIN,
        Answer.NOTIMP, Answer.REFUSED, Answer.NOTAUTH, Answer.BADVERS};

    private final MeterRegistry registry;
    private final AtomicReferenceArray<Counter> queries = new AtomicReferenceArray<>(2 * 16 * 16);
    private final Map<BadPacket, Counter> badPackets = new EnumMap<>(BadPacket.class);
    private final Timer latency;
    private final Timer zoneBuild;
    private final Timer propagation;
    private final Counter truncated;
    private final Counter internalErrors;
    private final AtomicInteger names = new AtomicInteger();

    DnsMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.latency = Timer.builder("mesh_dns_answer_latency").publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(1000)).maximumExpectedValue(Duration.ofMillis(100))
                .description("Time from reading a query to handing its response to the transport").register(registry);
        this.zoneBuild = Timer.builder("mesh_dns_zone_build_duration").publishPercentiles(0.5, 0.99)
                .description("Time to compute the zone from the merged view").register(registry);
        this.propagation = Timer.builder("mesh_dns_propagation_latency").publishPercentiles(0.5, 0.99)
                .description("Time from a mesh change arriving to the zone serving it").register(registry);
        this.truncated = Counter.builder("mesh_dns_truncated").description("UDP answers sent with TC")
                .register(registry);
        this.internalErrors = Counter.builder("mesh_dns_internal_errors")
                .description("Unexpected failures while answering").register(registry);
        for (BadPacket b : BadPacket.values()) {
            badPackets.put(b, Counter.builder("mesh_dns_bad_packets").tag("reason", b.label())
                    .description("Malformed or refused packets, answered FORMERR or dropped").register(registry));
        }
        registry.gauge("mesh_dns_names", names);
    }

    @Override
    public void answered(boolean tcp, int qtype, int rcode, long nanos) {
        int index = (tcp ? 1 : 0) * 256 + indexOf(TYPES, qtype) * 16 + indexOf(RCODES, rcode);
        Counter c = queries.get(index);
        if (c == null) {
            c = Counter.builder("mesh_dns_queries").tag("transport", tcp ? "tcp" : "udp")
                    .tag("qtype", RecordType.label(qtype)).tag("rcode", Answer.rcodeLabel(rcode))
                    .description("Queries answered, by transport, question type and response code").register(registry);
            queries.set(index, c);
        }
        c.increment();
        latency.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Position of {@code v} in {@code values}, or {@code values.length} ("other") when absent. */
    private static int indexOf(int[] values, int v) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == v) {
                return i;
            }
        }
        return values.length;
    }

    @Override
    public void badPacket(BadPacket reason) {
        badPackets.get(reason).increment();
    }

    @Override
    public void truncated() {
        truncated.increment();
    }

    @Override
    public void internalError(Throwable t) {
        LOG.errorf(t, "answering a query failed");
        internalErrors.increment();
    }

    @Override
    public void event(String cluster) {
        registry.counter("mesh_dns_cluster_events", "cluster", cluster).increment();
    }

    @Override
    public void invalid(String cluster, String reason) {
        LOG.warnf("cluster %s: skipped %s", cluster, reason);
        registry.counter("mesh_dns_invalid_values", "cluster", cluster).increment();
    }

    @Override
    public void badClusterFile(String file, String reason) {
        LOG.errorf("cluster config %s", reason);
        registry.counter("mesh_dns_bad_cluster_files").increment();
    }

    @Override
    public void skipped(String reason) {
        LOG.warnf("not served: %s", reason);
        registry.counter("mesh_dns_skipped_services").increment();
    }

    @Override
    public void zoneBuilt(int served, long buildNanos, long propagationNanos) {
        names.set(served);
        zoneBuild.record(buildNanos, TimeUnit.NANOSECONDS);
        propagation.record(propagationNanos, TimeUnit.NANOSECONDS);
    }
}
