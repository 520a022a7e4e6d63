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
import dev.clustermesh.core.tls.CertificateGauges;
import org.jboss.logging.Logger;

/** Owns the one {@link AgentCore} of the process: starts it with the application, closes it on shutdown. */
@Singleton
final class AgentLifecycle {
    private static final Logger LOG = Logger.getLogger(AgentLifecycle.class);
    private final AgentCore core;
    private final PolicyCounterMetrics policyCounters;
    private final CertificateGauges certificates;

    AgentLifecycle(AgentSettings settings, Datapath datapath, AgentMetrics metrics, MeterRegistry registry,
            PolicyDatapath policyDatapath, PolicySettings policySettings) {
        this.core = new AgentCore(settings, datapath, metrics, policyDatapath, policySettings);
        this.certificates = new CertificateGauges(registry, core::certificates);
        Gauge.builder("mesh_agent_connected_clusters", core,
                c -> c.clusters().values().stream().filter(s -> s.connected()).count())
                .description("Clusters with a live connection").register(registry);
        Gauge.builder("mesh_agent_ready_clusters", core,
                c -> c.clusters().values().stream().filter(s -> s.ready()).count()).register(registry);
        Gauge.builder("mesh_agent_global_services", core, c -> c.view().serviceCount()).register(registry);
        Gauge.builder("mesh_agent_lb_services", core, c -> c.lbSizes()[0]).register(registry);
        Gauge.builder("mesh_agent_lb_backends", core, c -> c.lbSizes()[1]).register(registry);
        policyGauges(registry);
        metrics.policyClusters(new PolicyClusterGauges(core, registry));
        this.policyCounters = new PolicyCounterMetrics(policyDatapath, registry);
    }

    /** What the agent's policy last applied (issue 13); read from its state, never blocking. */
    private void policyGauges(MeterRegistry registry) {
        Gauge.builder("mesh_agent_policies", core, c -> c.policy().state().policies().applied().size())
                .tag("state", "applied").description("This cluster's policies in force").register(registry);
        Gauge.builder("mesh_agent_policies", core, c -> c.policy().state().policies().statuses().size()
                - c.policy().state().policies().applied().size()).tag("state", "refused")
                .description("This cluster's policies refused whole (see their warnings)").register(registry);
        Gauge.builder("mesh_agent_policy_warnings", core, c -> c.policy().state().policies().warnings().size())
                .description("Warnings on this cluster's policies").register(registry);
        Gauge.builder("mesh_agent_policy_problems", core, c -> c.policy().state().problems().size())
                .description("Policies that are not JSON objects and endpoints without identity, left out")
                .register(registry);
        Gauge.builder("mesh_agent_policy_endpoints", core, c -> c.policy().state().program().ipIdentities().size())
                .description("Pod addresses of the whole mesh known to policy").register(registry);
        Gauge.builder("mesh_agent_policy_identities", core, c -> c.policy().state().program().ipIdentities().values()
                .stream().distinct().count()).description("Identities of the whole mesh known to policy")
                .register(registry);
        Gauge.builder("mesh_agent_policy_enforced_endpoints", core, c -> c.policy().state().program().endpoints()
                .stream().filter(e -> e.ingress().enforced() || e.egress().enforced()).count())
                .description("Local pods some policy isolates").register(registry);
        Gauge.builder("mesh_agent_policy_apply_seconds", core, c -> c.policy().state().applyNanos() / 1e9)
                .description("How long the last policy apply took: a compile and its transaction, or only the address moves").register(registry);
    }

    @Produces
    AgentCore core() {
        return core;
    }

    void start(@Observes StartupEvent e) {
        LOG.infof("mesh-agent for %s on node %s, clusters from %s, datapath %s", core.settings().cluster(),
                core.settings().node(), core.settings().clustersDir(), core.datapath().name());
        core.start();
        policyCounters.start(java.time.Duration.ofSeconds(10));
        certificates.start(java.time.Duration.ofSeconds(5));
    }

    void stop(@Observes ShutdownEvent e) {
        policyCounters.close();
        certificates.close();
        core.close();
    }
}
