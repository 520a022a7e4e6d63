package dev.clustermesh.agent.datapath.nftables;

import dev.clustermesh.agent.datapath.nftables.NftFrontend.LbChain;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Chain;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Element;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Rule;
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
 * The operations that turn the programmed table into the desired one for a set of candidate frontends: element
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
     * @param transaction the operations in order; empty when the table already matches. The caller may add its
     *        own operations before applying it.
     * @param chains the load-balancing chains present once it is applied
     * @param updates per changed frontend, its rules once applied (empty: gone)
     */
    record Delta(NftTransaction transaction, Set<LbChain> chains, Map<LbFrontend, Optional<NftFrontend>> updates) {
        Delta {
            chains = Collections.unmodifiableSet(chains);
            updates = Collections.unmodifiableMap(new HashMap<>(updates));
        }

        /** The operations as nft commands, one per line. */
        List<String> statements() {
            return transaction.commands();
        }

        boolean isEmpty() {
            return transaction.isEmpty();
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
    static Delta diff(Map<LbFrontend, NftFrontend> programmed, Set<LbChain> chains, Collection<LbFrontend> candidates,
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

    /** Collects element operations per map, then orders them into a transaction. */
    private static final class Changes {
        private final Set<LbChain> chains;
        private final List<LbChain> newChains = new ArrayList<>();
        private final Map<String, List<Element>> deletes = new TreeMap<>();
        private final Map<String, List<Element>> adds = new TreeMap<>();

        Changes(Set<LbChain> chains) {
            this.chains = chains;
        }

        /**
         * One frontend from {@code b} to {@code a} (null: absent; they differ); same key, so same family and
         * protocol. Its digests element is replaced; its services element only when the count changes.
         */
        void change(NftFrontend b, NftFrontend a) {
            if (b != null) {
                add(deletes, NftDigests.key(b));
            }
            if (a != null) {
                add(adds, NftDigests.entry(a));
            }
            if (b != null && (a == null || b.count() != a.count())) {
                add(deletes, NftRender.serviceKey(b));
            }
            if (a != null && (b == null || b.count() != a.count())) {
                add(adds, NftRender.serviceElement(a));
                a.chain().filter(c -> !chains.contains(c) && !newChains.contains(c)).ifPresent(newChains::add);
            }
            int slots = Math.max(b == null ? 0 : b.count(), a == null ? 0 : a.count());
            for (int i = 0; i < slots; i++) {
                NftFrontend.Target was = b != null && i < b.count() ? b.targets().get(i) : null;
                NftFrontend.Target is = a != null && i < a.count() ? a.targets().get(i) : null;
                if (was != null && !Objects.equals(was, is)) {
                    add(deletes, NftRender.slotKey(b, i));
                }
                if (is != null && !Objects.equals(was, is)) {
                    add(adds, NftRender.slotElement(a, i));
                }
            }
        }

        private static void add(Map<String, List<Element>> ops, Element element) {
            ops.computeIfAbsent(element.set(), k -> new ArrayList<>()).add(element);
        }

        Delta delta(Map<LbFrontend, Optional<NftFrontend>> updates) {
            NftTransaction tx = NftRender.transaction();
            for (LbChain chain : newChains) {
                // Flushed first: after an adoption a chain no frontend used may exist with its rule already.
                Chain c = Chain.regular(chain.name());
                tx.add(c).flush(c).add(new Rule(chain.name(), chain.rule()));
            }
            // Deletes before adds: a changed element is deleted and added again with its new value. Slot
            // elements are added before the verdicts that lead to them.
            deletes.values().forEach(elements -> elements.forEach(tx::delete));
            adds.entrySet().stream().sorted((x, y) -> Boolean.compare(x.getKey().startsWith("services"),
                    y.getKey().startsWith("services"))).forEach(e -> e.getValue().forEach(tx::add));
            Set<LbChain> after = chains;
            if (!newChains.isEmpty()) {
                after = new HashSet<>(chains);
                after.addAll(newChains);
            }
            return new Delta(tx, after, updates);
        }
    }
}
