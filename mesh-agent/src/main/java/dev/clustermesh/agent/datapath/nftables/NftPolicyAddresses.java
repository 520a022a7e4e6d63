package dev.clustermesh.agent.datapath.nftables;

import dev.clustermesh.agent.datapath.nftables.NftObjects.Element;
import dev.clustermesh.agent.datapath.nftables.NftPolicy.Desired;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * Pod addresses coming and going with identities the table already knows: only elements of {@link NftPolicy#PODS}
 * and of the peer sets naming the identity change, never a rule. What makes a pod scaled up or down anywhere in the
 * mesh cost a few element operations, whatever the size of the table. An address goes to the sets of its family.
 */
final class NftPolicyAddresses {
    private NftPolicyAddresses() {
    }

    /**
     * The element operations taking the table from {@code have} to the same content with these addresses moved.
     *
     * @param removed addresses that leave, with the identity they had
     * @param added addresses that join (or stay with another identity), with their identity
     */
    static NftTransaction between(Desired have, Map<InetAddress, Integer> removed, Map<InetAddress, Integer> added) {
        NftTransaction tx = new NftTransaction(NftPolicy.TABLE, have.sets().values());
        for (InetAddress ip : touched(removed, added)) {
            String key = NftPolicy.key(ip);
            NftPolicy.Family f = NftPolicy.Family.of(ip);
            for (String name : sets(have, ip, removed, added)) {
                String set = f.set(name);
                boolean in = have.elements().getOrDefault(set, EMPTY).containsKey(key);
                boolean want = wanted(have, name, added.get(ip));
                if (in && !want) {
                    tx.delete(Element.ofKey(set, List.of(key)));
                } else if (!in && want) {
                    tx.add(Element.ofKey(set, List.of(key)));
                }
            }
        }
        return tx;
    }

    /**
     * Records in {@code have} what {@link #between} applied. The caller owns {@code have} (the datapath's record of
     * its table) and calls this only once the transaction succeeded: its element maps change in place, because
     * copying a table of ten thousand pods per change would cost more than the change.
     */
    static void record(Desired have, Map<InetAddress, Integer> removed, Map<InetAddress, Integer> added) {
        for (InetAddress ip : touched(removed, added)) {
            String key = NftPolicy.key(ip);
            NftPolicy.Family f = NftPolicy.Family.of(ip);
            for (String name : sets(have, ip, removed, added)) {
                SortedMap<String, List<String>> elements = have.elements().get(f.set(name));
                if (elements == null) {
                    continue;
                }
                if (wanted(have, name, added.get(ip))) {
                    elements.put(key, List.of());
                } else {
                    elements.remove(key);
                }
            }
        }
    }

    private static final SortedMap<String, List<String>> EMPTY = java.util.Collections.emptySortedMap();

    private static Set<InetAddress> touched(Map<InetAddress, Integer> removed, Map<InetAddress, Integer> added) {
        Set<InetAddress> out = new TreeSet<>(java.util.Comparator.comparing(InetAddress::getHostAddress));
        out.addAll(removed.keySet());
        out.addAll(added.keySet());
        return out;
    }

    /**
     * The sets an address may be in before or after, by their IPv4 names: pods, and the peer sets of its old and new
     * identity.
     */
    private static Set<String> sets(Desired have, InetAddress ip, Map<InetAddress, Integer> removed,
            Map<InetAddress, Integer> added) {
        Set<String> out = new TreeSet<>();
        out.add(NftPolicy.PODS);
        Integer before = removed.get(ip);
        Integer after = added.get(ip);
        if (before != null) {
            out.addAll(have.identitySets().getOrDefault(before, Set.of()));
        }
        if (after != null) {
            out.addAll(have.identitySets().getOrDefault(after, Set.of()));
        }
        return out;
    }

    private static boolean wanted(Desired have, String set, Integer identity) {
        return identity != null && (set.equals(NftPolicy.PODS)
                || have.identitySets().getOrDefault(identity, Set.of()).contains(set));
    }
}
