package dev.clustermesh.meshctl.agent.commands;

import dev.clustermesh.meshctl.agent.AgentClient;
import dev.clustermesh.meshctl.agent.Views;
import dev.clustermesh.meshctl.cli.Durations;
import dev.clustermesh.meshctl.cli.MeshCtlException;
import dev.clustermesh.meshctl.cli.OutputFormat;
import dev.clustermesh.proto.agent.v1.GetStatusResponse;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code meshctl status}: the agent's view of every cluster, shaped like {@code cilium clustermesh status}. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Connection and sync state of every cluster, as one agent sees it.")
public final class StatusCommand implements java.util.concurrent.Callable<Integer> {
    @Mixin
    AgentTarget target;

    @Option(names = "--wait", description = "Wait until every cluster is connected and synced.")
    boolean await;

    @Option(names = "--timeout", defaultValue = "2m", description = "How long --wait waits (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = {"-v", "--verbose"}, description = "Also show, per cluster, where its changes spend their time "
            + "(export, cache, transit, applied).")
    boolean verbose;

    @Option(names = "--certificate-warning", defaultValue = "30d", description = "Warn about certificates that "
            + "expire within this long (default: ${DEFAULT-VALUE}).")
    Duration certificateWarning;

    @Option(names = {"-o", "--output"}, defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE}).")
    OutputFormat output;

    @Override
    public Integer call() {
        try (AgentClient client = target.open()) {
            GetStatusResponse status = await ? Views.waitReady(client, timeout, System.err) : client.status();
            if (output == OutputFormat.JSON) {
                System.out.println(Views.json(status));
            } else {
                Views.printStatus(status, client.address(), verbose, certificateWarning, System.out);
            }
            if (await && !Views.ready(status)) {
                throw new MeshCtlException("not every cluster is ready after " + Durations.format(timeout) + ": "
                        + String.join("; ", Views.problems(status)));
            }
            return 0;
        }
    }

}
