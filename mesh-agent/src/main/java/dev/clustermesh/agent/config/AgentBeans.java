package dev.clustermesh.agent.config;

import dev.clustermesh.core.net.HostNames;
import dev.clustermesh.agent.datapath.Datapath;
import dev.clustermesh.agent.datapath.DatapathException;
import dev.clustermesh.agent.datapath.MemoryDatapath;
import dev.clustermesh.agent.datapath.nftables.NftPolicyDatapath;
import dev.clustermesh.agent.datapath.nftables.NftablesDatapath;
import dev.clustermesh.agent.datapath.routes.RouteProgrammer;
import dev.clustermesh.agent.mesh.AgentSettings;
import dev.clustermesh.agent.policy.PolicyDatapath;
import dev.clustermesh.agent.policy.PolicySettings;
import dev.clustermesh.core.policy.PolicyOptions;
import dev.clustermesh.core.identity.ClusterIdentity;
import dev.clustermesh.core.remote.RemoteClusterOptions;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;

/** Validates the configuration once, naming every bad property, and builds the datapath it names. */
final class AgentBeans {

    /** The whole configuration, validated. */
    record Validated(AgentSettings settings, DatapathSettings datapath) {
    }

    @Produces
    @Singleton
    Validated validated(AgentConfig c) {
        List<String> errors = new ArrayList<>();
        ClusterIdentity cluster = null;
        try {
            int id = ClusterIdentity.parseId("mesh.cluster.id", c.cluster().id());
            ClusterIdentity.nameProblem(c.cluster().name()).ifPresent(p -> errors.add("mesh.cluster.name: " + p));
            cluster = errors.isEmpty() ? new ClusterIdentity(c.cluster().name(), id) : null;
        } catch (IllegalArgumentException e) {
            errors.add(e.getMessage());
        }
        RemoteClusterOptions remote = RemoteClusterOptions.from(c.clusters(), errors);
        DatapathSettings datapath = DatapathSettings.from(c.datapath(), errors);
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("invalid mesh-agent configuration: " + String.join("; ", errors));
        }
        return new Validated(new AgentSettings(cluster, c.nodeName().orElseGet(() -> HostNames.local("localhost")),
                c.clusters().dir(), c.clusters().pollInterval(), remote, datapath.mode().configName()), datapath);
    }

    @Produces
    @Singleton
    AgentSettings settings(Validated v) {
        return v.settings();
    }

    @Produces
    @Singleton
    PolicySettings policySettings(AgentConfig c) {
        if (c.policy().syncWait().isNegative() || c.policy().syncWait().isZero()) {
            throw new IllegalArgumentException("invalid mesh-agent configuration: mesh.policy.sync-wait must be "
                    + "positive, got " + c.policy().syncWait());
        }
        return new PolicySettings(new PolicyOptions(c.policy().defaultLocalCluster()), c.policy().syncWait(),
                c.policy().strict());
    }

    @Produces
    @Singleton
    PolicyDatapath policyDatapath(Validated v) {
        DatapathSettings d = v.datapath();
        return d.mode() == DatapathMode.MEMORY ? new PolicyDatapath.Memory() : new NftPolicyDatapath(d.netns());
    }

    @Produces
    @Singleton
    Datapath datapath(Validated v) {
        DatapathSettings d = v.datapath();
        if (d.mode() == DatapathMode.MEMORY) {
            return new MemoryDatapath();
        }
        try {
            return new NftablesDatapath(d.netns(), RouteProgrammer.create(d.routing(), d.netns()));
        } catch (DatapathException e) {
            throw new IllegalStateException("mesh.datapath.mode=nftables: cannot program " + d.netns()
                    + (d.netns().name().isPresent() ? " (mesh.datapath.netns)" : "") + ": " + e.getMessage(), e);
        }
    }
}
