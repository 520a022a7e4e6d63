package dev.clustermesh.proxy.etcdapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.clustermesh.proxy.cache.KvCache;
import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.KeyValue;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import io.etcd.jetcd.api.ResponseHeader;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Encoded Range answers are etcd's answers, shared while the revision stands, recomputed once it moves. */
class RangeBytesTest {

    record Case(String name, RangeRequest request) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        ByteString prefix = ByteString.copyFromUtf8("mesh/v1/");
        ByteString end = ByteString.copyFromUtf8("mesh/v10");
        return Stream.of(
                new Case("whole prefix", RangeRequest.newBuilder().setKey(prefix).setRangeEnd(end).build()),
                new Case("single key", RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("mesh/v1/svc-3")).build()),
                new Case("limit", RangeRequest.newBuilder().setKey(prefix).setRangeEnd(end).setLimit(2).build()),
                new Case("keys only", RangeRequest.newBuilder().setKey(prefix).setRangeEnd(end).setKeysOnly(true).build()),
                new Case("count only", RangeRequest.newBuilder().setKey(prefix).setRangeEnd(end).setCountOnly(true).build()),
                new Case("descending", RangeRequest.newBuilder().setKey(prefix).setRangeEnd(end)
                        .setSortOrder(RangeRequest.SortOrder.DESCEND).build()));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void answersAreEtcdsAndSharedUntilTheRevisionMoves(Case c) throws Exception {
        KvCache cache = new KvCache(100, 1L << 30);
        List<KeyValue> kvs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            kvs.add(kv("mesh/v1/svc-" + i, 2 + i));
        }
        cache.reset(ResponseHeader.newBuilder().setClusterId(1).setRevision(10).build(), kvs);
        RangeBytes ranges = new RangeBytes(cache);

        byte[] first = ranges.answer(c.request());
        assertThat(RangeResponse.parseFrom(first)).isEqualTo(RangeAnswer.answer(cache, c.request()));
        assertThat(ranges.answer(c.request())).isSameAs(first);

        cache.apply(List.of(Event.newBuilder().setType(Event.EventType.PUT).setKv(kv("mesh/v1/svc-3", 11)).build()), 11);
        byte[] after = ranges.answer(c.request());
        RangeResponse moved = RangeResponse.parseFrom(after);
        assertThat(moved).isEqualTo(RangeAnswer.answer(cache, c.request()));
        assertThat(moved.getHeader().getRevision()).isEqualTo(11);
    }

    private static KeyValue kv(String key, long revision) {
        return KeyValue.newBuilder().setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8("v" + revision))
                .setCreateRevision(2).setModRevision(revision).setVersion(1).build();
    }
}
