package dev.clustermesh.meshctl.agent.commands;

import dev.clustermesh.meshctl.agent.AgentClient;
import dev.clustermesh.meshctl.agent.PolicyViews;
import dev.clustermesh.meshctl.agent.Views;
import dev.clustermesh.meshctl.cli.OutputFormat;
import dev.clustermesh.proto.agent.v1.ListPolicyEndpointsRequest;
import dev.clustermesh.proto.agent.v1.ListPolicyEndpointsResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code meshctl endpoint list}: the agent's local pods as policy enforces them, like {@code cilium endpoint list}. */
@Command(name = "endpoint", description = "The agent's local pods as network policy sees them.",
        subcommands = EndpointCommand.ListEndpoints.class, mixinStandardHelpOptions = true)
public final class EndpointCommand {

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Every local pod: address, identity, labels, and whether policy enforces each direction.")
    static final class ListEndpoints implements Runnable {
        @Mixin
        AgentTarget target;

        @Option(names = "--namespace", description = "Only pods in this namespace.")
        String namespace;

        @Option(names = {"-o", "--output"}, defaultValue = "text",
                description = "text or json (default: ${DEFAULT-VALUE}).")
        OutputFormat output;

        @Override
        public void run() {
            ListPolicyEndpointsRequest.Builder request = ListPolicyEndpointsRequest.newBuilder();
            if (namespace != null) {
                request.setNamespace(namespace);
            }
            try (AgentClient client = target.open()) {
                ListPolicyEndpointsResponse endpoints = client.policyEndpoints(request.build());
                if (output == OutputFormat.JSON) {
                    System.out.println(Views.json(endpoints));
                } else {
                    PolicyViews.printEndpoints(endpoints, System.out);
                }
            }
        }
    }
}
