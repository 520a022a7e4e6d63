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
        KvCache cache = new KvCache(100, 1L << 30);
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
        KvCache cache = new KvCache(100, 1L << 30);
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
    void eventsOfRevisionsAlreadyHeldAreNotAppliedTwice() {
        KvCache cache = new KvCache(100, 1L << 30);
        cache.reset(header(10), List.of(kv("mesh/v1/a", 5)));
        cache.apply(List.of(put("mesh/v1/b", 11), put("mesh/v1/c", 11)), 11);
        cache.apply(List.of(del("mesh/v1/a", 12)), 12);
        // A replaced upstream watch repeats 11 and 12, then goes on with 13.
        cache.apply(List.of(put("mesh/v1/b", 11), put("mesh/v1/c", 11)), 11);
        cache.apply(List.of(del("mesh/v1/a", 12), put("mesh/v1/d", 13)), 13);

        assertThat(cache.read(all()).kvs()).extracting(kv -> kv.getKey().toStringUtf8())
                .containsExactly("mesh/v1/b", "mesh/v1/c", "mesh/v1/d");
        assertThat(replay(cache, 11).events()).extracting(e -> e.getKv().getModRevision())
                .containsExactly(11L, 11L, 12L, 13L);
        assertThat(cache.revision()).isEqualTo(13);
        assertThat(cache.eventRevision()).isEqualTo(13);

        // A header ahead of the events still to come moves the revision, not the floor: 14 and 15 still apply.
        cache.apply(List.of(), 20);
        cache.apply(List.of(put("mesh/v1/e", 14), put("mesh/v1/f", 15)), 20);
        assertThat(cache.read(all()).kvs()).hasSize(5);
        assertThat(cache.eventRevision()).isEqualTo(15);
    }

    @Test
    void historyEvictsWholeRevisionsAndReportsCompaction() {
        KvCache cache = new KvCache(2, 1L << 30);
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
    void historyIsBoundedInBytesAndSharesPreviousValuesWithTheKeysHeld() {
        KvCache cache = new KvCache(100_000, 300_000);
        cache.reset(header(10), List.of());
        for (int rev = 11; rev <= 40; rev++) {
            // 30 puts of 20 KB to 3 keys: each previous value is the value held, counted once.
            String key = "mesh/v1/k" + (rev % 3);
            KeyValue before = cache.read(new RangeQuery(ByteString.copyFromUtf8(key), ByteString.EMPTY)).kvs()
                    .stream().findFirst().orElse(null);
            Event.Builder e = Event.newBuilder().setType(Event.EventType.PUT).setKv(big(key, rev, 20_000));
            if (before != null) {
                e.setPrevKv(before.toBuilder().build());
            }
            cache.apply(List.of(e.build()), rev);
        }
        assertThat(cache.historySize()).isEqualTo(14);
        assertThat(cache.historyBytes()).isLessThanOrEqualTo(300_000);
        assertThat(cache.oldestRevision()).isEqualTo(26);
        assertThat(replay(cache, 26).compacted()).isTrue();
        assertThat(replay(cache, 27).events()).hasSize(14);
    }

    record PastCase(long revision, List<String> expected) {
    }

    static Stream<PastCase> pastReads() {
        return Stream.of(
                new PastCase(0, List.of("mesh/v1/a=3", "mesh/v1/c=1")),
                new PastCase(-1, List.of("mesh/v1/a=3", "mesh/v1/c=1")),
                new PastCase(14, List.of("mesh/v1/a=3", "mesh/v1/c=1")),
                new PastCase(13, List.of("mesh/v1/a=3", "mesh/v1/b=1", "mesh/v1/c=1")),
                new PastCase(12, List.of("mesh/v1/a=2", "mesh/v1/b=1")),
                new PastCase(11, List.of("mesh/v1/a=1", "mesh/v1/b=1")),
                new PastCase(10, List.of("mesh/v1/a=1")));
    }

    @ParameterizedTest
    @MethodSource("pastReads")
    void readsAtPastRevisionsUndoTheHistory(PastCase c) {
        KvCache cache = new KvCache(100, 1L << 30);
        cache.reset(header(10), List.of(versioned("mesh/v1/a", 5, 1)));
        cache.apply(List.of(Event.newBuilder().setType(Event.EventType.PUT).setKv(versioned("mesh/v1/b", 11, 1)).build()), 11);
        cache.apply(List.of(Event.newBuilder().setType(Event.EventType.PUT).setKv(versioned("mesh/v1/a", 12, 2))
                .setPrevKv(versioned("mesh/v1/a", 5, 1)).build()), 12);
        cache.apply(List.of(Event.newBuilder().setType(Event.EventType.PUT).setKv(versioned("mesh/v1/a", 13, 3))
                .setPrevKv(versioned("mesh/v1/a", 12, 2)).build(),
                Event.newBuilder().setType(Event.EventType.PUT).setKv(versioned("mesh/v1/c", 13, 1)).build()), 13);
        cache.apply(List.of(Event.newBuilder().setType(Event.EventType.DELETE)
                .setKv(KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("mesh/v1/b")).setModRevision(14))
                .setPrevKv(versioned("mesh/v1/b", 11, 1)).build()), 14);

        KvCache.Read read = cache.read(all(), c.revision());
        assertThat(read.header().getRevision()).isEqualTo(14);
        assertThat(read.kvs()).extracting(kv -> kv.getKey().toStringUtf8() + "=" + kv.getVersion())
                .containsExactlyElementsOf(c.expected());
    }

    @Test
    void readsOutsideTheHistoryAreRefused() {
        KvCache cache = new KvCache(100, 1L << 30);
        cache.reset(header(10), List.of());
        cache.apply(List.of(put("mesh/v1/a", 11)), 11);
        assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(RevisionUnavailable.class,
                () -> cache.read(all(), 12)).future()).isTrue();
        RevisionUnavailable old = org.assertj.core.api.Assertions.catchThrowableOfType(RevisionUnavailable.class,
                () -> cache.read(all(), 9));
        assertThat(old.future()).isFalse();
        assertThat(old.oldest()).isEqualTo(10);
    }

    @Test
    void catchUpStepsReadWholeRevisionsUpToTheirSize() {
        KvCache cache = new KvCache(100, 1L << 30);
        cache.reset(header(10), List.of());
        cache.apply(List.of(put("mesh/v1/a", 11), put("mesh/v1/b", 11)), 11);
        cache.apply(List.of(put("mesh/v1/c", 12)), 12);
        assertThat(cache.catchUp(11, 1, (KvCache.Replay r) -> r.events())).hasSize(2);
        assertThat(cache.catchUp(12, 1, (KvCache.Replay r) -> r.events())).hasSize(1);
        assertThat(cache.catchUp(11, 1 << 20, (KvCache.Replay r) -> r.events())).hasSize(3);
        assertThat(cache.catchUp(13, 1, (KvCache.Replay r) -> r.events())).isEmpty();
        assertThat(cache.catchUp(10, 1, (KvCache.Replay r) -> r.compacted())).isTrue();
    }

    @Test
    void aReListAtAnotherRevisionResetsWatchers() {
        KvCache cache = new KvCache(100, 1L << 30);
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

    /**
     * Found by the fault campaign: a client listed at 107 just before the cache re-listed an etcd that came back
     * empty (now at 3), then watched from 108. Awaited, that watch stayed silent for minutes, and the client held
     * nothing of the cluster; compacted, the client lists again.
     */
    @Test
    void aWatchFromBeforeTheUpstreamWentBackIsCompactedNotAwaited() {
        KvCache cache = new KvCache(100, 1L << 30);
        cache.reset(header(107), List.of(kv("mesh/v1/a", 100)));
        cache.reset(header(3), List.of(kv("mesh/v1/b", 2)));
        assertThat(replay(cache, 108).compacted()).as("a revision of the lost data").isTrue();
        assertThat(replay(cache, 50).compacted()).isTrue();
        assertThat(replay(cache, 4).compacted()).as("the next revision of the new upstream").isFalse();
        assertThat(replay(cache, 0).start()).isEqualTo(4);

        // Once the new upstream has counted past the old revisions, a watch ahead of it waits, as etcd's does.
        cache.apply(List.of(put("mesh/v1/c", 110)), 110);
        assertThat(replay(cache, 112).compacted()).isFalse();
        assertThat(replay(cache, 111).events()).isEmpty();
    }

    @Test
    void aSecondGoBackKeepsTheHighestRevisionServed() {
        KvCache cache = new KvCache(100, 1L << 30);
        cache.reset(header(107), List.of());
        cache.reset(header(3), List.of());
        cache.apply(List.of(put("mesh/v1/a", 40)), 40);
        cache.reset(header(2), List.of());
        assertThat(replay(cache, 100).compacted()).as("served before the first go-back").isTrue();
        assertThat(replay(cache, 30).compacted()).as("served before the second").isTrue();
        assertThat(replay(cache, 3).compacted()).as("the next revision").isFalse();
        assertThat(replay(cache, 200).compacted()).as("never served: a future revision, awaited").isFalse();
    }

    @Test
    void watchesBeforeTheFirstListAreNotReady() {
        KvCache cache = new KvCache(10, 1L << 30);
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
        KvCache cache = new KvCache(10, 1L << 30);
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

    static KeyValue versioned(String key, long rev, long version) {
        return kv(key, rev).toBuilder().setVersion(version).build();
    }

    static KeyValue big(String key, long rev, int size) {
        return kv(key, rev).toBuilder().setValue(ByteString.copyFrom(new byte[size])).build();
    }

    static Event put(String key, long rev) {
        return Event.newBuilder().setType(Event.EventType.PUT).setKv(kv(key, rev)).build();
    }

    static Event del(String key, long rev) {
        return Event.newBuilder().setType(Event.EventType.DELETE)
                .setKv(KeyValue.newBuilder().setKey(ByteString.copyFromUtf8(key)).setModRevision(rev)).build();
    }
}
