package dev.clustermesh.agent.datapath.nftables;

import dev.clustermesh.agent.datapath.nftables.NftObjects.Chain;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Element;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Rule;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Set;
import dev.clustermesh.agent.datapath.nftables.NftPolicy.Desired;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The one transaction that turns the policy table from one {@link Desired} content into another, or creates it
 * from nothing. Pure. Order inside the transaction: new sets and chains are declared; chains whose rules changed
 * are flushed and filled again; elements are deleted and added (a map element whose value changed is deleted and
 * added); chains and sets no longer wanted go last, once nothing refers to them. An interval set whose content
 * changed is flushed and filled again: nft merges adjacent prefixes on add, so deleting one of them later could
 * fail; those sets hold policy CIDRs and pod CIDRs and change only with policies or clusters.
 */
final class NftPolicyDiff {
    private NftPolicyDiff() {
    }

    /** The table made anew with {@code want}, whatever it held: what a first or full sync applies. */
    static NftTransaction full(Desired want) {
        NftTransaction tx = new NftTransaction(NftPolicy.TABLE, List.of());
        tx.add(NftPolicy.TABLE).delete(NftPolicy.TABLE).add(NftPolicy.TABLE);
        return between(tx, Desired.NOTHING, want);
    }

    /** The operations from {@code have} (what the table holds) to {@code want}; empty when they are equal. */
    static NftTransaction between(Desired have, Desired want) {
        NftTransaction tx = new NftTransaction(NftPolicy.TABLE, have.sets().values());
        if (have.chains().isEmpty() && !want.chains().isEmpty()) {
            // Nothing programmed yet: the table may not exist ("add table" leaves an existing one alone).
            tx.add(NftPolicy.TABLE);
        }
        return between(tx, have, want);
    }

    private static NftTransaction between(NftTransaction tx, Desired have, Desired want) {
        want.sets().forEach((name, set) -> {
            if (!set.equals(have.sets().get(name))) {
                tx.add(set);
            }
        });
        want.chains().forEach((name, chain) -> {
            if (!chain.equals(have.chains().get(name))) {
                tx.add(chain);
            }
        });
        want.rules().forEach((chain, rules) -> {
            List<String> before = have.chains().containsKey(chain) ? have.rules().get(chain) : null;
            if (!rules.equals(before)) {
                if (before != null && !before.isEmpty()) {
                    tx.flush(Chain.regular(chain));
                }
                rules.forEach(r -> tx.add(new Rule(chain, r)));
            }
        });
        want.elements().forEach((name, elements) -> {
            Set set = want.sets().get(name);
            SortedMap<String, List<String>> before = have.sets().containsKey(name)
                    ? have.elements().getOrDefault(name, new TreeMap<>()) : new TreeMap<>();
            if (set.interval()) {
                if (!elements.equals(before)) {
                    if (!before.isEmpty()) {
                        tx.flush(set);
                    }
                    elements.keySet().forEach(k -> tx.add(Element.ofKey(name, List.of(k))));
                }
                return;
            }
            before.forEach((key, data) -> {
                if (!Objects.equals(elements.get(key), data)) {
                    tx.delete(Element.ofKey(name, List.of(key)));
                }
            });
            elements.forEach((key, data) -> {
                List<String> was = before.get(key);
                if (!data.equals(was)) {
                    tx.add(new Element(name, List.of(key), data, null));
                }
            });
        });
        for (Map.Entry<String, Chain> gone : have.chains().entrySet()) {
            if (!want.chains().containsKey(gone.getKey())) {
                tx.flush(gone.getValue()).delete(gone.getValue());
            }
        }
        for (Map.Entry<String, Set> gone : have.sets().entrySet()) {
            if (!want.sets().containsKey(gone.getKey())) {
                tx.delete(gone.getValue());
            }
        }
        return tx;
    }
}
