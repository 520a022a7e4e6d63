package dev.clustermesh.proxy.etcdapi;

import com.google.protobuf.ByteString;
import dev.clustermesh.proxy.cache.KvCache;
import dev.clustermesh.proxy.cache.RangeQuery;
import io.etcd.jetcd.api.Compare;
import io.etcd.jetcd.api.KeyValue;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.ResponseOp;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.api.TxnResponse;
import java.util.List;
import java.util.function.Consumer;

/**
 * Evaluates a Txn that only reads: compares against the cache, then the ranges of the chosen branch, all at
 * one revision. A Txn with any put or delete (at any depth) is refused before anything is evaluated.
 */
final class ReadOnlyTxn {
    /** {@code Compare.LEASE} and its {@code lease} field, newer than the proto this build compiles against. */
    private static final int LEASE_TARGET = 4;
    private static final int LEASE_FIELD = 8;

    private ReadOnlyTxn() {
    }

    private static long leaseOf(Compare c) {
        List<Long> v = c.getUnknownFields().getField(LEASE_FIELD).getVarintList();
        return v.isEmpty() ? 0 : v.get(v.size() - 1);
    }

    /** True when {@code txn} writes anywhere, including nested transactions. */
    static boolean writes(TxnRequest txn) {
        return writes(txn.getSuccessList()) || writes(txn.getFailureList());
    }

    private static boolean writes(List<RequestOp> ops) {
        for (RequestOp op : ops) {
            switch (op.getRequestCase()) {
                case REQUEST_PUT, REQUEST_DELETE_RANGE -> {
                    return true;
                }
                case REQUEST_TXN -> {
                    if (writes(op.getRequestTxn())) {
                        return true;
                    }
                }
                default -> {
                }
            }
        }
        return false;
    }

    /**
     * Answers a Txn without writes.
     *
     * @param access throws when the caller may not read a range (compare or range op)
     */
    static TxnResponse answer(KvCache cache, TxnRequest txn, Consumer<RangeQuery> access) {
        return cache.consistent(() -> evaluate(cache, txn, access));
    }

    private static TxnResponse evaluate(KvCache cache, TxnRequest txn, Consumer<RangeQuery> access) {
        boolean ok = true;
        for (Compare c : txn.getCompareList()) {
            if (c.getKey().isEmpty()) {
                throw ApiErrors.emptyKey();
            }
            RangeQuery q = new RangeQuery(c.getKey(), c.getRangeEnd());
            access.accept(q);
            ok &= holds(c, cache.read(q).kvs());
        }
        TxnResponse.Builder out = TxnResponse.newBuilder().setHeader(cache.header()).setSucceeded(ok);
        for (RequestOp op : ok ? txn.getSuccessList() : txn.getFailureList()) {
            switch (op.getRequestCase()) {
                case REQUEST_RANGE -> {
                    if (op.getRequestRange().getKey().isEmpty()) {
                        throw ApiErrors.emptyKey();
                    }
                    access.accept(RangeQuery.of(op.getRequestRange()));
                    out.addResponses(ResponseOp.newBuilder()
                            .setResponseRange(RangeAnswer.answer(cache, op.getRequestRange())));
                }
                case REQUEST_TXN -> out.addResponses(ResponseOp.newBuilder()
                        .setResponseTxn(evaluate(cache, op.getRequestTxn(), access)));
                default -> throw ApiErrors.invalid("transaction operation " + op.getRequestCase() + " is not supported");
            }
        }
        return out.build();
    }

    /** etcd's rule: every key in the range must satisfy the compare; a missing key compares as zero values. */
    private static boolean holds(Compare c, List<KeyValue> kvs) {
        if (kvs.isEmpty()) {
            return c.getTarget() != Compare.CompareTarget.VALUE && holds(c, KeyValue.getDefaultInstance());
        }
        return kvs.stream().allMatch(kv -> holds(c, kv));
    }

    private static boolean holds(Compare c, KeyValue kv) {
        int cmp = switch (c.getTarget()) {
            case VERSION -> Long.compare(kv.getVersion(), c.getVersion());
            case CREATE -> Long.compare(kv.getCreateRevision(), c.getCreateRevision());
            case MOD -> Long.compare(kv.getModRevision(), c.getModRevision());
            case VALUE -> ByteString.unsignedLexicographicalComparator().compare(kv.getValue(), c.getValue());
            default -> {
                if (c.getTargetValue() != LEASE_TARGET) {
                    throw ApiErrors.invalid("compare target " + c.getTargetValue() + " is not one of etcd's");
                }
                yield Long.compare(kv.getLease(), leaseOf(c));
            }
        };
        return switch (c.getResult()) {
            case EQUAL -> cmp == 0;
            case GREATER -> cmp > 0;
            case LESS -> cmp < 0;
            case NOT_EQUAL -> cmp != 0;
            default -> throw ApiErrors.invalid("compare result " + c.getResult() + " is not supported");
        };
    }
}
