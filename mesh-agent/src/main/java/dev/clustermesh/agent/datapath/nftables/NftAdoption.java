package dev.clustermesh.agent.datapath.nftables;

import dev.clustermesh.agent.datapath.nftables.NftFrontend.Family;
import dev.clustermesh.agent.loadbalancer.LbFrontend;
import dev.clustermesh.proto.mesh.v1.Protocol;
import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads back the table a previous agent left, so that a restarted agent applies only the difference instead of
 * replacing the table: replacing 10,000 services × 10 backends takes a second or more (the kernel deletes and
 * adds every element), while listing the digests sets alone takes a fraction of that. Pure.
 *
 * <p>What a digests element tells ({@link NftDigests}): the frontend, its slot count and the digest of its
 * targets. The agent writes it in the same transaction as the frontend's verdict and slots, so it stands for
 * them without reading the slot maps (ten times larger). A frontend whose digest and count match the desired ones
 * is taken as programmed; any other is assumed to hold {@code count} slots of unknown targets, which the diff
 * deletes by key and adds anew. The trust has one limit: slots edited by hand behind the agent's back are not
 * noticed (a delete of a missing slot fails the transaction, and the retry replaces the table).
 */
final class NftAdoption {
    private static final Pattern ELEMENT = Pattern.compile(
            "([0-9A-Fa-f.:]+) \\. (tcp|udp|sctp) \\. (\\d+) comment \"(\\d{1,5}) ([0-9a-f]{16})\"");
    /** A slot target that equals no real one. */
    private static final NftFrontend.Target UNKNOWN = new NftFrontend.Target("", 0);

    private NftAdoption() {
    }

    /**
     * One frontend as its digests element lists it.
     *
     * @param family its family (from the set)
     * @param protocol its protocol as nft names it
     * @param count its number of slots
     * @param digest the digest of its targets
     */
    record Listed(Family family, String protocol, int count, String digest) {
    }

    /**
     * The frontends of {@code nft list set inet clustermesh digests4} and {@code ... digests6}.
     *
     * @return empty when a listing is not of this agent's {@link NftDigests#schema()} (another version wrote the
     *         table) or holds an element that is not as this agent writes them
     */
    static Optional<Map<LbFrontend, Listed>> parse(String digests4, String digests6) {
        Map<LbFrontend, Listed> out = new HashMap<>();
        return parse(digests4, Family.V4, out) && parse(digests6, Family.V6, out) ? Optional.of(out) : Optional.empty();
    }

    private static boolean parse(String listing, Family family, Map<LbFrontend, Listed> out) {
        if (!listing.contains("comment \"" + NftDigests.SCHEMA_COMMENT + NftDigests.schema() + "\"")) {
            return false;
        }
        int at = listing.indexOf("elements = {");
        if (at < 0) {
            return true;
        }
        int end = listing.indexOf('}', at);
        if (end < 0) {
            return false;
        }
        String body = listing.substring(at + "elements = {".length(), end);
        int seen = 0;
        Matcher m = ELEMENT.matcher(body);
        while (m.find()) {
            Protocol p = Protocol.valueOf(m.group(2).toUpperCase(Locale.ROOT));
            out.put(new LbFrontend(m.group(1), p, Integer.parseInt(m.group(3))),
                    new Listed(family, m.group(2), Integer.parseInt(m.group(4)), m.group(5)));
            seen++;
        }
        // Elements are separated by commas (none occurs inside one): an element the pattern skipped means a shape
        // this agent does not write.
        return seen == occurrences(body, ",") + 1;
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
                    && NftDigests.digest(want).equals(l.digest())) {
                out.put(f, want);
            } else {
                out.put(f, new NftFrontend(f, l.family(), l.protocol(),
                        Collections.nCopies(l.count(), UNKNOWN)));
            }
        });
        return out;
    }
}
