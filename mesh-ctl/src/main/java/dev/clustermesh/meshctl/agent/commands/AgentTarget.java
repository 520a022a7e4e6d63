package dev.clustermesh.meshctl.agent.commands;

import dev.clustermesh.meshctl.agent.AgentClient;
import dev.clustermesh.meshctl.demo.DemoState;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Which agent to ask: {@code --agent host:port}, or {@code --context <cluster>} of the local demo. */
public final class AgentTarget {
    /** Where mesh-agent serves its API on every node. */
    public static final String NODE_LOCAL = "127.0.0.1:9876";

    @Option(names = "--agent", description = "Agent API address host:port (default: " + NODE_LOCAL + ").")
    String agent;

    @Option(names = "--context", description = "A cluster of the local demo (cluster1, cluster2, cluster3): ask its agent.")
    String context;

    @Option(names = "--demo-dir", description = "The demo's state directory (default: $MESHCTL_DEMO_DIR or "
            + "/tmp/clustermesh-demo).")
    Path demoDir;

    @Option(names = "--request-timeout", defaultValue = "5s",
            description = "Deadline of each request (default: ${DEFAULT-VALUE}).")
    Duration requestTimeout;

    /** Opens a client of the chosen agent. */
    public AgentClient open() {
        if (agent != null && context != null) {
            throw new IllegalArgumentException("give --agent or --context, not both");
        }
        String address = agent != null ? agent
                : context != null ? DemoState.load(DemoState.dir(demoDir)).cluster(context).agentAddress()
                        : NODE_LOCAL;
        return new AgentClient(address, requestTimeout);
    }
}
