package dev.clustermesh.proxy.export.etcd;

import com.google.protobuf.ByteString;
import java.util.Objects;

/** One write of a transaction: put a value or delete a key. */
public sealed interface KeyOp {

    /** The key written or deleted. */
    String key();

    /** Put {@code value} at {@code key}. */
    record Put(String key, ByteString value) implements KeyOp {
        public Put {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }

    /** Delete {@code key} (a single key, never a range). */
    record Delete(String key) implements KeyOp {
        public Delete {
            Objects.requireNonNull(key, "key");
        }
    }
}
