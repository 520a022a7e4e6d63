package dev.clustermesh.core.selection;

import dev.clustermesh.core.annotations.ServiceAnnotations.MinReady;
import dev.clustermesh.proto.mesh.v1.Affinity;
import dev.clustermesh.proto.mesh.v1.Backend;
import dev.clustermesh.proto.mesh.v1.BackendState;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.Port;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

/**
 * Computes a {@link SelectedService} from the per-cluster views of one global service.
 *
 * <p>Graded failover ({@code service.cilium.io/affinity-min-ready}): with a threshold T, p usable preferred backends
 * and o usable others, 0 < p < T, every usable backend takes traffic. Each preferred one takes 1/T' and the others
 * share the rest evenly, where T' = min(T, p + o): so the preferred side's share, p/T', grows with its ready
 * backends; a preferred backend never takes more than once the preferred side is full (1/T) or than an even share,
 * whichever is more, and another backend never more than an even share (with T' at most p + o, (T' - p)/(T' o) is at
 * most 1/(p + o)). As weights: o for each
 * preferred backend, T' - p for each other one, divided by their greatest common divisor; when that needs more than
 * max({@value #MAX_SLOTS}, 2 (p + o)) slots, the others keep weight 1 and the preferred weight is rounded down and
 * capped to that budget, so the preferred side then gets less than p/T', never more.
 *
 * <p>Affinity, graded weights and cluster-preference tiers are chosen per service, not per port: a preferred side
 * whose backends lack one of the service's ports leaves that port's frontend without backends.
 */
public final class BackendSelection {
    /** The slots graded weights may add up to (nftables elements per frontend), or twice the backends if more. */
    static final int MAX_SLOTS = 1024;

    private BackendSelection() {
    }

    /**
     * Merges the ClusterServices exported for one namespace/name by every cluster (the local one included,
     * whether shared or not) into what the local cluster load-balances.
     *
     * @param localCluster the name of the cluster doing the load balancing
     * @param services at most one ClusterService per cluster, all with the same namespace and name; not empty
     * @throws IllegalArgumentException when the services are empty, name different services, or two come
     *         from the same cluster
     */
    public static SelectedService compute(String localCluster, Collection<ClusterService> services) {
        return compute(localCluster, services, c -> false);
    }

    /**
     * As {@link #compute(String, Collection)}, with some clusters' state stale: their backends are used only when
     * no fresh cluster has an active backend for the service (then as if fresh, affinity included), so a cluster
     * that went quiet takes no traffic from healthy ones and still saves a service from having no backend.
     *
     * @param stale true for a cluster whose state is stale
     */
    public static SelectedService compute(String localCluster, Collection<ClusterService> services,
            Predicate<String> stale) {
        return compute(localCluster, services, stale, List.of());
    }

    /**
     * As {@link #compute(String, Collection, Predicate)}, with the tiers of the own cluster's import of the service
     * (ServiceImport.status.clusterSelectorResults, KEP-5939): when the local service sets no cluster preference of
     * its own, only the first tier with an active backend in the pool is used (then the clusters of no tier, together),
     * as with {@code service.cilium.io/cluster-preference}.
     *
     * @param selectorTiers the clusters of each selector result, in order; empty when the import has none
     */
    public static SelectedService compute(String localCluster, Collection<ClusterService> services,
            Predicate<String> stale, List<List<String>> selectorTiers) {
        List<ClusterService> ordered = validateAndOrder(localCluster, services);
        ClusterService local = ordered.get(0).getCluster().equals(localCluster) ? ordered.get(0) : null;
        Affinity affinity = local == null ? Affinity.AFFINITY_NONE : effective(local.getAffinity());

        List<Candidate> candidates = new ArrayList<>();
        for (ClusterService s : ordered) {
            boolean isLocal = s == local;
            // A remote cluster that does not share its service contributes nothing here.
            if (!isLocal && !s.getShared()) {
                continue;
            }
            for (Backend b : sortedBackends(s)) {
                if (b.getState() == BackendState.BACKEND_STATE_ACTIVE
                        || b.getState() == BackendState.BACKEND_STATE_TERMINATING) {
                    candidates.add(new Candidate(s.getCluster(), isLocal, b, preferred(affinity, isLocal),
                            stale.test(s.getCluster())));
                }
            }
        }
        boolean freshActive = candidates.stream().anyMatch(c -> !c.stale && c.active());
        Predicate<Candidate> inPool = c -> !freshActive || !c.stale;
        boolean preferredActive = candidates.stream().anyMatch(c -> inPool.test(c) && c.preferred && c.active());
        int preferredUsable = (int) candidates.stream().filter(c -> inPool.test(c) && c.preferred && c.active()).count();
        int othersUsable = (int) candidates.stream().filter(c -> inPool.test(c) && !c.preferred && c.active()).count();
        int threshold = affinity == Affinity.AFFINITY_NONE ? 0
                : minReady(local).threshold(Math.max(preferredUsable, knownPreferred(ordered, local, affinity)));
        if (local != null && local.getClusterPreferenceCount() > 0) {
            List<List<String>> single = local.getClusterPreferenceList().stream().map(List::of).toList();
            return tiered(ordered, local, candidates, inPool, single);
        }
        if (!selectorTiers.isEmpty()) {
            return tiered(ordered, local, candidates, inPool, selectorTiers);
        }
        boolean graded = preferredActive && othersUsable > 0 && preferredUsable < threshold;
        int[] weights = graded ? weights(preferredUsable, othersUsable, threshold) : new int[] {1, 1};
        List<SelectedBackend> backends = candidates.stream()
                .map(c -> {
                    boolean usable = c.active() && inPool.test(c) && (!preferredActive || c.preferred || graded);
                    return new SelectedBackend(c.cluster, c.local, c.backend, c.preferred, usable,
                            !usable ? 0 : graded ? weights[c.preferred ? 0 : 1] : 1, 0);
                })
                .toList();
        ClusterService any = ordered.get(0);
        return new SelectedService(any.getNamespace(), any.getName(), affinity, local != null,
                local == null || local.getShared(), frontends(local), backends);
    }

    /**
     * Ordered cluster preference: only the first tier (a cluster's tier is the first of {@code tiers} listing it;
     * clusters listed nowhere together last) with an active backend in the pool is used; backends of the first tier
     * are marked preferred.
     *
     * @param local the local service, null when the cluster has none (an import's clusterset IP only)
     */
    private static SelectedService tiered(List<ClusterService> ordered, ClusterService local,
            List<Candidate> candidates, Predicate<Candidate> inPool, List<List<String>> tiers) {
        ToIntFunction<Candidate> tier = c -> {
            for (int i = 0; i < tiers.size(); i++) {
                if (tiers.get(i).contains(c.cluster)) {
                    return i + 1;
                }
            }
            return tiers.size() + 1;
        };
        int first = candidates.stream().filter(c -> inPool.test(c) && c.active()).mapToInt(tier).min().orElse(0);
        List<SelectedBackend> backends = candidates.stream().map(c -> {
            boolean usable = c.active() && inPool.test(c) && tier.applyAsInt(c) == first;
            return new SelectedBackend(c.cluster, c.local, c.backend, tier.applyAsInt(c) == 1, usable,
                    usable ? 1 : 0, tier.applyAsInt(c));
        }).toList();
        ClusterService any = ordered.get(0);
        return new SelectedService(any.getNamespace(), any.getName(), Affinity.AFFINITY_NONE, local != null,
                local == null || local.getShared(), frontends(local), backends);
    }

    /** The local service's min-ready setting; none without a local service or with both fields set. */
    private static MinReady minReady(ClusterService local) {
        if (local == null) {
            return MinReady.NONE;
        }
        int count = local.getAffinityMinReady();
        int percent = local.getAffinityMinReadyPercent();
        if (count > 0 && percent > 0 || percent > 100 || count < 0 || percent < 0) {
            return MinReady.NONE;
        }
        return new MinReady(count, percent);
    }

    /** The backends the preferred side is known to have (ready or not), as its exporters count them. */
    private static int knownPreferred(List<ClusterService> ordered, ClusterService local, Affinity affinity) {
        long known = 0;
        for (ClusterService s : ordered) {
            boolean isLocal = s == local;
            if (isLocal ? affinity == Affinity.AFFINITY_LOCAL : affinity == Affinity.AFFINITY_REMOTE && s.getShared()) {
                known += Integer.toUnsignedLong(s.getKnownBackends());
            }
        }
        return (int) Math.min(Integer.MAX_VALUE, known);
    }

    /**
     * Weights {preferred, other} under graded failover (see the class comment): {@code others} for each preferred
     * backend and {@code T' - preferred} for each other one, T' = min(threshold, preferred + others), reduced, and
     * approximated within the slot budget when exact weights need more.
     */
    static int[] weights(int preferred, int others, int threshold) {
        long t = Math.min(threshold, (long) preferred + others);
        long wp = others;
        long wo = t - preferred;
        long g = gcd(wp, wo);
        wp /= g;
        wo /= g;
        long budget = Math.max(MAX_SLOTS, 2L * (preferred + others));
        if (wp * preferred + wo * others > budget) {
            // wo <= wp always (T' - p <= o): the others keep one slot each and the preferred ones get what fits,
            // rounded down, so no backend takes more than its exact share; the preferred side then gets less.
            wp = Math.max(1, Math.min(wp / wo, (budget - others) / preferred));
            wo = 1;
        }
        return new int[] {(int) wp, (int) wo};
    }

    private static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    private record Candidate(String cluster, boolean local, Backend backend, boolean preferred, boolean stale) {
        boolean active() {
            return backend.getState() == BackendState.BACKEND_STATE_ACTIVE;
        }
    }

    private static Affinity effective(Affinity a) {
        return a == Affinity.UNRECOGNIZED ? Affinity.AFFINITY_NONE : a;
    }

    private static boolean preferred(Affinity affinity, boolean local) {
        return switch (affinity) {
            case AFFINITY_LOCAL -> local;
            case AFFINITY_REMOTE -> !local;
            default -> false;
        };
    }

    private static List<ClusterService> validateAndOrder(String localCluster, Collection<ClusterService> services) {
        if (services == null || services.isEmpty()) {
            throw new IllegalArgumentException("a global service needs at least one cluster's service");
        }
        ClusterService first = services.iterator().next();
        Set<String> clusters = new HashSet<>();
        for (ClusterService s : services) {
            if (!s.getNamespace().equals(first.getNamespace()) || !s.getName().equals(first.getName())) {
                throw new IllegalArgumentException("cannot merge " + first.getNamespace() + "/" + first.getName()
                        + " with " + s.getNamespace() + "/" + s.getName());
            }
            if (!clusters.add(s.getCluster())) {
                throw new IllegalArgumentException("cluster '" + s.getCluster() + "' exports "
                        + s.getNamespace() + "/" + s.getName() + " twice");
            }
        }
        Comparator<ClusterService> localFirst =
                Comparator.comparing((ClusterService s) -> !s.getCluster().equals(localCluster))
                        .thenComparing(ClusterService::getCluster);
        return services.stream().sorted(localFirst).toList();
    }

    private static List<Backend> sortedBackends(ClusterService s) {
        return s.getBackendsList().stream().sorted(Comparator.comparing(Backend::getIp)).toList();
    }

    private static List<Frontend> frontends(ClusterService local) {
        if (local == null || local.getHeadless()) {
            return List.of();
        }
        List<Frontend> out = new ArrayList<>();
        for (String ip : local.getClusterIpsList()) {
            for (Port p : local.getPortsList()) {
                out.add(new Frontend(ip, p.getName(), p.getProtocol(), p.getPort()));
            }
        }
        return out;
    }
}
