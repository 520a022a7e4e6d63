package dev.clustermesh.agent.datapath.nftables;

import dev.clustermesh.agent.loadbalancer.LbFrontend;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The statements that turn the programmed table into the desired one for a set of candidate frontends: element
 * deletes and adds in the services and slot maps, and the load-balancing chains that are new. Pure; cost in
 * proportion to the candidates, not to the table.
 *
 * <p>A map element whose value changes is deleted and added again in the same transaction: the kernel refuses
 * {@code add element} for an existing key with different data (and a set keeps an existing element's comment). Chains {@code lbF_P_K} no longer used stay until
 * the next full sync; nothing refers to them, and keeping them keeps the diff independent of other services.
 */
final class NftDiff {

    /**
     * The difference, ready to apply.
     *
     * @param statements nft statements in order, one per line; empty when the table already matches
     * @param chains the load-balancing chains present once they are applied
     * @param updates per changed frontend, its rules once applied (empty: gone)
     */
    record Delta(List<String> statements, Set<String> chains, Map<LbFrontend, Optional<NftFrontend>> updates) {
        Delta {
            statements = List.copyOf(statements);
            chains = Collections.unmodifiableSet(chains);
            updates = Collections.unmodifiableMap(new HashMap<>(updates));
        }

        boolean isEmpty() {
            return statements.isEmpty();
        }
    }

    private NftDiff() {
    }

    /**
     * @param programmed the rules the table holds, by frontend
     * @param chains the load-balancing chains the table holds
     * @param candidates the frontends that may differ (others are known to be equal)
     * @param desired a candidate's desired rules; empty when it should not be programmed
     */
    static Delta diff(Map<LbFrontend, NftFrontend> programmed, Set<String> chains, Collection<LbFrontend> candidates,
            Function<LbFrontend, Optional<NftFrontend>> desired) {
        Changes c = new Changes(chains);
        Map<LbFrontend, Optional<NftFrontend>> updates = new HashMap<>();
        // Sorted, so that the same change renders the same text.
        for (LbFrontend f : new TreeSet<>(candidates)) {
            Optional<NftFrontend> before = Optional.ofNullable(programmed.get(f));
            Optional<NftFrontend> after = desired.apply(f);
            if (!before.equals(after)) {
                c.change(before.orElse(null), after.orElse(null));
                updates.put(f, after);
            }
        }
        return c.delta(updates);
    }

    /** Collects element operations per map, then orders them into statements. */
    private static final class Changes {
        private final Set<String> chains;
        private final List<String> newChains = new ArrayList<>();
        private final Map<String, List<String>> deletes = new TreeMap<>();
        private final Map<String, List<String>> adds = new TreeMap<>();

        Changes(Set<String> chains) {
            this.chains = chains;
        }

        /**
         * One frontend from {@code b} to {@code a} (null: absent; they differ); same key, so same family and
         * protocol. Its digests element is replaced; its services element only when the count changes.
         */
        void change(NftFrontend b, NftFrontend a) {
            if (b != null) {
                add(deletes, NftDigests.set(b.family()), NftRender.key(b));
            }
            if (a != null) {
                add(adds, NftDigests.set(a.family()), NftDigests.element(a));
            }
            if (b != null && (a == null || b.count() != a.count())) {
                add(deletes, "services" + b.family().suffix, NftRender.key(b));
            }
            if (a != null && (b == null || b.count() != a.count())) {
                add(adds, "services" + a.family().suffix, NftRender.serviceElement(a));
                String chain = NftRender.chain(a);
                if (a.count() > 0 && !chains.contains(chain) && !newChains.contains(chain)) {
                    newChains.add(chain);
                }
            }
            int slots = Math.max(b == null ? 0 : b.count(), a == null ? 0 : a.count());
            for (int i = 0; i < slots; i++) {
                NftFrontend.Target was = b != null && i < b.count() ? b.targets().get(i) : null;
                NftFrontend.Target is = a != null && i < a.count() ? a.targets().get(i) : null;
                if (was != null && !Objects.equals(was, is)) {
                    add(deletes, NftRender.slotMap(b.family(), b.protocol()), NftRender.slotKey(b, i));
                }
                if (is != null && !Objects.equals(was, is)) {
                    add(adds, NftRender.slotMap(a.family(), a.protocol()), NftRender.slotElement(a, i));
                }
            }
        }

        private static void add(Map<String, List<String>> ops, String map, String element) {
            ops.computeIfAbsent(map, k -> new ArrayList<>()).add(element);
        }

        Delta delta(Map<LbFrontend, Optional<NftFrontend>> updates) {
            List<String> out = new ArrayList<>();
            String table = " inet " + NftRender.TABLE + " ";
            for (String chain : newChains) {
                // Flushed first: after an adoption a chain no frontend used may exist with its rule already.
                out.add("add chain" + table + chain);
                out.add("flush chain" + table + chain);
                out.add("add rule" + table + chain + " " + NftRender.chainRule(chain));
            }
            // Deletes before adds: a changed element is deleted and added again with its new value. Slot
            // elements are added before the verdicts that lead to them.
            deletes.forEach((map, elements) -> out.add("delete element" + table + map + " { "
                    + String.join(", ", elements) + " }"));
            adds.entrySet().stream().sorted((x, y) -> Boolean.compare(x.getKey().startsWith("services"),
                    y.getKey().startsWith("services"))).forEach(e -> out.add("add element" + table + e.getKey()
                    + " { " + String.join(", ", e.getValue()) + " }"));
            Set<String> after = chains;
            if (!newChains.isEmpty()) {
                after = new HashSet<>(chains);
                after.addAll(newChains);
            }
            return new Delta(out, after, updates);
        }
    }
}
