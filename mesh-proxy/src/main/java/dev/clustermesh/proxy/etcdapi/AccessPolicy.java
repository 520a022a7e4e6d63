package dev.clustermesh.proxy.etcdapi;

import com.google.protobuf.ByteString;
import dev.clustermesh.core.keys.KeyLayout;
import dev.clustermesh.proxy.access.AccessList;
import dev.clustermesh.proxy.access.Fingerprint;
import dev.clustermesh.proxy.access.Refusal;
import dev.clustermesh.proxy.cache.RangeQuery;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Which identities may read which keys. {@code local-<own cluster>} reads all of {@code mesh/v1/};
 * {@code remote-<cluster>} reads the shared prefixes ({@link KeyLayout#REMOTE_READABLE}) when the
 * {@link AccessList} lets that cluster (and its certificate, when pinned) in; a range must lie entirely inside
 * one allowed prefix, as etcd's own RBAC requires.
 *
 * @param ownCluster the name of the cluster this proxy serves
 */
public record AccessPolicy(String ownCluster) {
    private static final List<ByteString> LOCAL = prefixes(List.of(KeyLayout.ROOT));
    private static final List<ByteString> REMOTE = prefixes(KeyLayout.REMOTE_READABLE);

    /**
     * Why the holder of a certificate with {@code cn} may not use the API at all, or empty when it is a mesh
     * identity this proxy serves and, for another cluster, one on {@code access}.
     */
    public Optional<Refusal> refusal(String cn, Fingerprint presented, AccessList access) {
        Optional<ClientIdentity> id = ClientIdentity.fromCommonName(cn);
        if (id.isEmpty()) {
            return Optional.of(new Refusal(Refusal.NOT_MESH_IDENTITY, "client certificate CN '" + cn
                    + "' is not a mesh identity; expected local-" + ownCluster + " or remote-<cluster>"));
        }
        return refusal(id.get(), presented, access);
    }

    /** Why {@code id} may not use the API (any more), or empty when it may. */
    public Optional<Refusal> refusal(ClientIdentity id, Fingerprint presented, AccessList access) {
        if (id.kind() == ClientIdentity.Kind.LOCAL) {
            return id.cluster().equals(ownCluster) ? Optional.empty()
                    : Optional.of(new Refusal(Refusal.OTHER_CLUSTER, "client certificate CN '" + id
                            + "' is local to another cluster; this proxy serves " + ownCluster));
        }
        return access.refusal(id.cluster(), presented);
    }

    /** Why {@code who} may not read {@code range}, or empty when it may. */
    public Optional<String> denial(ClientIdentity who, RangeQuery range) {
        List<ByteString> allowed = who.kind() == ClientIdentity.Kind.LOCAL ? LOCAL : REMOTE;
        for (ByteString p : allowed) {
            if (inside(range, p)) {
                return Optional.empty();
            }
        }
        return Optional.of(who + " may not read " + describe(range) + "; allowed: "
                + String.join(", ", allowed.stream().map(ByteString::toStringUtf8).toList()));
    }

    private static boolean inside(RangeQuery r, ByteString prefix) {
        if (!r.key().startsWith(prefix)) {
            return false;
        }
        if (r.single()) {
            return true;
        }
        return !r.unbounded()
                && ByteString.unsignedLexicographicalComparator().compare(r.rangeEnd(), RangeQuery.prefixEnd(prefix)) <= 0;
    }

    private static String describe(RangeQuery r) {
        String key = r.key().toStringUtf8();
        if (r.single()) {
            return "key '" + key + "'";
        }
        if (r.rangeEnd().equals(RangeQuery.prefixEnd(r.key()))) {
            return "prefix '" + key + "'";
        }
        return "range ['" + key + "', '" + (r.unbounded() ? "<end>" : r.rangeEnd().toStringUtf8()) + "')";
    }

    private static List<ByteString> prefixes(List<String> p) {
        return p.stream().map(s -> ByteString.copyFrom(s, StandardCharsets.UTF_8)).toList();
    }
}
