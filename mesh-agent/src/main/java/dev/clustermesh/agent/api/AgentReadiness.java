package dev.clustermesh.agent.api;

import dev.clustermesh.agent.mesh.AgentCore;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when every configured cluster is synced or has failed with a reason, and the datapath has been programmed
 * from that state: an agent that answers ready while its maps are still empty would let a rollout move on too soon.
 */
@Readiness
@Singleton
final class AgentReadiness implements HealthCheck {
    private final AgentCore core;

    AgentReadiness(AgentCore core) {
        this.core = core;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("clustermesh").status(core.ready())
                .withData("datapath", core.programmed() ? "programmed" : "not programmed yet");
        core.directoryProblem().ifPresent(p -> b.withData("clusters directory", p));
        core.clusters().forEach((name, s) -> b.withData(name, s.ready() ? "ready"
                : s.connected() ? "syncing" : "disconnected: " + s.lastFailure()));
        return b.build();
    }
}
