package dev.clustermesh.proxy.etcdapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.KeyValue;
import io.etcd.jetcd.api.ResponseHeader;
import io.etcd.jetcd.api.WatchResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Frames built from shared event bytes are the very responses protobuf would build, merged or not. */
class WatchFrameTest {

    record Case(String name, long watchId, List<List<Event>> batches) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("one put, watch 0", 0, List.of(List.of(put("a", 5, null)))),
                new Case("one put, watch 7", 7, List.of(List.of(put("a", 5, null)))),
                new Case("put with previous value and delete", 300, List.of(List.of(put("a", 6, "old"), delete("b", 7)))),
                new Case("three batches merged", 1L << 40,
                        List.of(List.of(put("a", 8, null)), List.of(put("b", 9, "x"), delete("a", 10)),
                                List.of(put("c", 11, null)))),
                new Case("large value", 2, List.of(List.of(put("big", 12, null, 70_000)))));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void framesEncodeAsTheEquivalentBuiltResponse(Case c) throws Exception {
        WatchFrame frame = null;
        WatchResponse.Builder expected = WatchResponse.newBuilder().setWatchId(c.watchId());
        for (List<Event> batch : c.batches()) {
            ResponseHeader h = header(batch.get(batch.size() - 1).getKv().getModRevision());
            WatchFrame next = WatchFrame.events(h.toByteArray(), c.watchId(), EncodedEvents.encode(batch));
            if (frame == null) {
                frame = next;
            } else {
                assertThat(frame.merge(next)).isTrue();
            }
            expected.setHeader(h).addAllEvents(batch);
        }
        byte[] bytes = frame.toByteArray();
        assertThat(bytes).hasSize(frame.size());
        assertThat(WatchResponse.parseFrom(bytes)).isEqualTo(expected.build());
        assertThat(bytes).isEqualTo(expected.build().toByteArray());
        assertThat(frame.eventCount()).isEqualTo(expected.getEventsCount());
    }

    @ParameterizedTest
    @MethodSource("cases")
    void builtResponsesPassThroughUnchanged(Case c) {
        WatchResponse r = WatchResponse.newBuilder().setHeader(header(3)).setWatchId(c.watchId()).setCreated(true)
                .addAllEvents(c.batches().get(0)).build();
        WatchFrame frame = WatchFrame.of(r);
        assertThat(frame.toByteArray()).isEqualTo(r.toByteArray());
        assertThat(frame.size()).isEqualTo(r.getSerializedSize());
        assertThat(frame.toMessage()).isEqualTo(r);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void framesOfAnotherWatchOrBuiltResponsesDoNotMerge(Case c) {
        List<Event> batch = c.batches().get(0);
        WatchFrame frame = WatchFrame.events(header(1).toByteArray(), c.watchId(), EncodedEvents.encode(batch));
        int size = frame.size();
        assertThat(frame.merge(WatchFrame.events(header(2).toByteArray(), c.watchId() + 1, EncodedEvents.encode(batch))))
                .isFalse();
        assertThat(frame.merge(WatchFrame.of(WatchResponse.newBuilder().setWatchId(c.watchId()).build()))).isFalse();
        assertThat(WatchFrame.of(WatchResponse.newBuilder().setWatchId(c.watchId()).build())
                .merge(WatchFrame.events(header(2).toByteArray(), c.watchId(), EncodedEvents.encode(batch)))).isFalse();
        assertThat(frame.size()).isEqualTo(size);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void mergingStopsAtTheSizeLimit(Case c) {
        EncodedEvents events = EncodedEvents.encode(c.batches().get(0));
        WatchFrame frame = WatchFrame.events(header(1).toByteArray(), c.watchId(), events);
        List<Boolean> merged = new ArrayList<>();
        for (int i = 0; i < WatchFrame.MAX_MERGED_BYTES / events.bytes().length + 2; i++) {
            merged.add(frame.merge(WatchFrame.events(header(2).toByteArray(), c.watchId(), events)));
        }
        assertThat(merged).contains(false);
        assertThat(frame.size()).isLessThanOrEqualTo(WatchFrame.MAX_MERGED_BYTES);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void framesOfSharedEncodingsAreTheResponsesAWatchWouldGet(Case c) throws Exception {
        List<Event> events = c.batches().stream().flatMap(List::stream).toList();
        SharedEncodings encodings = new SharedEncodings(1 << 20);
        for (boolean prevKv : List.of(true, false)) {
            Watching w = new Watching(c.watchId(), new dev.clustermesh.proxy.cache.RangeQuery(
                    ByteString.copyFromUtf8("mesh/v1/"), ByteString.copyFromUtf8("mesh/v10")), 0, prevKv, false, false,
                    false, false);
            List<WatchFrame> frames = EventFrames.shared(header(20).toByteArray(), w, w.filter(events), encodings);
            assertThat(frames).hasSize(1);
            WatchResponse expected = WatchResponse.newBuilder().setHeader(header(20)).setWatchId(c.watchId())
                    .addAllEvents(w.select(events)).build();
            assertThat(WatchResponse.parseFrom(frames.get(0).toByteArray())).isEqualTo(expected);
            assertThat(frames.get(0).toByteArray()).isEqualTo(expected.toByteArray());
        }
    }

    @org.junit.jupiter.api.Test
    void aFragmentWatchGetsFragmentsOfAtMostTheLimitThatAddUpToTheEvents() throws Exception {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            events.add(put("k" + i, 40, "x", 100 * 1024).toBuilder().setPrevKv(kv("k" + i, 39, 100 * 1024)).build());
        }
        Watching w = new Watching(5, new dev.clustermesh.proxy.cache.RangeQuery(ByteString.copyFromUtf8("mesh/v1/"),
                ByteString.copyFromUtf8("mesh/v10")), 0, true, false, false, false, true);
        List<WatchFrame> frames = EventFrames.shared(header(40).toByteArray(), w, events, new SharedEncodings(1 << 20));
        assertThat(frames).hasSizeGreaterThan(3);
        List<Event> received = new ArrayList<>();
        for (int i = 0; i < frames.size(); i++) {
            WatchResponse r = WatchResponse.parseFrom(frames.get(i).toByteArray());
            assertThat(frames.get(i).size()).isLessThanOrEqualTo(Watching.FRAGMENT_BYTES + 64);
            assertThat(r.getUnknownFields().getField(7).getVarintList()).isEqualTo(
                    i < frames.size() - 1 ? List.of(1L) : List.of());
            received.addAll(r.getEventsList());
        }
        assertThat(received).isEqualTo(events);
    }

    private static ResponseHeader header(long revision) {
        return ResponseHeader.newBuilder().setClusterId(11).setMemberId(12).setRaftTerm(2).setRevision(revision).build();
    }

    private static Event put(String key, long revision, String previous) {
        return put(key, revision, previous, 16);
    }

    private static Event put(String key, long revision, String previous, int valueSize) {
        Event.Builder b = Event.newBuilder().setType(Event.EventType.PUT).setKv(kv(key, revision, valueSize));
        if (previous != null) {
            b.setPrevKv(KeyValue.newBuilder().setKey(ByteString.copyFromUtf8(key))
                    .setValue(ByteString.copyFromUtf8(previous)).setModRevision(revision - 1));
        }
        return b.build();
    }

    private static Event delete(String key, long revision) {
        return Event.newBuilder().setType(Event.EventType.DELETE)
                .setKv(KeyValue.newBuilder().setKey(ByteString.copyFromUtf8(key)).setModRevision(revision)).build();
    }

    private static KeyValue kv(String key, long revision, int valueSize) {
        return KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("mesh/v1/" + key))
                .setValue(ByteString.copyFrom(new byte[valueSize])).setCreateRevision(2).setModRevision(revision)
                .setVersion(1).build();
    }
}
