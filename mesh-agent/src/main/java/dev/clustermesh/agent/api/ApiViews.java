package dev.clustermesh.agent.api;

import dev.clustermesh.agent.loadbalancer.LbBackend;
import dev.clustermesh.agent.loadbalancer.LbMaps;
import dev.clustermesh.agent.loadbalancer.LbService;
import dev.clustermesh.agent.mesh.AgentCore;
import dev.clustermesh.core.keys.ResourceKind;
import dev.clustermesh.core.mesh.LatencyWindow;
import dev.clustermesh.core.mesh.MeshView;
import dev.clustermesh.core.mesh.Stage;
import dev.clustermesh.core.remote.ClusterStatus;
import dev.clustermesh.core.tls.MeshCertificate;
import dev.clustermesh.proto.agent.v1.Backend;
import dev.clustermesh.proto.agent.v1.Certificate;
import dev.clustermesh.proto.agent.v1.ClusterList;
import dev.clustermesh.proto.agent.v1.GetStatusResponse;
import dev.clustermesh.proto.agent.v1.ListImportsRequest;
import dev.clustermesh.proto.agent.v1.ListImportsResponse;
import dev.clustermesh.proto.agent.v1.ListServicesRequest;
import dev.clustermesh.proto.agent.v1.ListServicesResponse;
import dev.clustermesh.proto.agent.v1.PropagationStage;
import dev.clustermesh.proto.agent.v1.Service;
import dev.clustermesh.proto.agent.v1.ServiceImport;
import dev.clustermesh.proto.mesh.v1.BackendState;
import dev.clustermesh.proto.mesh.v1.ImportType;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders the agent's state as API messages. */
final class ApiViews {
    private ApiViews() {
    }

    static GetStatusResponse status(AgentCore core) {
        GetStatusResponse.Builder b = GetStatusResponse.newBuilder().setCluster(core.settings().cluster().name())
                .setClusterId(core.settings().cluster().id()).setNode(core.settings().node())
                .setGlobalServices(core.view().serviceCount()).setReady(core.ready())
                .setPolicyBehind(!core.policy().caughtUp());
        Instant now = Instant.now();
        Map<String, MeshView.Convergence> convergence = core.convergence();
        long nanos = System.nanoTime();
        Map<String, Map<Stage, LatencyWindow.Summary>> propagation = core.propagation();
        Map<String, List<MeshCertificate>> certificates = core.certificates();
        core.clusters().values().forEach(s -> {
            var c = cluster(s, core.settings().cluster().name(), now).toBuilder();
            MeshView.Convergence v = convergence.get(s.name());
            c.setRevisionReceived(s.revision()).setRevisionSynced(s.syncedRevision()).setOldestUnappliedMillis(-1);
            if (v != null) {
                c.setRevisionProgrammed(v.programmed()).setOldestUnappliedMillis(v.unappliedSinceNanos()
                        .map(t -> java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(nanos - t)).orElse(-1L));
            }
            propagation.getOrDefault(s.name(), Map.of()).forEach((stage, f) -> c.addPropagation(
                    PropagationStage.newBuilder().setStage(stage.label()).setMeasuredBy(stage == Stage.EXPORT
                            || stage == Stage.CACHE ? "proxy of " + s.name() : "this agent").setSamples(f.samples())
                            .setP50Micros(f.p50Micros()).setP99Micros(f.p99Micros()).setMaxMicros(f.maxMicros())));
            certificates.getOrDefault(s.name(), List.of()).forEach(m -> c.addCertificates(Certificate.newBuilder()
                    .setRole(m.role()).setSubject(m.subject()).setIssuer(m.issuer()).setSerial(m.serial())
                    .setNotAfterUnixMillis(m.notAfter().toEpochMilli())));
            b.addClusters(c);
        });
        return b.build();
    }

    private static dev.clustermesh.proto.agent.v1.ClusterStatus cluster(ClusterStatus s, String local, Instant now) {
        var b = dev.clustermesh.proto.agent.v1.ClusterStatus.newBuilder().setName(s.name()).setId(s.id())
                .setLocal(s.name().equals(local)).setConnected(s.connected()).setReady(s.ready())
                .setNodes(s.nodes()).setServices(s.services()).setEndpoints(s.endpoints())
                .setLastFailure(s.lastFailure()).setWithdrawn(s.withdrawn())
                .setFreshness(s.freshness().label()).setFreshnessReason(s.freshnessReason())
                .setLastFailureUnixMillis(s.lastFailureAt().map(Instant::toEpochMilli).orElse(0L))
                .setConnectedSinceUnixMillis(s.connectedSince().map(Instant::toEpochMilli).orElse(0L))
                .setHeartbeatAgeMillis(s.heartbeatAge(now).map(d -> d.toMillis()).orElse(-1L));
        for (ResourceKind k : ResourceKind.values()) {
            if (s.syncedKinds().contains(k)) {
                b.addSyncedKinds(k.segment());
            }
        }
        return b.build();
    }

    static ListServicesResponse services(LbMaps maps, ListServicesRequest filter) {
        ListServicesResponse.Builder out = ListServicesResponse.newBuilder();
        for (LbService s : maps.services().values()) {
            if ((!filter.getNamespace().isEmpty() && !filter.getNamespace().equals(s.name().namespace()))
                    || (!filter.getName().isEmpty() && !filter.getName().equals(s.name().name()))) {
                continue;
            }
            Service.Builder sb = Service.newBuilder().setId(s.id()).setFrontend(s.frontend().toString())
                    .setNamespace(s.name().namespace()).setName(s.name().name())
                    .setAffinity(s.affinity().name().replace("AFFINITY_", "").toLowerCase(Locale.ROOT))
                    .setUsable(s.usableCount()).setFailedOver(s.failedOver()).setGraded(s.graded());
            for (LbService.Slot slot : s.slots()) {
                LbBackend be = maps.backends().get(slot.backendId());
                sb.addBackends(Backend.newBuilder().setId(be.id()).setAddress(be.address()).setCluster(be.cluster())
                        .setClusterId(be.clusterId()).setPreferred(slot.preferred()).setUsable(slot.usable())
                        .setWeight(slot.weight()).setTier(slot.tier())
                        .setState(be.state() == BackendState.BACKEND_STATE_TERMINATING ? "terminating" : "active"));
            }
            out.addServices(sb);
        }
        return out.build();
    }

    /** The imports matching {@code filter}, sorted by namespace and name. */
    static ListImportsResponse imports(Collection<dev.clustermesh.proto.mesh.v1.ServiceImport> all,
            ListImportsRequest filter) {
        ListImportsResponse.Builder out = ListImportsResponse.newBuilder();
        all.stream().filter(i -> (filter.getNamespace().isEmpty() || filter.getNamespace().equals(i.getNamespace()))
                        && (filter.getName().isEmpty() || filter.getName().equals(i.getName())))
                .sorted(Comparator.comparing(dev.clustermesh.proto.mesh.v1.ServiceImport::getNamespace)
                        .thenComparing(dev.clustermesh.proto.mesh.v1.ServiceImport::getName))
                .forEach(i -> {
                    ServiceImport.Builder b = ServiceImport.newBuilder().setNamespace(i.getNamespace())
                            .setName(i.getName())
                            .setType(i.getType() == ImportType.HEADLESS ? "Headless" : "ClusterSetIP")
                            .addAllIps(i.getIpsList()).addAllClusters(i.getClustersList())
                            .setSessionAffinity(i.getSessionAffinity().isEmpty() ? "None" : i.getSessionAffinity());
                    i.getPortsList().forEach(p -> b.addPorts((p.getName().isEmpty() ? "" : p.getName() + " ")
                            + p.getPort() + "/" + p.getProtocol().name()));
                    i.getClusterSelectorResultsList().forEach(r -> b.addClusterSelectorResults(
                            ClusterList.newBuilder().addAllClusters(r.getClustersList())));
                    out.addImports(b);
                });
        return out.build();
    }
}
