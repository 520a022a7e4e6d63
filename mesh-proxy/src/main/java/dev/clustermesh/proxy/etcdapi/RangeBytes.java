package dev.clustermesh.proxy.etcdapi;

import dev.clustermesh.proxy.cache.KvCache;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Encoded Range answers at the cache's current revision, the last few requests only.
 *
 * <p>Why: agents that connect together (a proxy restart, a new cluster joining) all list the same prefix at
 * the same revision; a 10,000-service list is ~3.4 MB, and building and encoding it for each of them is
 * most of a sync's CPU and garbage. Any change to the cache moves its revision and empties this.
 */
final class RangeBytes {
    private static final int ENTRIES = 4;

    private final KvCache cache;
    private final Map<RangeRequest, byte[]> answers = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<RangeRequest, byte[]> eldest) {
            return size() > ENTRIES;
        }
    };
    /** The size of the last answer to each recent request, whatever its revision: the next one's estimate. */
    private final Map<RangeRequest, Integer> sizes = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<RangeRequest, Integer> eldest) {
            return size() > 256;
        }
    };
    private long largest;
    private long revision = -1;

    RangeBytes(KvCache cache) {
        this.cache = cache;
    }

    /**
     * What the answer to {@code req} will likely weigh, before it is encoded: a single key or a count is small;
     * otherwise the size of the last answer to the same request, or the largest answer seen, or {@code unknown}
     * before any.
     */
    synchronized long estimate(RangeRequest req, long unknown) {
        if (req.getCountOnly() || req.getRangeEnd().isEmpty()) {
            return 1024;
        }
        Integer last = sizes.get(req);
        return last != null ? last : largest > 0 ? largest : unknown;
    }

    /**
     * The encoded {@code RangeResponse} to {@code req} (already allowed to its caller).
     *
     * @throws io.grpc.StatusRuntimeException as {@link RangeAnswer#answer} does
     */
    synchronized byte[] answer(RangeRequest req) {
        long current = cache.revision();
        if (current != revision) {
            answers.clear();
            revision = current;
        }
        byte[] bytes = answers.get(req);
        if (bytes == null) {
            RangeResponse r = RangeAnswer.answer(cache, req);
            bytes = r.toByteArray();
            sizes.put(req, bytes.length);
            largest = Math.max(largest, bytes.length);
            if (r.getHeader().getRevision() == revision) {
                answers.put(req, bytes);
            }
        }
        return bytes;
    }
}
