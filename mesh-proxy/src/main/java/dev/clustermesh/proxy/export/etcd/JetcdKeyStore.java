package dev.clustermesh.proxy.export.etcd;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** {@link KeyStore} on jetcd. */
final class JetcdKeyStore implements KeyStore {
    private final Client client;
    private final ByteSequence electionKey;
    private final Duration timeout;

    JetcdKeyStore(Client client, String electionKey, Duration timeout) {
        this.client = client;
        this.electionKey = bytes(electionKey);
        this.timeout = timeout;
    }

    @Override
    public Map<String, ByteString> list(OwnKeys own) {
        Map<String, ByteString> out = new HashMap<>();
        GetOption prefix = GetOption.builder().isPrefix(true).build();
        for (String p : own.prefixes()) {
            collect(Requests.await(client.getKVClient().get(bytes(p), prefix), timeout, "listing " + p), out);
        }
        for (String k : own.exactKeys()) {
            collect(Requests.await(client.getKVClient().get(bytes(k)), timeout, "reading " + k), out);
        }
        return out;
    }

    @Override
    public long apply(Term term, List<KeyOp> ops) throws NotLeaderException {
        Op[] then = ops.stream().map(JetcdKeyStore::op).toArray(Op[]::new);
        // The guard: a deposed leader's create_revision no longer matches, so the whole transaction is refused.
        Cmp guard = new Cmp(electionKey, Cmp.Op.EQUAL, CmpTarget.createRevision(term.createRevision()));
        CompletableFuture<TxnResponse> txn = client.getKVClient().txn().If(guard).Then(then).commit();
        TxnResponse response = Requests.await(txn, timeout, "transaction of " + ops.size() + " writes");
        if (!response.isSucceeded()) {
            throw new NotLeaderException(term);
        }
        return response.getHeader().getRevision();
    }

    private static Op op(KeyOp op) {
        if (op instanceof KeyOp.Put p) {
            return Op.put(bytes(p.key()), ByteSequence.from(p.value()), PutOption.DEFAULT);
        }
        return Op.delete(bytes(op.key()), DeleteOption.DEFAULT);
    }

    private static void collect(GetResponse response, Map<String, ByteString> out) {
        for (KeyValue kv : response.getKvs()) {
            out.put(kv.getKey().toString(StandardCharsets.UTF_8), ByteString.copyFrom(kv.getValue().getBytes()));
        }
    }

    static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }
}
