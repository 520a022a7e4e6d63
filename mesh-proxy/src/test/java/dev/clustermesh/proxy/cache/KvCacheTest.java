package dev.clustermesh.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.KeyValue;
import io.etcd.jetcd.api.ResponseHeader;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class KvCacheTest {

    /** Records what listeners were told, as text. */
    static final class Recorder implements CacheListener {
        final List<String> log = new ArrayList<>();

        @Override
        public void onEvents(List<Event> events, long revision) {
            events.forEach(e -> log.add(e.getType() + " " + e.getKv().getKey().toStringUtf8() + "@" + e.getKv().getModRevision()));
        }

        @Override
        public void onReset(long floor) {
            log.add("reset@" + floor);
        }
    }

    @Test
    void firstListIsNotAGapAndWatchesStartAfterIt() {
        KvCache cache = new KvCache(100);
        Recorder r = new Recorder();
        cache.addListener(r);
        cache.reset(header(10), List.of(kv("mesh/v1/a", 5), kv("mesh/v1/b", 9)));

        assertThat(r.log).isEmpty();
        assertThat(cache.revision()).isEqualTo(10);
        assertThat(replay(cache, 0).start()).isEqualTo(11);
        assertThat(replay(cache, 10).compactRevision()).isEqualTo(11);
        assertThat(replay(cache, 11).compacted()).isFalse();
    }

    @Test
    void eventsAreAppliedAndReplayedFromHistory() {
        KvCache cache = new KvCache(100);
        cache.reset(header(10), List.of(kv("mesh/v1/a", 5)));
        cache.apply(List.of(put("mesh/v1/b", 11), put("mesh/v1/c", 11)), 11);
        cache.apply(List.of(del("mesh/v1/a", 12)), 12);

        assertThat(cache.read(all()).kvs()).extracting(kv -> kv.getKey().toStringUtf8())
                .containsExactly("mesh/v1/b", "mesh/v1/c");
        assertThat(replay(cache, 12).events().size()).isEqualTo(1);
        assertThat(replay(cache, 11).events().size()).isEqualTo(3);
        assertThat(cache.read(all()).header().getRevision()).isEqualTo(12);
    }

    @Test
    void historyEvictsWholeRevisionsAndReportsCompaction() {
        KvCache cache = new KvCache(2);
        cache.reset(header(10), List.of());
        cache.apply(List.of(put("mesh/v1/a", 11), put("mesh/v1/b", 11)), 11);
        cache.apply(List.of(put("mesh/v1/c", 12)), 12);

        // Revision 11 lost one event to the bound, so it is gone entirely.
        assertThat(cache.historySize()).isEqualTo(1);
        KvCache.Replay old = replay(cache, 11);
        assertThat(old.compacted()).isTrue();
        assertThat(old.compactRevision()).isEqualTo(12);
        assertThat(replay(cache, 12).events().size()).isEqualTo(1);
    }

    @Test
    void aReListAtAnotherRevisionResetsWatchers() {
        KvCache cache = new KvCache(100);
        Recorder r = new Recorder();
        cache.addListener(r);
        cache.reset(header(10), List.of(kv("mesh/v1/a", 5)));
        cache.reset(header(10), List.of(kv("mesh/v1/a", 5)));
        assertThat(r.log).isEmpty();

        cache.reset(header(20), List.of(kv("mesh/v1/b", 18)));
        assertThat(r.log).containsExactly("reset@20");
        assertThat(replay(cache, 15).compacted()).isTrue();
        assertThat(cache.read(all()).kvs()).hasSize(1);
    }

    @Test
    void watchesBeforeTheFirstListAreNotReady() {
        KvCache cache = new KvCache(10);
        assertThat(replay(cache, 0).ready()).isFalse();
    }

    record RangeCase(String key, String end, List<String> expected) {
    }

    static Stream<RangeCase> ranges() {
        return Stream.of(
                new RangeCase("mesh/v1/b", "", List.of("mesh/v1/b")),
                new RangeCase("mesh/v1/z", "", List.of()),
                new RangeCase("mesh/v1/", "mesh/v10", List.of("mesh/v1/a", "mesh/v1/b", "mesh/v1/c")),
                new RangeCase("mesh/v1/b", "mesh/v1/c", List.of("mesh/v1/b")),
                new RangeCase("mesh/v1/b", "\0", List.of("mesh/v1/b", "mesh/v1/c", "mesh/v2/x")),
                new RangeCase("mesh/v1/c", "mesh/v1/a", List.of()));
    }

    @ParameterizedTest
    @MethodSource("ranges")
    void rangesFollowEtcdConventions(RangeCase c) {
        KvCache cache = new KvCache(10);
        cache.reset(header(5), List.of(kv("mesh/v1/a", 1), kv("mesh/v1/b", 2), kv("mesh/v1/c", 3), kv("mesh/v2/x", 4)));
        RangeQuery q = new RangeQuery(ByteString.copyFromUtf8(c.key()), ByteString.copyFromUtf8(c.end()));
        assertThat(cache.read(q).kvs()).extracting(kv -> kv.getKey().toStringUtf8()).containsExactlyElementsOf(c.expected());
        assertThat(cache.read(q).kvs()).allMatch(kv -> q.contains(kv.getKey()));
    }

    @Test
    void prefixEndIncrementsTheLastByteThatCan() {
        assertThat(RangeQuery.prefixEnd(ByteString.copyFromUtf8("mesh/v1/")).toStringUtf8()).isEqualTo("mesh/v10");
        assertThat(RangeQuery.prefixEnd(ByteString.copyFrom(new byte[] {'a', (byte) 0xff})).toByteArray())
                .containsExactly('b');
        assertThat(RangeQuery.prefixEnd(ByteString.copyFrom(new byte[] {(byte) 0xff})).toByteArray()).containsExactly(0);
    }

    static KvCache.Replay replay(KvCache cache, long start) {
        return cache.atomically(start, r -> r);
    }

    static RangeQuery all() {
        return new RangeQuery(ByteString.copyFromUtf8("mesh/v1/"), RangeQuery.prefixEnd(ByteString.copyFromUtf8("mesh/v1/")));
    }

    static ResponseHeader header(long revision) {
        return ResponseHeader.newBuilder().setRevision(revision).setClusterId(7).setMemberId(8).build();
    }

    static KeyValue kv(String key, long rev) {
        return KeyValue.newBuilder().setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8("v"))
                .setModRevision(rev).setCreateRevision(rev).setVersion(1).build();
    }

    static Event put(String key, long rev) {
        return Event.newBuilder().setType(Event.EventType.PUT).setKv(kv(key, rev)).build();
    }

    static Event del(String key, long rev) {
        return Event.newBuilder().setType(Event.EventType.DELETE)
                .setKv(KeyValue.newBuilder().setKey(ByteString.copyFromUtf8(key)).setModRevision(rev)).build();
    }
}
