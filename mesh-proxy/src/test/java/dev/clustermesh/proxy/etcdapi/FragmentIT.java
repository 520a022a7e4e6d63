package dev.clustermesh.proxy.etcdapi;

import static dev.clustermesh.proxy.ProxyClients.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.proxy.GoPeer;
import dev.clustermesh.proxy.ProxyClients;
import dev.clustermesh.proxy.ProxyTestEnvironment;
import dev.clustermesh.testing.Eventually;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * WithFragment through the Go etcd client limited to 2 MiB messages: one revision of 30 puts of 100 KB, with
 * previous values about 6 MB, arrives in fragments the client puts back together; without WithFragment the
 * same client gets an error (as it would from etcd), not silence. etcd's request limit is raised so that the
 * one transaction can be written at all.
 */
@QuarkusTest
@QuarkusTestResource(value = ProxyTestEnvironment.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = ProxyTestEnvironment.ETCD_MAX_REQUEST_BYTES, value = "8388608"))
@Timeout(180)
class FragmentIT {
    private static final String MAX_RECV = Integer.toString(2 * 1024 * 1024);
    private static Client upstream;
    private static long revision;

    @BeforeAll
    @Timeout(600)
    static void write() throws Exception {
        GoPeer.binary();
        upstream = ProxyClients.upstream();
        ByteSequence value = ByteSequence.from(new byte[100 * 1024]);
        List<Op> puts = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            ByteSequence key = bytes(String.format("mesh/v1/fragment/k%02d", i));
            upstream.getKVClient().put(key, value).get();
            puts.add(Op.put(key, value, PutOption.DEFAULT));
        }
        revision = upstream.getKVClient().txn().Then(puts.toArray(Op[]::new)).commit().get(30, TimeUnit.SECONDS)
                .getHeader().getRevision();
        try (Client local = ProxyClients.proxy(ProxyTestEnvironment.current().local())) {
            Eventually.await(Duration.ofSeconds(30), () -> assertThat(local.getKVClient().get(bytes("mesh/v1/"))
                    .get(5, TimeUnit.SECONDS).getHeader().getRevision()).isGreaterThanOrEqualTo(revision));
        }
    }

    @AfterAll
    static void close() {
        upstream.close();
    }

    @Test
    void aRevisionLargerThanTheClientsLimitArrivesInFragments() {
        GoPeer.Run run = watch(true);
        assertThat(run.get("error")).as(run.output()).isEmpty();
        assertThat(run.number("events")).isEqualTo(30);
        assertThat(run.number("prev")).isEqualTo(30);
    }

    @Test
    void withoutFragmentsTheClientGetsAnErrorNotSilence() {
        GoPeer.Run run = watch(false);
        assertThat(run.number("events")).as(run.output()).isZero();
        assertThat(run.get("error")).isNotEmpty();
    }

    private static GoPeer.Run watch(boolean fragment) {
        List<String> args = new ArrayList<>(GoPeer.tls(ProxyTestEnvironment.current().local()));
        args.addAll(List.of("-max-recv", MAX_RECV, "-prefix", "mesh/v1/fragment/", "-from", Long.toString(revision),
                "-expect", "30", "-fragment=" + fragment));
        return GoPeer.run(Duration.ofSeconds(90), "fragment", args);
    }
}
