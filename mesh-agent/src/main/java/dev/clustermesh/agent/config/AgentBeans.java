package dev.clustermesh.agent.config;

import dev.clustermesh.core.net.HostNames;
import dev.clustermesh.agent.datapath.Datapath;
import dev.clustermesh.agent.datapath.DatapathException;
import dev.clustermesh.agent.datapath.MemoryDatapath;
import dev.clustermesh.agent.datapath.nftables.NftablesDatapath;
import dev.clustermesh.agent.datapath.routes.RouteProgrammer;
import dev.clustermesh.agent.mesh.AgentSettings;
import dev.clustermesh.core.identity.ClusterIdentity;
import dev.clustermesh.core.remote.RemoteClusterOptions;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Validates the configuration once and builds the datapath it names. */
final class AgentBeans {

    @Produces
    @Singleton
    AgentSettings settings(AgentConfig c) {
        List<String> errors = new ArrayList<>();
        ClusterIdentity cluster = null;
        try {
            int id = ClusterIdentity.parseId("mesh.cluster.id", c.cluster().id());
            ClusterIdentity.nameProblem(c.cluster().name()).ifPresent(p -> errors.add("mesh.cluster.name: " + p));
            cluster = errors.isEmpty() ? new ClusterIdentity(c.cluster().name(), id) : null;
        } catch (IllegalArgumentException e) {
            errors.add(e.getMessage());
        }
        if (!Files.isDirectory(c.clusters().dir())) {
            errors.add("mesh.clusters.dir: '" + c.clusters().dir() + "' is not a directory");
        }
        if (c.clusters().ttl().isNegative()) {
            errors.add("mesh.clusters.ttl: " + c.clusters().ttl() + " must not be negative");
        }
        String mode = c.datapath().mode().trim().toLowerCase(Locale.ROOT);
        if (!DatapathSettings.MODES.contains(mode)) {
            errors.add("mesh.datapath.mode: '" + c.datapath().mode() + "' is not one of "
                    + String.join(", ", DatapathSettings.MODES));
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("invalid mesh-agent configuration: " + String.join("; ", errors));
        }
        return new AgentSettings(cluster, c.nodeName().orElseGet(() -> HostNames.local("localhost")), c.clusters().dir(),
                c.clusters().pollInterval(), new RemoteClusterOptions(c.clusters().ttl(),
                        c.clusters().requestTimeout(), c.clusters().maxBackoff()), mode);
    }

    @Produces
    @Singleton
    Datapath datapath(AgentSettings settings, AgentConfig c) {
        DatapathSettings d = DatapathSettings.from(c.datapath());
        if (d.mode().equals("memory")) {
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
