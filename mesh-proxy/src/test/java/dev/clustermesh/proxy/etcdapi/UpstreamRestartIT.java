package dev.clustermesh.proxy.etcdapi;

import static dev.clustermesh.proxy.ProxyClients.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.proxy.ProxyClients;
import dev.clustermesh.proxy.ProxyTestEnvironment;
import dev.clustermesh.testing.Eventually;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The upstream etcd dies and comes back: downstream watchers see every change once, in order. */
@QuarkusTest
@QuarkusTestResource(value = ProxyTestEnvironment.class, restrictToAnnotatedClass = true)
@Timeout(180)
class UpstreamRestartIT {

    @Test
    void watchersSeeEveryChangeOnceAcrossAnUpstreamRestart() throws Exception {
        ProxyTestEnvironment env = ProxyTestEnvironment.current();
        List<String> seen = new CopyOnWriteArrayList<>();
        try (Client proxy = ProxyClients.proxy(env.local());
                Watch.Watcher w = watchHeartbeats(proxy, seen, new CopyOnWriteArrayList<>())) {
            put(env, "before");
            Eventually.await(Duration.ofSeconds(20), () -> assertThat(seen).containsExactly("PUT before"));

            env.etcd().kill();
            env.etcd().restart();
            put(env, "after-1");
            put(env, "after-2");

            Eventually.await(Duration.ofSeconds(60), () -> assertThat(seen)
                    .containsExactly("PUT before", "PUT after-1", "PUT after-2"));
        }
    }

    /**
     * Issue 14: an upstream etcd back without its data counts revisions from 1 again, and jetcd's resumed watch
     * would wait for the old revision in silence. The proxy notices (its revision went back), lists again and
     * tells its watchers to start over; a new list through it shows the new etcd's data.
     */
    @Test
    void anUpstreamBackWithoutItsDataIsListedAgainAndItsWatchersStartOver() throws Exception {
        ProxyTestEnvironment env = ProxyTestEnvironment.current();
        List<String> seen = new CopyOnWriteArrayList<>();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        try (Client proxy = ProxyClients.proxy(env.local()); Watch.Watcher w = watchHeartbeats(proxy, seen, errors)) {
            put(env, "before-wipe");
            Eventually.await(Duration.ofSeconds(20), () -> assertThat(seen).containsExactly("PUT before-wipe"));

            env.etcd().restartEmpty();
            put(env, "after-wipe");

            Eventually.await(Duration.ofSeconds(30), () -> assertThat(errors).isNotEmpty());
            assertThat(errors.get(0)).isInstanceOf(CompactedException.class);
            Eventually.await(Duration.ofSeconds(30), () -> assertThat(proxy.getKVClient()
                    .get(bytes("mesh/v1/heartbeat/cluster1")).get().getKvs()).extracting(kv -> kv.getValue().toString())
                    .containsExactly("after-wipe"));
        }
    }

    @Test
    void aWatchFromARevisionTheProxyNeverHadIsToldItIsCompacted() {
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        try (Client proxy = ProxyClients.proxy(ProxyTestEnvironment.current().local());
                Watch.Watcher w = proxy.getWatchClient().watch(bytes("mesh/v1/"),
                        WatchOption.builder().isPrefix(true).withRevision(1).build(),
                        Watch.listener(r -> { }, errors::add))) {
            Eventually.await(Duration.ofSeconds(20), () -> assertThat(errors).isNotEmpty());
        }
        assertThat(errors.get(0)).isInstanceOf(CompactedException.class);
    }

    /** Watches the heartbeat keys through the proxy from the upstream's next revision on. */
    private static Watch.Watcher watchHeartbeats(Client proxy, List<String> seen, List<Throwable> errors)
            throws Exception {
        long start;
        try (Client upstream = ProxyClients.upstream()) {
            start = upstream.getKVClient().get(bytes("mesh/v1/")).get().getHeader().getRevision() + 1;
        }
        return proxy.getWatchClient().watch(bytes("mesh/v1/heartbeat/"),
                WatchOption.builder().isPrefix(true).withRevision(start).build(),
                Watch.listener(r -> r.getEvents().forEach(e -> seen.add(describe(e))), errors::add));
    }

    private static void put(ProxyTestEnvironment env, String value) throws Exception {
        try (Client upstream = ProxyClients.upstream()) {
            upstream.getKVClient().put(bytes("mesh/v1/heartbeat/cluster1"), bytes(value)).get();
        }
    }

    private static String describe(WatchEvent e) {
        return e.getEventType() + " " + e.getKeyValue().getValue().toString();
    }
}
