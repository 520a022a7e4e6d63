package dev.clustermesh.proxy.export.inventory;

import dev.clustermesh.core.keys.PolicyKind;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The exporter's record of what the source holds. Sources call the mutators from their own threads; the
 * reconciler calls {@link #drain()}. Every mutation that changes something (and every newly synced kind)
 * runs the change listener, which must not block.
 *
 * <p>Thread-safe: all methods synchronize on this object and never do I/O.
 */
public final class Inventory {
    private final Map<ObjectRef, ServiceObject> services = new TreeMap<>();
    private final Map<ObjectRef, SliceObject> slices = new TreeMap<>();
    private final Map<ObjectRef, NodeObject> nodes = new TreeMap<>();
    private final Map<ObjectRef, PodObject> pods = new TreeMap<>();
    private final Map<ObjectRef, NamespaceObject> namespaces = new TreeMap<>();
    private final Map<ObjectRef, PolicyObject> networkPolicies = new TreeMap<>();
    private final Map<ObjectRef, PolicyObject> ciliumPolicies = new TreeMap<>();
    private final Map<ObjectRef, ExportObject> exports = new TreeMap<>();
    private final Map<ObjectRef, PropertyObject> properties = new TreeMap<>();
    private Map<String, Map<String, String>> meshProperties = Map.of();
    private List<ClusterService> meshExports = List.of();
    private final Set<SourceKind> synced = EnumSet.noneOf(SourceKind.class);
    private final Runnable onChange;
    private final LongSupplier nanoClock;
    private long dirtySince = -1;

    /**
     * @param onChange run after every effective change, outside the inventory lock; must be quick
     * @param nanoClock monotonic clock used to time how long a change waits to be applied
     */
    public Inventory(Runnable onChange, LongSupplier nanoClock) {
        this.onChange = Objects.requireNonNull(onChange, "onChange");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    }

    /** An inventory on {@link System#nanoTime()}. */
    public Inventory(Runnable onChange) {
        this(onChange, System::nanoTime);
    }

    /** Adds or replaces a Service. */
    public void put(ServiceObject service) {
        changed(!service.equals(put(services, service.ref(), service)));
    }

    /** Adds or replaces an EndpointSlice. */
    public void put(SliceObject slice) {
        changed(!slice.equals(put(slices, slice.ref(), slice)));
    }

    /** Adds or replaces a Node. */
    public void put(NodeObject node) {
        changed(!node.equals(put(nodes, node.ref(), node)));
    }

    /** Adds or replaces a Pod. */
    public void put(PodObject pod) {
        changed(!pod.equals(put(pods, pod.ref(), pod)));
    }

    /** Adds or replaces a Namespace. */
    public void put(NamespaceObject namespace) {
        changed(!namespace.equals(put(namespaces, namespace.ref(), namespace)));
    }

    /** Adds or replaces a policy of either kind. */
    public void put(PolicyObject policy) {
        changed(!policy.equals(put(policies(policy.kind()), policy.ref(), policy)));
    }

    /** Adds or replaces a ServiceExport. */
    public void put(ExportObject export) {
        changed(!export.equals(put(exports, export.ref(), export)));
    }

    /** Adds or replaces a ClusterProperty. */
    public void put(PropertyObject property) {
        changed(!property.equals(put(properties, property.ref(), property)));
    }

    /** Replaces every ClusterProperty with {@code all}. */
    public void replaceProperties(Collection<PropertyObject> all) {
        replace(properties, all, PropertyObject::ref);
    }

    /** Replaces the other clusters' properties (see {@link Snapshot#meshProperties()}). */
    public void replaceMeshProperties(Map<String, Map<String, String>> all) {
        Map<String, Map<String, String>> next = Map.copyOf(all);
        boolean differs;
        synchronized (this) {
            differs = !next.equals(meshProperties);
            meshProperties = next;
        }
        changed(differs);
    }

    /** Replaces every ServiceExport with {@code all}. */
    public void replaceExports(Collection<ExportObject> all) {
        replace(exports, all, ExportObject::ref);
    }

    /**
     * Replaces what the mesh's clusters export with ServiceExports (see {@link Snapshot#meshExports()}); sorts them.
     */
    public void replaceMeshExports(Collection<ClusterService> all) {
        List<ClusterService> next = all.stream().sorted(java.util.Comparator.comparing(ClusterService::getNamespace)
                .thenComparing(ClusterService::getName).thenComparing(ClusterService::getCluster)).toList();
        boolean differs;
        synchronized (this) {
            differs = !next.equals(meshExports);
            meshExports = next;
        }
        changed(differs);
    }

    /** Removes an object of the given kind; unknown references are ignored. */
    public void remove(SourceKind kind, ObjectRef ref) {
        Object old;
        synchronized (this) {
            old = mapOf(kind).remove(ref);
        }
        changed(old != null);
    }

    /** Replaces everything of the services kind with {@code all} (a full list from the source). */
    public void replaceServices(Collection<ServiceObject> all) {
        replace(services, all, ServiceObject::ref);
    }

    /** Replaces every EndpointSlice with {@code all}. */
    public void replaceSlices(Collection<SliceObject> all) {
        replace(slices, all, SliceObject::ref);
    }

    /** Replaces every Node with {@code all}. */
    public void replaceNodes(Collection<NodeObject> all) {
        replace(nodes, all, NodeObject::ref);
    }

    /** Replaces every Pod with {@code all}. */
    public void replacePods(Collection<PodObject> all) {
        replace(pods, all, PodObject::ref);
    }

    /** Replaces every Namespace with {@code all}. */
    public void replaceNamespaces(Collection<NamespaceObject> all) {
        replace(namespaces, all, NamespaceObject::ref);
    }

    /** Replaces every policy of {@code kind} with {@code all}; objects of another kind in {@code all} are ignored. */
    public void replacePolicies(PolicyKind kind, Collection<PolicyObject> all) {
        replace(policies(kind), all.stream().filter(p -> p.kind() == kind).toList(), PolicyObject::ref);
    }

    /**
     * Records that the source's first full pass of {@code kind} is in this inventory. Call it only after
     * that pass's objects were put (or replaced) here.
     */
    public void markSynced(SourceKind kind) {
        boolean added;
        synchronized (this) {
            added = synced.add(kind);
        }
        changed(added);
    }

    /** A copy of the current content; does not reset the pending-change time. */
    public synchronized Snapshot snapshot() {
        List<PolicyObject> policies = new ArrayList<>(networkPolicies.values());
        policies.addAll(ciliumPolicies.values());
        return new Snapshot(services.values().stream().toList(), slices.values().stream().toList(),
                nodes.values().stream().toList(), pods.values().stream().toList(),
                namespaces.values().stream().toList(), policies, synced, exports.values().stream().toList(),
                meshExports, properties.values().stream().toList(), meshProperties);
    }

    /**
     * The current content and, when changes arrived since the last drain, the {@code nanoClock} time of the
     * oldest of them; resets that time.
     */
    public synchronized Drained drain() {
        OptionalLong since = dirtySince < 0 ? OptionalLong.empty() : OptionalLong.of(dirtySince);
        dirtySince = -1;
        return new Drained(snapshot(), since);
    }

    /**
     * What {@link #drain()} returns.
     *
     * @param snapshot the content
     * @param changedSinceNanos when the oldest undrained change happened, empty when none
     */
    public record Drained(Snapshot snapshot, OptionalLong changedSinceNanos) {
    }

    private synchronized <T> T put(Map<ObjectRef, T> map, ObjectRef ref, T value) {
        return map.put(ref, value);
    }

    private <T> void replace(Map<ObjectRef, T> map, Collection<T> all, Function<T, ObjectRef> ref) {
        Map<ObjectRef, T> next = new TreeMap<>();
        all.forEach(o -> next.put(ref.apply(o), o));
        boolean differs;
        synchronized (this) {
            differs = !next.equals(map);
            map.clear();
            map.putAll(next);
        }
        changed(differs);
    }

    private Map<ObjectRef, ?> mapOf(SourceKind kind) {
        return switch (kind) {
            case SERVICES -> services;
            case ENDPOINT_SLICES -> slices;
            case NODES -> nodes;
            case PODS -> pods;
            case NAMESPACES -> namespaces;
            case NETWORK_POLICIES -> networkPolicies;
            case CILIUM_NETWORK_POLICIES -> ciliumPolicies;
            case SERVICE_EXPORTS -> exports;
            case CLUSTER_PROPERTIES -> properties;
            case MESH_EXPORTS -> throw new IllegalArgumentException("mesh exports are replaced, never removed one by one");
        };
    }

    private Map<ObjectRef, PolicyObject> policies(PolicyKind kind) {
        return switch (kind) {
            case NETWORK_POLICY -> networkPolicies;
            case CILIUM_NETWORK_POLICY -> ciliumPolicies;
        };
    }

    private void changed(boolean really) {
        if (!really) {
            return;
        }
        synchronized (this) {
            if (dirtySince < 0) {
                dirtySince = nanoClock.getAsLong();
            }
        }
        onChange.run();
    }
}
