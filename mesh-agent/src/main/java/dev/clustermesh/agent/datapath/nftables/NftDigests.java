package dev.clustermesh.agent.datapath.nftables;

import dev.clustermesh.agent.datapath.nftables.NftFrontend.Family;
import dev.clustermesh.agent.datapath.nftables.NftFrontend.LbChain;
import dev.clustermesh.agent.datapath.nftables.NftFrontend.Target;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Element;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Field;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Kind;
import dev.clustermesh.agent.loadbalancer.LbFrontend;
import dev.clustermesh.proto.mesh.v1.Protocol;
import java.util.List;

/**
 * The sets {@code digests4}/{@code digests6}: per frontend, an element with the services map's key whose comment
 * holds the frontend's slot count and a digest of its targets ({@code "K DIGEST"}), written in the same
 * transaction as the frontend's slots. A restarted agent lists only these sets (as many elements as services,
 * against ten times as many slot elements) to learn what the table holds ({@link NftAdoption}). Pure.
 *
 * <p>Why a plain set and not a comment on the services map's elements: changing an element of a verdict map
 * makes the kernel validate every jump of the table, which costs about 0.6 ms per transaction with 10,000
 * services; a plain set element costs what a slot element does. The sets' comment is the table's
 * {@link #schema()}: a table of another shape (another agent version) is replaced rather than adopted.
 */
final class NftDigests {
    /** The comment of the digests sets: this text and {@link #schema()}. */
    static final String SCHEMA_COMMENT = "clustermesh schema ";

    private NftDigests() {
    }

    /** The digests set of family {@code f}. */
    static String set(Family f) {
        return "digests" + f.suffix;
    }

    /** The element of frontend {@code f}: its key, with its count and digest as the comment. */
    static Element entry(NftFrontend f) {
        return new Element(set(f.family()), NftRender.key(f), List.of(), f.count() + " " + digest(f));
    }

    /** The digests element of {@code f} to delete. */
    static Element key(NftFrontend f) {
        return Element.ofKey(set(f.family()), NftRender.key(f));
    }

    /** {@link #entry} as nft text. */
    static String element(NftFrontend f) {
        // Not NftRender.transaction(): its declarations need schema(), which needs this.
        NftTransaction tx = new NftTransaction(NftRender.REF, List.of(declaration(f.family(), ""))).add(entry(f));
        String command = tx.commands().get(0);
        return command.substring(command.indexOf("{ ") + 2, command.length() - 2);
    }

    /** 64-bit FNV-1a of the frontend's targets in slot order, as 16 hex digits. */
    static String digest(NftFrontend f) {
        long h = 0xcbf29ce484222325L;
        for (Target t : f.targets()) {
            h = fnv(fnv(h, t.ip()), NftRender.decimal(t.port()));
        }
        return hex16(h);
    }

    /**
     * The shape of the table this code renders: a hash of the table without elements, of a load-balancing
     * chain's rule and of the element formats.
     */
    static String schema() {
        return Schema.ID;
    }

    /**
     * Computed once, on first use. The text hashed is the one the string-built renderer of issue 5 produced, so
     * that tables written before the typed transaction are adopted rather than replaced (NftRenderTest).
     */
    private static final class Schema {
        static final String ID = hex16(fnv(0xcbf29ce484222325L, NftRender.table(List.of(), NftReturnPath.NONE, "")
                + new LbChain(Family.V4, "tcp", 1).rule() + new LbChain(Family.V6, "udp", 2).rule()
                + element(new NftFrontend(new LbFrontend("10.0.0.1", Protocol.TCP, 1), Family.V4, "tcp",
                List.of(new Target("10.0.0.2", 2))))));
    }

    /** The digests set of family {@code f}, with {@code schema} in its comment. */
    static NftObjects.Set declaration(Family f, String schema) {
        return new NftObjects.Set(set(f), List.of(Field.type(NftRender.address(f)), Field.type(Kind.INET_PROTO),
                Field.type(Kind.INET_SERVICE)), List.of(), false, SCHEMA_COMMENT + schema);
    }

    private static String hex16(long h) {
        String hex = Long.toHexString(h);
        return "0".repeat(16 - hex.length()) + hex;
    }

    /** Folds {@code s} and a separator into FNV-1a hash {@code h}. */
    private static long fnv(long h, String s) {
        for (int i = 0; i < s.length(); i++) {
            h = (h ^ s.charAt(i)) * 0x100000001b3L;
        }
        return (h ^ '|') * 0x100000001b3L;
    }
}
