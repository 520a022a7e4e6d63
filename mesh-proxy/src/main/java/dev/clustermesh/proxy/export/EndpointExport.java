package dev.clustermesh.proxy.export;

import dev.clustermesh.core.identity.IdentityLabelFilter;
import dev.clustermesh.core.identity.IdentityLabels;
import dev.clustermesh.core.keys.MeshKey;
import dev.clustermesh.core.net.IpAddresses;
import dev.clustermesh.proxy.export.inventory.NamespaceObject;
import dev.clustermesh.proxy.export.inventory.PodObject;
import dev.clustermesh.proxy.export.inventory.PortSpec;
import dev.clustermesh.proto.mesh.v1.Endpoint;
import dev.clustermesh.proto.mesh.v1.Identity;
import dev.clustermesh.proto.mesh.v1.Port;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Computes the endpoint of every exportable pod IP and the identities they carry. Pure: no I/O, no clock (the
 * time comes in as an argument); the same input always gives the same output.
 *
 * <p>A pod is exported when it has an IP, is not on the host network (its IP is the node's) and has not ended
 * (phase {@code Succeeded} or {@code Failed}: the kubelet has released its IP, which another pod may get).
 * A pending pod that already has an IP is exported, and so is a terminating one until it is gone: both can
 * send and receive. An IP claimed by two exportable pods goes to the first in namespace/name order, with a
 * warning for the other. A pod whose Namespace the source does not hold has the namespace's name label only.
 */
final class EndpointExport {

    private EndpointExport() {
    }

    /**
     * What {@link #compute} returns.
     *
     * @param endpoints IP to endpoint, sorted by IP text
     * @param identities identity key to value, for every identity in the table
     * @param table the identity table to keep for the next pass
     */
    record Result(SortedMap<String, Endpoint> endpoints, SortedMap<String, Identity> identities,
            IdentityTable table) {
    }

    /**
     * @param pods the pods, sorted by reference
     * @param complete true when pods and namespaces are fully listed (identities may then be released)
     * @param warn receives one message per pod, IP or port left out
     */
    static Result compute(String cluster, int clusterId, IdentityLabelFilter filter, List<PodObject> pods,
            List<NamespaceObject> namespaces, IdentityTable previous, boolean complete, long nowMillis,
            Duration grace, Warn warn) {
        Map<String, Map<String, String>> nsLabels = new TreeMap<>();
        namespaces.forEach(n -> nsLabels.put(n.name(), n.labels()));
        // A manifest directory need not hold the namespaces of its pods; they exist implicitly.
        pods.forEach(p -> nsLabels.computeIfAbsent(p.ref().namespace(),
                ns -> NamespaceObject.implicit(ns).labels()));
        List<PodObject> exported = new ArrayList<>();
        List<Map<String, String>> wanted = new ArrayList<>();
        for (PodObject pod : pods) {
            if (exportable(pod)) {
                exported.add(pod);
                wanted.add(IdentityLabels.of(cluster, pod.ref().namespace(), pod.serviceAccount(), pod.labels(),
                        nsLabels.get(pod.ref().namespace()), filter));
            }
        }
        IdentityTable.Allocation a = previous.allocate(clusterId, wanted, complete, nowMillis, grace);
        for (Map<String, String> labels : a.exhausted()) {
            warn.identity("labels " + labels, "no identity left (all " + 0xFFFF
                    + " local identities are in use); its pods are exported with identity 0");
        }
        SortedMap<String, Endpoint> endpoints = new TreeMap<>();
        for (int i = 0; i < exported.size(); i++) {
            PodObject pod = exported.get(i);
            Endpoint value = endpoint(cluster, pod, nsLabels.get(pod.ref().namespace()),
                    a.ids().getOrDefault(Map.copyOf(wanted.get(i)), 0), m -> warn.pod(pod, m));
            for (String ip : pod.ips()) {
                add(cluster, pod, ip, value, endpoints, warn);
            }
        }
        SortedMap<String, Identity> identities = new TreeMap<>();
        for (IdentityTable.Entry e : a.table().byId().values()) {
            identities.put(new MeshKey.Identity(cluster, e.id()).key(), Identity.newBuilder().setId(e.id())
                    .setCluster(cluster).putAllLabels(e.labels()).build());
        }
        return new Result(endpoints, identities, a.table());
    }

    /** True for a pod that has an IP, is not on the host network and has not ended. */
    static boolean exportable(PodObject pod) {
        return !pod.ips().isEmpty() && !pod.hostNetwork() && !"Succeeded".equals(pod.phase())
                && !"Failed".equals(pod.phase());
    }

    private static void add(String cluster, PodObject pod, String ip, Endpoint value, Map<String, Endpoint> out,
            Warn warn) {
        if (!IpAddresses.isLiteral(ip)) {
            warn.pod(pod, "IP '" + ip + "' is not an IP literal; left out");
            return;
        }
        String key = new MeshKey.Endpoint(cluster, ip).ip();
        Endpoint previous = out.putIfAbsent(key, value.toBuilder().setIp(key).build());
        if (previous != null) {
            warn.pod(pod, "IP " + key + " is already pod " + previous.getNamespace() + "/" + previous.getPod()
                    + "'s; left out");
        }
    }

    private static Endpoint endpoint(String cluster, PodObject pod, Map<String, String> nsLabels, int identity,
            Consumer<String> warn) {
        // Protobuf writes map entries in insertion order: sorted maps give equal bytes in every process, so a
        // restarted exporter does not rewrite unchanged endpoints.
        return Endpoint.newBuilder().setCluster(cluster).setNamespace(pod.ref().namespace())
                .setPod(pod.ref().name()).setNode(pod.node()).putAllLabels(new TreeMap<>(pod.labels()))
                .setIdentity(identity).putAllNamespaceLabels(new TreeMap<>(nsLabels))
                .addAllNamedPorts(namedPorts(pod.namedPorts(), warn))
                .setServiceAccount(pod.serviceAccount()).build();
    }

    /** Named ports sorted by name; a name seen twice keeps its first port. */
    private static List<Port> namedPorts(List<PortSpec> specs, Consumer<String> warn) {
        Set<String> seen = new HashSet<>();
        List<Port> out = new ArrayList<>();
        for (Port p : ServiceExport.ports(specs, m -> warn.accept("container " + m))) {
            if (!seen.add(p.getName())) {
                warn.accept("container port name " + p.getName() + " is used twice; the first is exported");
                continue;
            }
            out.add(p);
        }
        out.sort((x, y) -> x.getName().compareTo(y.getName()));
        return out;
    }

    /** Where warnings go. */
    interface Warn {
        /** A problem with one pod. */
        void pod(PodObject pod, String message);

        /** A problem with allocating identities. */
        void identity(String subject, String message);
    }
}
