package dev.clustermesh.proxy.export.source;

import dev.clustermesh.proxy.export.inventory.Inventory;
import dev.clustermesh.proxy.export.inventory.ObjectRef;
import dev.clustermesh.proxy.export.inventory.SourceKind;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Services, discovery/v1 EndpointSlices and Nodes of all namespaces, through fabric8 informers.
 *
 * <p>Each event is recorded in the inventory as it arrives. When an informer has synced, its whole store is
 * recorded once more and its kind marked synced: handler notifications may lag behind the store, and the
 * sync canary must not be written before the full first list is in. API errors are logged once per
 * informer and retried by the informer.
 */
public final class KubernetesSource implements ExportSource {
    private static final Logger LOG = Logger.getLogger(KubernetesSource.class);

    private final KubernetesClient client;
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    private boolean closed;

    /** A source on {@code client}; the client stays the caller's. */
    public KubernetesSource(KubernetesClient client) {
        this.client = Objects.requireNonNull(client, "client");
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
    }

    @Override
    public synchronized void close() {
        closed = true;
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
