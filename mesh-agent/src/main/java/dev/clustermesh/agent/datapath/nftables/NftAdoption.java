package dev.clustermesh.agent.datapath.nftables;

import dev.clustermesh.agent.datapath.nftables.NftFrontend.Family;
import dev.clustermesh.agent.loadbalancer.LbFrontend;
import dev.clustermesh.proto.mesh.v1.Protocol;
import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads back the table a previous agent left, so that a restarted agent applies only the difference instead of
 * replacing the table: replacing 10,000 services × 10 backends takes seconds (the kernel deletes and adds every
 * element), while listing the services maps alone takes a fraction of that. Pure.
 *
 * <p>What a services map element tells: the frontend, its chain (so its slot count) and, in its comment, the
 * digest of its targets ({@link NftRender#digest}). The agent writes the element and its slots in one
 * transaction, so the digest stands for the slots without reading the slot maps (ten times larger). A frontend
 * whose digest matches the desired one is taken as programmed; any other is assumed to hold {@code count} slots
 * of unknown targets, which the diff deletes by key and adds anew. The trust has one limit: slots edited by hand
 * without their element are not noticed (a delete of a missing slot fails the transaction, and the retry replaces
 * the table).
 */
final class NftAdoption {
    private static final Pattern ELEMENT = Pattern.compile(
            "([0-9A-Fa-f.:]+) \\. (tcp|udp|sctp) \\. (\\d+) comment \"([0-9a-f]{16})\" : goto ([a-z0-9_]+)");
    /** A slot target that equals no real one. */
    private static final NftFrontend.Target UNKNOWN = new NftFrontend.Target("", 0);

    private NftAdoption() {
    }

    /**
     * One frontend as the services map lists it.
     *
     * @param family its family (from the map)
     * @param protocol its protocol as nft names it
     * @param count its number of slots (from its chain)
     * @param digest the digest of its targets (from the element's comment)
     */
    record Listed(Family family, String protocol, int count, String digest) {
    }

    /**
     * The frontends of {@code nft list map inet clustermesh services4} and {@code ... services6}.
     *
     * @return empty when a listing is not of this agent's {@link NftRender#schema()} (another version wrote the
     *         table) or holds an element that is not as this agent writes them
     */
    static Optional<Map<LbFrontend, Listed>> parse(String services4, String services6) {
        Map<LbFrontend, Listed> out = new HashMap<>();
        return parse(services4, Family.V4, out) && parse(services6, Family.V6, out) ? Optional.of(out) : Optional.empty();
    }

    private static boolean parse(String listing, Family family, Map<LbFrontend, Listed> out) {
        if (!listing.contains("comment \"" + NftRender.SCHEMA_COMMENT + NftRender.schema() + "\"")) {
            return false;
        }
        int elements = listing.indexOf("elements = {");
        if (elements < 0) {
            return true;
        }
        String body = listing.substring(elements);
        int seen = 0;
        Matcher m = ELEMENT.matcher(body);
        while (m.find()) {
            OptionalInt count = count(m.group(5), family, m.group(2));
            if (count.isEmpty()) {
                return false;
            }
            Protocol p = Protocol.valueOf(m.group(2).toUpperCase(Locale.ROOT));
            out.put(new LbFrontend(m.group(1), p, Integer.parseInt(m.group(3))),
                    new Listed(family, m.group(2), count.getAsInt(), m.group(4)));
            seen++;
        }
        // Every element has exactly one " : "; one that the pattern skipped means a shape this agent does not write.
        return seen == occurrences(body, " : ");
    }

    /** The slot count that chain {@code chain} stands for, if it is a chain of this family and protocol. */
    private static OptionalInt count(String chain, Family family, String protocol) {
        if (chain.equals(NftRender.NO_BACKENDS)) {
            return OptionalInt.of(0);
        }
        String prefix = "lb" + family.suffix + "_" + protocol + "_";
        if (!chain.startsWith(prefix) || chain.length() == prefix.length() || chain.length() > prefix.length() + 5) {
            return OptionalInt.empty();
        }
        String k = chain.substring(prefix.length());
        return k.chars().allMatch(Character::isDigit) && !k.startsWith("0") ? OptionalInt.of(Integer.parseInt(k))
                : OptionalInt.empty();
    }

    private static int occurrences(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + what.length())) {
            n++;
        }
        return n;
    }

    /**
     * What to take as programmed: for each listed frontend, the desired rules when their digest and count match
     * the listing, else {@code count} slots of a target that equals no real one (so the diff replaces them all).
     *
     * @param desired the desired rules by frontend
     */
    static Map<LbFrontend, NftFrontend> programmed(Map<LbFrontend, Listed> listed, Map<LbFrontend, NftFrontend> desired) {
        Map<LbFrontend, NftFrontend> out = new HashMap<>();
        listed.forEach((f, l) -> {
            NftFrontend want = desired.get(f);
            if (want != null && want.count() == l.count() && want.family() == l.family()
                    && NftRender.digest(want).equals(l.digest())) {
                out.put(f, want);
            } else {
                out.put(f, new NftFrontend(f, l.family(), l.protocol(),
                        Collections.nCopies(l.count(), UNKNOWN)));
            }
        });
        return out;
    }
}
