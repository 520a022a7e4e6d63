package dev.clustermesh.proxy.export.etcd;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

/**
 * The difference between what is in etcd and what should be, as a list of writes. Pure.
 */
public final class KeyDiff {

    private KeyDiff() {
    }

    /**
     * The writes that turn {@code known} into {@code desired}, looking only at keys accepted by
     * {@code managed}: a put for each desired key whose value differs or is missing, a delete for each known
     * key that is not desired. Unmanaged keys are neither written nor deleted.
     *
     * @param phase orders the result: lower phases first, then by key
     */
    public static List<KeyOp> diff(Map<String, ByteString> known, Map<String, ByteString> desired,
            Predicate<String> managed, ToIntFunction<String> phase) {
        List<KeyOp> ops = new ArrayList<>();
        desired.forEach((k, v) -> {
            if (managed.test(k) && !v.equals(known.get(k))) {
                ops.add(new KeyOp.Put(k, v));
            }
        });
        known.keySet().stream().filter(k -> managed.test(k) && !desired.containsKey(k))
                .forEach(k -> ops.add(new KeyOp.Delete(k)));
        ops.sort(Comparator.comparingInt((KeyOp op) -> phase.applyAsInt(op.key())).thenComparing(KeyOp::key));
        return List.copyOf(ops);
    }

    /**
     * Splits {@code ops} into consecutive batches of at most {@code max} operations and, as far as possible,
     * {@code maxBytes} bytes of keys and values, keeping their order. An operation larger than
     * {@code maxBytes} alone is a batch of its own.
     *
     * @throws IllegalArgumentException when {@code max} or {@code maxBytes} is less than 1
     */
    public static List<List<KeyOp>> batches(List<KeyOp> ops, int max, long maxBytes) {
        if (max < 1 || maxBytes < 1) {
            throw new IllegalArgumentException(
                    "batch limits " + max + " ops, " + maxBytes + " bytes must be at least 1");
        }
        List<List<KeyOp>> out = new ArrayList<>();
        List<KeyOp> batch = new ArrayList<>();
        long bytes = 0;
        for (KeyOp op : ops) {
            long size = size(op);
            if (!batch.isEmpty() && (batch.size() == max || bytes + size > maxBytes)) {
                out.add(List.copyOf(batch));
                batch.clear();
                bytes = 0;
            }
            batch.add(op);
            bytes += size;
        }
        if (!batch.isEmpty()) {
            out.add(List.copyOf(batch));
        }
        return List.copyOf(out);
    }

    private static long size(KeyOp op) {
        long key = op.key().length();
        return op instanceof KeyOp.Put p ? key + p.value().size() : key;
    }

    /** {@code known} with {@code ops} applied, as a new map. */
    public static Map<String, ByteString> applied(Map<String, ByteString> known, List<KeyOp> ops) {
        Map<String, ByteString> next = new HashMap<>(known);
        for (KeyOp op : ops) {
            if (op instanceof KeyOp.Put p) {
                next.put(p.key(), p.value());
            } else {
                next.remove(op.key());
            }
        }
        return next;
    }
}
