package dev.clustermesh.proxy.cache;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.RangeRequest;

/**
 * The key interval of an etcd request: {@code [key, rangeEnd)}, a single key when {@code rangeEnd} is empty,
 * and every key at or above {@code key} when {@code rangeEnd} is a single zero byte (etcd's convention).
 *
 * @param key first key
 * @param rangeEnd end of the interval as etcd encodes it
 */
public record RangeQuery(ByteString key, ByteString rangeEnd) {
    private static final ByteString ZERO = ByteString.copyFrom(new byte[] {0});

    /** The interval of a Range request. */
    public static RangeQuery of(RangeRequest r) {
        return new RangeQuery(r.getKey(), r.getRangeEnd());
    }

    /** True for a single-key request. */
    public boolean single() {
        return rangeEnd.isEmpty();
    }

    /** True when the interval has no upper bound. */
    public boolean unbounded() {
        return rangeEnd.equals(ZERO);
    }

    /** True when {@code k} lies in the interval. */
    public boolean contains(ByteString k) {
        if (single()) {
            return k.equals(key);
        }
        if (ByteString.unsignedLexicographicalComparator().compare(k, key) < 0) {
            return false;
        }
        return unbounded() || ByteString.unsignedLexicographicalComparator().compare(k, rangeEnd) < 0;
    }

    /** The end of the interval of all keys starting with {@code prefix} (etcd's {@code --prefix}). */
    public static ByteString prefixEnd(ByteString prefix) {
        byte[] end = prefix.toByteArray();
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xff) {
                end[i]++;
                return ByteString.copyFrom(end, 0, i + 1);
            }
        }
        return ZERO;
    }
}
