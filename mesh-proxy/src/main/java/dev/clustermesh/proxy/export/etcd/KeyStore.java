package dev.clustermesh.proxy.export.etcd;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * This cluster's keys in etcd, read in full and written in guarded transactions.
 */
public interface KeyStore {

    /**
     * Lists every key this cluster owns (the ranges and single keys of {@code own}).
     *
     * @throws StoreException when etcd does not answer in time or refuses
     */
    Map<String, ByteString> list(OwnKeys own);

    /**
     * Applies {@code ops} in one transaction that succeeds only while {@code term} leads (the election key's
     * create_revision equals {@link Term#createRevision()}). Either every op is applied or none.
     *
     * @return the revision etcd committed the transaction at
     * @throws NotLeaderException when the guard fails: nothing was applied and the term is over
     * @throws StoreException when etcd does not answer in time or refuses; the outcome is unknown
     */
    long apply(Term term, List<KeyOp> ops) throws NotLeaderException;

    /** A store on a jetcd client; the client stays the caller's. */
    static KeyStore jetcd(Client client, String electionKey, Duration requestTimeout) {
        return new JetcdKeyStore(client, electionKey, requestTimeout);
    }
}
