package dev.clustermesh.proxy.export.source;

import dev.clustermesh.core.keys.PolicyKind;
import dev.clustermesh.proxy.export.inventory.Inventory;
import dev.clustermesh.proxy.export.inventory.ObjectRef;
import dev.clustermesh.proxy.export.inventory.SourceKind;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Services, discovery/v1 EndpointSlices, Nodes, Pods, Namespaces, NetworkPolicies and CiliumNetworkPolicies of
 * all namespaces, through fabric8 informers (policies as generic resources: no typed model, no reflection).
 *
 * <p>The CiliumNetworkPolicy, ServiceExport and ClusterProperty CRDs may be missing: the source then warns once, records none of the
 * kind, marks it synced and checks API discovery again every {@code crdRecheck}; once the CRD is served, its
 * informer starts. ServiceExports are read in the newest version served (v1beta1, else v1alpha1).
 *
 * <p>Each event is recorded in the inventory as it arrives. When an informer has synced, its whole store is
 * recorded once more and its kind marked synced: handler notifications may lag behind the store, and the
 * sync canary must not be written before the full first list is in. API errors are logged once per
 * informer and retried by the informer.
 */
public final class KubernetesSource implements ExportSource {
    private static final Logger LOG = Logger.getLogger(KubernetesSource.class);

    /** How often a missing CiliumNetworkPolicy CRD is looked for again by default. */
    public static final Duration CRD_RECHECK = Duration.ofMinutes(1);
    private static final ResourceDefinitionContext NETWORK_POLICIES = new ResourceDefinitionContext.Builder()
            .withGroup("networking.k8s.io").withVersion("v1").withKind("NetworkPolicy").withPlural("networkpolicies")
            .withNamespaced(true).build();
    private static final ResourceDefinitionContext CILIUM_POLICIES = new ResourceDefinitionContext.Builder()
            .withGroup("cilium.io").withVersion("v2").withKind("CiliumNetworkPolicy")
            .withPlural("ciliumnetworkpolicies").withNamespaced(true).build();

    private final KubernetesClient client;
    private final Duration crdRecheck;
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    private ScheduledExecutorService discovery;
    private final java.util.Set<String> warnedMissing = new java.util.HashSet<>();
    private boolean closed;

    /** A source on {@code client}; the client stays the caller's. */
    public KubernetesSource(KubernetesClient client) {
        this(client, CRD_RECHECK);
    }

    /** A source on {@code client} that looks for a missing CiliumNetworkPolicy CRD every {@code crdRecheck}. */
    public KubernetesSource(KubernetesClient client, Duration crdRecheck) {
        this.client = Objects.requireNonNull(client, "client");
        this.crdRecheck = Objects.requireNonNull(crdRecheck, "crdRecheck");
    }

    @Override
    public synchronized void start(Inventory inventory) {
        if (closed || !informers.isEmpty()) {
            return;
        }
        inform("Services", client.services().inAnyNamespace().runnableInformer(0), SourceKind.SERVICES,
                s -> inventory.put(KubeObjects.service(s)), KubeObjects::ref,
                all -> inventory.replaceServices(all.stream().map(KubeObjects::service).toList()), inventory);
        inform("EndpointSlices", client.discovery().v1().endpointSlices().inAnyNamespace().runnableInformer(0),
                SourceKind.ENDPOINT_SLICES, e -> inventory.put(KubeObjects.slice(e)), KubeObjects::ref,
                all -> inventory.replaceSlices(all.stream().map(KubeObjects::slice).toList()), inventory);
        inform("Nodes", client.nodes().runnableInformer(0), SourceKind.NODES,
                n -> inventory.put(KubeObjects.node(n)), n -> KubeObjects.node(n).ref(),
                all -> inventory.replaceNodes(all.stream().map(KubeObjects::node).toList()), inventory);
        inform("Pods", client.pods().inAnyNamespace().runnableInformer(0), SourceKind.PODS,
                p -> inventory.put(KubeObjects.pod(p)), KubeObjects::ref,
                all -> inventory.replacePods(all.stream().map(KubeObjects::pod).toList()), inventory);
        inform("Namespaces", client.namespaces().runnableInformer(0), SourceKind.NAMESPACES,
                n -> inventory.put(KubeObjects.namespace(n)), n -> KubeObjects.namespace(n).ref(),
                all -> inventory.replaceNamespaces(all.stream().map(KubeObjects::namespace).toList()), inventory);
        informPolicies(PolicyKind.NETWORK_POLICY, NETWORK_POLICIES, SourceKind.NETWORK_POLICIES, inventory);
        discovery = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mesh-export-crd-discovery");
            t.setDaemon(true);
            return t;
        });
        discovery.execute(() -> discoverCiliumPolicies(inventory));
        discovery.execute(() -> discoverServiceExports(inventory));
        discovery.execute(() -> discoverClusterProperties(inventory));
    }

    private void discoverCiliumPolicies(Inventory inventory) {
        discover(List.of(ciliumPolicies(inventory)), inventory, () -> discoverCiliumPolicies(inventory));
    }

    private void informPolicies(PolicyKind kind, ResourceDefinitionContext context, SourceKind sourceKind,
            Inventory inventory) {
        String what = kind == PolicyKind.NETWORK_POLICY ? "NetworkPolicies" : "CiliumNetworkPolicies";
        inform(what, client.genericKubernetesResources(context).inAnyNamespace().runnableInformer(0),
                sourceKind, r -> inventory.put(KubeObjects.policy(kind, r)), KubeObjects::ref,
                all -> inventory.replacePolicies(kind, all.stream().map(r -> KubeObjects.policy(kind, r)).toList()),
                inventory);
    }

    /** A kind served only when its CRD is installed: how to find it and what to do when it is or is not there. */
    private record OptionalKind(String what, String apiVersion, String kind, SourceKind sourceKind, Runnable startInformer,
            Runnable recordNone) {
    }

    private OptionalKind ciliumPolicies(Inventory inventory) {
        return new OptionalKind("CiliumNetworkPolicy", PolicyKind.CILIUM_NETWORK_POLICY.apiVersion(),
                PolicyKind.CILIUM_NETWORK_POLICY.kind(), SourceKind.CILIUM_NETWORK_POLICIES,
                () -> informPolicies(PolicyKind.CILIUM_NETWORK_POLICY, CILIUM_POLICIES,
                        SourceKind.CILIUM_NETWORK_POLICIES, inventory),
                () -> inventory.replacePolicies(PolicyKind.CILIUM_NETWORK_POLICY, List.of()));
    }

    /** ServiceExports of the newest served version of multicluster.x-k8s.io. */
    private OptionalKind serviceExports(Inventory inventory, String version) {
        ResourceDefinitionContext context = new ResourceDefinitionContext.Builder()
                .withGroup(KubeObjects.MCS_GROUP).withVersion(version).withKind(KubeObjects.SERVICE_EXPORT)
                .withPlural("serviceexports").withNamespaced(true).build();
        return new OptionalKind("ServiceExport", KubeObjects.MCS_GROUP + "/" + version, KubeObjects.SERVICE_EXPORT,
                SourceKind.SERVICE_EXPORTS,
                () -> inform("ServiceExports " + version,
                        client.genericKubernetesResources(context).inAnyNamespace().runnableInformer(0),
                        SourceKind.SERVICE_EXPORTS, r -> inventory.put(KubeObjects.export(r)), KubeObjects::ref,
                        all -> inventory.replaceExports(all.stream().map(KubeObjects::export).toList()), inventory),
                () -> inventory.replaceExports(List.of()));
    }

    private void discoverClusterProperties(Inventory inventory) {
        discover(List.of(clusterProperties(inventory)), inventory, () -> discoverClusterProperties(inventory));
    }

    /** ClusterProperties (about.k8s.io/v1alpha1, cluster-scoped): this cluster's properties. */
    private OptionalKind clusterProperties(Inventory inventory) {
        ResourceDefinitionContext context = new ResourceDefinitionContext.Builder().withGroup("about.k8s.io")
                .withVersion("v1alpha1").withKind(KubeObjects.CLUSTER_PROPERTY).withPlural("clusterproperties")
                .withNamespaced(false).build();
        return new OptionalKind(KubeObjects.CLUSTER_PROPERTY, KubeObjects.ABOUT_API_VERSION,
                KubeObjects.CLUSTER_PROPERTY, SourceKind.CLUSTER_PROPERTIES,
                () -> inform("ClusterProperties", client.genericKubernetesResources(context).runnableInformer(0),
                        SourceKind.CLUSTER_PROPERTIES, r -> inventory.put(KubeObjects.property(r)),
                        r -> KubeObjects.property(r).ref(),
                        all -> inventory.replaceProperties(all.stream().map(KubeObjects::property).toList()),
                        inventory),
                () -> inventory.replaceProperties(List.of()));
    }

    /** Starts the ServiceExport informer of the newest served version, else records none and looks again. */
    private void discoverServiceExports(Inventory inventory) {
        List<OptionalKind> versions = KubeObjects.MCS_VERSIONS.stream().map(v -> serviceExports(inventory, v)).toList();
        discover(versions, inventory, () -> discoverServiceExports(inventory));
    }

    /**
     * Starts the informer of the first of {@code candidates} (versions of one kind) the API serves, else records none
     * of the kind, marks it synced and runs {@code again} after {@code crdRecheck}.
     */
    private void discover(List<OptionalKind> candidates, Inventory inventory, Runnable again) {
        OptionalKind served = null;
        try {
            for (OptionalKind c : candidates) {
                if (client.supports(c.apiVersion(), c.kind())) {
                    served = c;
                    break;
                }
            }
        } catch (RuntimeException e) {
            LOG.debugf("Kubernetes API discovery of %s failed (%s); trying again", candidates.get(0).what(),
                    e.getMessage());
            reschedule(again, Duration.ofSeconds(5));
            return;
        }
        OptionalKind first = candidates.get(0);
        synchronized (this) {
            if (closed) {
                return;
            }
            if (served != null) {
                LOG.infof("Kubernetes serves %s: exporting them", served.apiVersion());
                served.startInformer().run();
                return;
            }
            if (warnedMissing.add(first.what())) {
                LOG.warnf("Kubernetes does not serve %s (CRD not installed): exporting none, looking again every %s",
                        first.what(), crdRecheck);
            }
        }
        first.recordNone().run();
        inventory.markSynced(first.sourceKind());
        reschedule(again, crdRecheck);
    }

    private synchronized void reschedule(Runnable task, Duration delay) {
        if (!closed) {
            discovery.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (discovery != null) {
            discovery.shutdownNow();
        }
        for (SharedIndexInformer<?> i : informers) {
            try {
                i.close();
            } catch (RuntimeException e) {
                LOG.debugf("closing an informer: %s", e.getMessage());
            }
        }
        informers.clear();
    }

    private <T extends HasMetadata> void inform(String what, SharedIndexInformer<T> informer, SourceKind kind,
            Consumer<T> put, Function<T, ObjectRef> ref, Consumer<List<T>> replace, Inventory inventory) {
        AtomicBoolean failing = new AtomicBoolean();
        informer.exceptionHandler((started, t) -> {
            if (failing.compareAndSet(false, true)) {
                LOG.warnf("Kubernetes %s: %s; retrying", what, t.getMessage());
            }
            if (kind == SourceKind.CLUSTER_PROPERTIES && t instanceof KubernetesClientException k && k.getCode() == 403) {
                // Properties only refine cluster selectors: without read access (a ClusterRole from before they were
                // read) the MCS state is still written, as if the cluster had none; the informer keeps trying.
                inventory.markSynced(kind);
            }
            return true;
        });
        informer.addEventHandler(new ResourceEventHandler<T>() {
            @Override
            public void onAdd(T obj) {
                put.accept(obj);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                put.accept(newObj);
            }

            @Override
            public void onDelete(T obj, boolean finalStateUnknown) {
                inventory.remove(kind, ref.apply(obj));
            }
        });
        informers.add(informer);
        informer.start().whenComplete((ok, error) -> {
            if (error != null) {
                LOG.errorf("Kubernetes %s: the informer stopped: %s", what, error.getMessage());
                return;
            }
            failing.set(false);
            replace.accept(informer.getStore().list());
            inventory.markSynced(kind);
            LOG.infof("Kubernetes %s: first list synced (%d objects)", what, informer.getStore().list().size());
        });
    }
}
