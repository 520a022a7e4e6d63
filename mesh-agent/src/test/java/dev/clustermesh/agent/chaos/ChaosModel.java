package dev.clustermesh.agent.chaos;

import dev.clustermesh.testing.mesh.Manifests;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The sources' truth of the campaign: which services each cluster's source (manifest directory, or Kubernetes API
 * server) holds, with their annotations and replicas, and the oracle that says from it alone what every agent must
 * load-balance and every mesh-dns answer. Written from the annotations' and mesh-dns's documented rules, not from
 * their code, so that it can disagree with it.
 *
 * <p>Addresses: cluster {@code i}, service {@code k}, replica {@code r}: pod 10.(10i).(k+1).(r+1), ClusterIP
 * 10.(10i+1).0.(k+10) (a Kubernetes API server gives the first address of its Service CIDR to its own
 * {@code kubernetes} Service). Not thread-safe: the campaign's driver thread changes it, checks copy it under its
 * lock.
 */
final class ChaosModel {
    /** One service of one cluster as its manifests say. */
    record Svc(boolean global, boolean shared, String affinity, int replicas) {
    }

    private final int clusters;
    private final int services;
    /** cluster id (1-based) -> service index -> its manifest; absent = no such service. */
    private final Map<Integer, Map<Integer, Svc>> state = new HashMap<>();
    /** "cluster/service/ip/viewer-kind" -> when it stopped being a valid backend (monotonic ns); absent = valid. */
    private final Map<String, Long> goneAt = new HashMap<>();

    ChaosModel(int clusters, int services) {
        this.clusters = clusters;
        this.services = services;
        for (int c = 1; c <= clusters; c++) {
            state.put(c, new TreeMap<>());
        }
    }

    int clusters() {
        return clusters;
    }

    static String name(int service) {
        return "svc-" + service;
    }

    static String podIp(int cluster, int service, int replica) {
        return "10." + (cluster * 10) + "." + (service + 1) + "." + (replica + 1);
    }

    static String clusterIp(int cluster, int service) {
        return "10." + (cluster * 10 + 1) + ".0." + (service + 10);
    }

    /** The cluster whose ClusterIP range holds {@code ip} (10.(10i+1).0.x). */
    static int clusterOfClusterIp(String ip) {
        return (Integer.parseInt(ip.split("\\.")[1]) - 1) / 10;
    }

    /** The service whose ClusterIP {@code ip} is. */
    static int serviceOfClusterIp(String ip) {
        return Integer.parseInt(ip.substring(ip.lastIndexOf('.') + 1)) - 10;
    }

    Svc get(int cluster, int service) {
        return state.get(cluster).get(service);
    }

    /**
     * Applies one random change to one cluster's service: created, deleted, or one of its annotations or its
     * replica count drawn anew. Each draw leans to an exported service (global 90 %, shared 85 %, affinity none
     * 70 %, no replica 10 %), so the mesh stays mostly shared however long the run and every fault has backends
     * to lose.
     *
     * @return the cluster and the service changed
     */
    int[] randomChange(Random random, long now) {
        int c = 1 + random.nextInt(clusters);
        int k = random.nextInt(services);
        Svc old = get(c, k);
        Svc next;
        if (old == null) {
            next = new Svc(true, true, "none", 1 + random.nextInt(3));
        } else {
            next = switch (random.nextInt(10)) {
                case 0 -> null; // deleted
                case 1 -> new Svc(random.nextInt(10) < 9, old.shared(), old.affinity(), old.replicas());
                case 2 -> new Svc(old.global(), random.nextInt(20) < 17, old.affinity(), old.replicas());
                case 3 -> new Svc(old.global(), old.shared(), affinity(random), old.replicas());
                default -> new Svc(old.global(), old.shared(), old.affinity(),
                        random.nextInt(10) == 0 ? 0 : 1 + random.nextInt(3));
            };
        }
        set(c, k, next, now);
        return new int[] {c, k};
    }

    private static String affinity(Random random) {
        int r = random.nextInt(20);
        return r < 14 ? "none" : r < 17 ? "local" : "remote";
    }

    void set(int cluster, int service, Svc next, long now) {
        Set<String> before = valid(cluster, service);
        if (next == null) {
            state.get(cluster).remove(service);
        } else {
            state.get(cluster).put(service, next);
        }
        Set<String> after = valid(cluster, service);
        for (String key : before) {
            if (!after.contains(key)) {
                goneAt.putIfAbsent(key, now);
            }
        }
        after.forEach(goneAt::remove);
    }

    /**
     * Keys of the backends of one cluster's service that are valid, for local and for remote viewers, and of its
     * ClusterIP while it is exported to them (what mesh-dns may answer).
     */
    private Set<String> valid(int cluster, int service) {
        Set<String> out = new TreeSet<>();
        Svc s = get(cluster, service);
        if (s == null || !s.global()) {
            return out;
        }
        out.add(key(cluster, service, clusterIp(cluster, service), true));
        if (s.shared()) {
            out.add(key(cluster, service, clusterIp(cluster, service), false));
        }
        for (int r = 0; r < s.replicas(); r++) {
            String ip = podIp(cluster, service, r);
            out.add(key(cluster, service, ip, true));
            if (s.shared()) {
                out.add(key(cluster, service, ip, false));
            }
        }
        return out;
    }

    static String key(int cluster, int service, String ip, boolean localViewer) {
        return cluster + "/" + name(service) + "/" + ip + (localViewer ? "/local" : "/remote");
    }

    /** When the backend stopped being valid for that kind of viewer; null while it is valid (or never was). */
    Long goneAt(int cluster, int service, String ip, boolean localViewer) {
        return goneAt.get(key(cluster, service, ip, localViewer));
    }

    /**
     * What an agent of cluster {@code viewer} must load-balance for each service with a frontend there, every
     * cluster fresh: service name -> usable backends as "cluster/ip". A service has a frontend where the viewer's
     * own manifest holds it as global; its candidates are its own active backends and the other clusters' that are
     * global and shared; affinity local (remote) makes the viewer's (the others') preferred, used alone while any
     * is active.
     */
    Map<String, Set<String>> expected(int viewer) {
        Map<String, Set<String>> out = new TreeMap<>();
        for (int k = 0; k < services; k++) {
            Svc own = get(viewer, k);
            if (own == null || !own.global()) {
                continue;
            }
            Set<String> preferred = new TreeSet<>();
            Set<String> all = new TreeSet<>();
            for (int c = 1; c <= clusters; c++) {
                Svc s = get(c, k);
                boolean local = c == viewer;
                if (s == null || !s.global() || (!local && !s.shared())) {
                    continue;
                }
                for (int r = 0; r < s.replicas(); r++) {
                    String b = c + "/" + podIp(c, k, r);
                    all.add(b);
                    if ((own.affinity().equals("local") && local) || (own.affinity().equals("remote") && !local)) {
                        preferred.add(b);
                    }
                }
            }
            out.put(name(k), preferred.isEmpty() ? all : preferred);
        }
        return out;
    }

    /**
     * What cluster {@code viewer}'s mesh-dns must answer to A queries, every cluster fresh (mesh-dns's documented
     * records): name -> NXDOMAIN or the sorted addresses. Per service, the contributing clusters are the viewer's
     * own (global) and the others' global and shared ones. The service name holds the viewer's own ClusterIP when it
     * contributes, else the ClusterIPs of the contributors with a replica ({@code []} when none has one; NXDOMAIN
     * without contributors); {@code cluster<c>.<service>} holds cluster c's ClusterIP while it contributes.
     */
    Map<String, String> expectedDns(int viewer) {
        Map<String, String> out = new TreeMap<>();
        for (int k = 0; k < services; k++) {
            String base = name(k) + ChaosDns.SUFFIX;
            Set<String> contributing = new TreeSet<>();
            Set<String> active = new TreeSet<>();
            for (int c = 1; c <= clusters; c++) {
                Svc s = get(c, k);
                boolean contributes = s != null && s.global() && (c == viewer || s.shared());
                out.put("cluster" + c + "." + base, contributes ? "[" + clusterIp(c, k) + "]" : "NXDOMAIN");
                if (contributes) {
                    contributing.add(clusterIp(c, k));
                    if (s.replicas() > 0) {
                        active.add(clusterIp(c, k));
                    }
                }
            }
            Svc own = get(viewer, k);
            out.put(base, contributing.isEmpty() ? "NXDOMAIN"
                    : own != null && own.global() ? "[" + clusterIp(viewer, k) + "]" : active.toString());
        }
        return out;
    }

    /** Clusters with a valid active backend of service {@code k} for {@code viewer}. */
    List<Integer> clustersWithBackends(int viewer, int k) {
        List<Integer> out = new ArrayList<>();
        for (int c = 1; c <= clusters; c++) {
            Svc s = get(c, k);
            if (s != null && s.global() && s.replicas() > 0 && (c == viewer || s.shared())) {
                out.add(c);
            }
        }
        return out;
    }

    /** The manifest file of cluster {@code c}'s service {@code k}; null when the service does not exist. */
    String manifest(int c, int k) {
        Svc s = get(c, k);
        if (s == null) {
            return null;
        }
        List<Manifests.Endpoint> endpoints = new ArrayList<>();
        for (int r = 0; r < s.replicas(); r++) {
            endpoints.add(new Manifests.Endpoint(podIp(c, k, r), null));
        }
        return Manifests.service(name(k), clusterIp(c, k), List.of(new Manifests.Port("http", 80, "TCP")), endpoints,
                Map.of("service.cilium.io/global", Boolean.toString(s.global()), "service.cilium.io/shared",
                        Boolean.toString(s.shared()), "service.cilium.io/affinity", s.affinity()));
    }
}
