package dev.clustermesh.agent.policy;

import dev.clustermesh.core.policy.Direction;
import dev.clustermesh.core.policy.IpIdentityMap;
import dev.clustermesh.core.policy.PolicyEndpoint;
import dev.clustermesh.core.policy.PolicyProgram;
import dev.clustermesh.core.policy.PolicySet;
import dev.clustermesh.core.policy.PortRule;
import dev.clustermesh.proto.mesh.v1.Endpoint;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The cheap path of {@link PolicyBook}: endpoint changes since the last program that only move pod addresses of
 * identities the program already knows, turned into the addresses that leave and join. A remote pod scaled up or
 * down with the labels of pods already known (a Deployment's replicas) then costs a few set elements, not a
 * compile of the whole mesh.
 *
 * <p>A change takes the full path instead when it could change more than an address's identity: a pod of this
 * cluster (its own chains), an identity not known with the same selection labels, a pod without identity, an
 * address another cluster claims too, a cluster left out of policy (its identity label filter differs), or named
 * ports while some egress rule names a port (the numbers are resolved on the destination pods).
 */
final class AddressDelta {
    /** Beyond this many pending changes one compile is as cheap: the full path runs. */
    static final int MAX_CHANGES = 512;

    /** One endpoint's change since the last program: its first value before and its last value now (null: none). */
    record Change(String cluster, String ip, Endpoint before, Endpoint after) {
    }

    /**
     * What the last full compile knew: the selection labels of each identity, the clusters whose pods took part,
     * and whether an egress rule names a port.
     */
    record Basis(Map<Integer, Map<String, String>> identities, Set<String> clusters, boolean namedEgress) {
        static Basis of(Map<Integer, Map<String, String>> identities, Set<String> clusters, PolicySet set) {
            boolean named = set.applied().stream().flatMap(p -> p.specs().stream()).flatMap(s -> s.rules().stream())
                    .anyMatch(r -> r.direction() == Direction.EGRESS && r.ports().stream().anyMatch(PortRule::isNamed));
            return new Basis(Map.copyOf(identities), Set.copyOf(clusters), named);
        }
    }

    /** The addresses moved, and the program with them moved. */
    record Delta(PolicyProgram program, Map<InetAddress, Integer> removed, Map<InetAddress, Integer> added) {
    }

    private final Map<String, Change> pending = new LinkedHashMap<>();

    /** Notes a change (the caller holds the book's lock). */
    void record(String cluster, String ip, Endpoint before, Endpoint after) {
        pending.merge(cluster + "/" + ip, new Change(cluster, ip, before, after),
                (first, last) -> new Change(cluster, ip, first.before(), last.after()));
    }

    /** The changes noted since the last drain, forgotten here. */
    List<Change> drain() {
        List<Change> out = List.copyOf(pending.values());
        pending.clear();
        return out;
    }

    /**
     * The delta for {@code changes} on top of {@code last}, or empty when one of them needs the full path.
     *
     * @param own this agent's cluster
     * @param claimedElsewhere whether another cluster than the given one has a pod at this address
     */
    static Optional<Delta> of(List<Change> changes, PolicyProgram last, Basis basis, String own,
            java.util.function.BiPredicate<String, String> claimedElsewhere) {
        if (changes.size() > MAX_CHANGES) {
            return Optional.empty();
        }
        Set<InetAddress> touched = new java.util.HashSet<>();
        Map<InetAddress, Integer> now = new HashMap<>();
        for (Change c : changes) {
            if (c.cluster().equals(own) || !basis.clusters().contains(c.cluster())
                    || claimedElsewhere.test(c.cluster(), c.ip())) {
                return Optional.empty();
            }
            Optional<PolicyEndpoint> before = known(c.cluster(), c.before(), basis);
            Optional<PolicyEndpoint> after = known(c.cluster(), c.after(), basis);
            if ((c.before() != null && before.isEmpty()) || (c.after() != null && after.isEmpty())) {
                return Optional.empty();
            }
            before.ifPresent(e -> touched.add(e.ip()));
            after.ifPresent(e -> {
                touched.add(e.ip());
                now.put(e.ip(), e.identity());
            });
        }
        // What leaves is what the program has; an address that keeps its identity moves nowhere.
        Map<InetAddress, Integer> removed = new HashMap<>();
        Map<InetAddress, Integer> added = new HashMap<>();
        for (InetAddress ip : touched) {
            Integer had = last.ipIdentities().get(ip);
            Integer want = now.get(ip);
            if (!java.util.Objects.equals(had, want)) {
                if (had != null) {
                    removed.put(ip, had);
                }
                if (want != null) {
                    added.put(ip, want);
                }
            }
        }
        if (removed.isEmpty() && added.isEmpty()) {
            return Optional.of(new Delta(last, removed, added));
        }
        Map<InetAddress, Integer> ips = IpIdentityMap.of(last.ipIdentities()).with(removed.keySet(), added);
        return Optional.of(new Delta(new PolicyProgram(last.cluster(), last.endpoints(), ips, last.podCidrs()),
                removed, added));
    }

    /** The pod, when it has an identity the basis knows with the same selection labels and no port names matter. */
    private static Optional<PolicyEndpoint> known(String cluster, Endpoint e, Basis basis) {
        if (e == null) {
            return Optional.empty();
        }
        return Endpoints.of(cluster, e).filter(p -> p.selectionLabels().equals(basis.identities().get(p.identity())))
                .filter(p -> !basis.namedEgress() || p.namedPorts().isEmpty());
    }
}
