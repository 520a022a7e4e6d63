package dev.clustermesh.proxy.etcdapi;

import dev.clustermesh.proxy.cache.KvCache;
import dev.clustermesh.proxy.cache.RangeQuery;
import dev.clustermesh.proxy.cache.RevisionUnavailable;
import io.etcd.jetcd.api.KeyValue;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeRequest.SortOrder;
import io.etcd.jetcd.api.RangeRequest.SortTarget;
import io.etcd.jetcd.api.RangeResponse;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Answers a Range request from the cache with etcd's semantics for filters, sorting, limit and counts. */
final class RangeAnswer {
    private RangeAnswer() {
    }

    /**
     * The response to {@code req}, at its revision (0 or less: the current one) as long as the history reaches
     * back to it. As in etcd, the header carries the current revision and {@code count} is the number of keys in
     * the range at that revision, before the revision filters and the limit.
     *
     * @throws io.grpc.StatusRuntimeException OUT_OF_RANGE (etcd's texts) for a revision newer than the cache's
     *         or older than its history
     */
    static RangeResponse answer(KvCache cache, RangeRequest req) {
        KvCache.Read read;
        try {
            read = cache.read(RangeQuery.of(req), req.getRevision());
        } catch (RevisionUnavailable e) {
            throw e.future() ? ApiErrors.futureRevision() : ApiErrors.compacted();
        }
        List<KeyValue> kvs = filter(read.kvs().stream(), req).toList();
        RangeResponse.Builder out = RangeResponse.newBuilder().setHeader(read.header()).setCount(read.kvs().size());
        if (req.getCountOnly()) {
            return out.build();
        }
        List<KeyValue> sorted = sort(kvs, req);
        long limit = req.getLimit();
        if (limit > 0 && sorted.size() > limit) {
            sorted = sorted.subList(0, (int) limit);
            out.setMore(true);
        }
        for (KeyValue kv : sorted) {
            out.addKvs(req.getKeysOnly() ? kv.toBuilder().clearValue().build() : kv);
        }
        return out.build();
    }

    private static Stream<KeyValue> filter(Stream<KeyValue> kvs, RangeRequest r) {
        return kvs.filter(kv -> (r.getMinModRevision() == 0 || kv.getModRevision() >= r.getMinModRevision())
                && (r.getMaxModRevision() == 0 || kv.getModRevision() <= r.getMaxModRevision())
                && (r.getMinCreateRevision() == 0 || kv.getCreateRevision() >= r.getMinCreateRevision())
                && (r.getMaxCreateRevision() == 0 || kv.getCreateRevision() <= r.getMaxCreateRevision()));
    }

    private static List<KeyValue> sort(List<KeyValue> kvs, RangeRequest r) {
        SortOrder order = r.getSortOrder();
        SortTarget target = r.getSortTarget();
        // etcd: a non-key target without an order sorts ascending.
        if (order == SortOrder.NONE && target != SortTarget.KEY) {
            order = SortOrder.ASCEND;
        }
        if (order == SortOrder.NONE || (order == SortOrder.ASCEND && target == SortTarget.KEY)) {
            return kvs;
        }
        Comparator<KeyValue> c = switch (target) {
            case VERSION -> Comparator.comparingLong(KeyValue::getVersion);
            case CREATE -> Comparator.comparingLong(KeyValue::getCreateRevision);
            case MOD -> Comparator.comparingLong(KeyValue::getModRevision);
            case VALUE -> (a, b) -> com.google.protobuf.ByteString.unsignedLexicographicalComparator()
                    .compare(a.getValue(), b.getValue());
            default -> (a, b) -> com.google.protobuf.ByteString.unsignedLexicographicalComparator()
                    .compare(a.getKey(), b.getKey());
        };
        return kvs.stream().sorted(order == SortOrder.DESCEND ? c.reversed() : c).toList();
    }
}
