package dev.clustermesh.core.selection;

import dev.clustermesh.proto.mesh.v1.Affinity;
import java.util.List;

/**
 * A global service as the local cluster load-balances it.
 *
 * @param namespace the service namespace
 * @param name the service name
 * @param affinity the effective affinity (the local service's, none without a local service)
 * @param localPresent true when the local cluster has the service itself
 * @param localShared the local service's shared flag (true when there is no local service)
 * @param frontends the local frontends; empty when there is no local service or it is headless
 * @param backends every contributing backend, local cluster first, then other clusters by name, then by IP
 */
public record SelectedService(String namespace, String name, Affinity affinity, boolean localPresent,
        boolean localShared, List<Frontend> frontends, List<SelectedBackend> backends) {

    public SelectedService {
        frontends = List.copyOf(frontends);
        backends = List.copyOf(backends);
    }

    /** The backends new connections may go to, in order. */
    public List<SelectedBackend> usable() {
        return backends.stream().filter(SelectedBackend::usable).toList();
    }

    /**
     * True when graded failover ({@code service.cilium.io/affinity-min-ready}) shares new connections between the
     * preferred backends and the others, by weight.
     */
    public boolean graded() {
        return affinity != Affinity.AFFINITY_NONE && backends.stream().anyMatch(b -> b.preferred() && b.usable())
                && backends.stream().anyMatch(b -> !b.preferred() && b.usable());
    }

    /**
     * True when no preferred backend is active, so traffic fails over to the other side (with a cluster preference:
     * to a later tier than the first).
     */
    public boolean failedOver() {
        boolean ordered = backends.stream().anyMatch(b -> b.tier() > 0);
        return (affinity != Affinity.AFFINITY_NONE || ordered)
                && backends.stream().noneMatch(b -> b.preferred() && b.usable())
                && backends.stream().anyMatch(SelectedBackend::usable);
    }
}
