package dev.clustermesh.agent.api;

import dev.clustermesh.agent.datapath.Datapath;
import dev.clustermesh.agent.mesh.AgentCore;
import dev.clustermesh.agent.mesh.AgentSettings;
import dev.clustermesh.agent.policy.PolicyDatapath;
import dev.clustermesh.agent.policy.PolicySettings;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/** Owns the one {@link AgentCore} of the process: starts it with the application, closes it on shutdown. */
@Singleton
final class AgentLifecycle {
    private static final Logger LOG = Logger.getLogger(AgentLifecycle.class);
    private final AgentCore core;

    AgentLifecycle(AgentSettings settings, Datapath datapath, AgentMetrics metrics, MeterRegistry registry,
            PolicyDatapath policyDatapath, PolicySettings policySettings) {
        this.core = new AgentCore(settings, datapath, metrics, policyDatapath, policySettings);
        Gauge.builder("mesh_agent_connected_clusters", core,
                c -> c.clusters().values().stream().filter(s -> s.connected()).count())
                .description("Clusters with a live connection").register(registry);
        Gauge.builder("mesh_agent_ready_clusters", core,
                c -> c.clusters().values().stream().filter(s -> s.ready()).count()).register(registry);
        Gauge.builder("mesh_agent_global_services", core, c -> c.view().serviceCount()).register(registry);
        Gauge.builder("mesh_agent_lb_services", core, c -> c.lbSizes()[0]).register(registry);
        Gauge.builder("mesh_agent_lb_backends", core, c -> c.lbSizes()[1]).register(registry);
    }

    @Produces
    AgentCore core() {
        return core;
    }

    void start(@Observes StartupEvent e) {
        LOG.infof("mesh-agent for %s on node %s, clusters from %s, datapath %s", core.settings().cluster(),
                core.settings().node(), core.settings().clustersDir(), core.datapath().name());
        core.start();
    }

    void stop(@Observes ShutdownEvent e) {
        core.close();
    }
}
