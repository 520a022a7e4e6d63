package dev.clustermesh.meshctl.agent.commands;

import dev.clustermesh.meshctl.agent.AgentClient;
import dev.clustermesh.meshctl.agent.PolicyViews;
import dev.clustermesh.meshctl.agent.Views;
import dev.clustermesh.meshctl.cli.OutputFormat;
import dev.clustermesh.proto.agent.v1.ExplainPolicyRequest;
import dev.clustermesh.proto.agent.v1.ExplainPolicyResponse;
import dev.clustermesh.proto.agent.v1.ListPoliciesResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code meshctl policy list} and {@code meshctl policy explain}: this cluster's network policies as one agent last
 * compiled them, and why a connection between two pods is allowed or denied.
 */
@Command(name = "policy", description = "The agent's network policies.", mixinStandardHelpOptions = true,
        subcommands = {PolicyCommand.ListPolicies.class, PolicyCommand.Explain.class})
public final class PolicyCommand {

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Every policy of the agent's cluster: applied or refused, with its warnings.")
    static final class ListPolicies implements Runnable {
        @Mixin
        AgentTarget target;

        @Option(names = {"-o", "--output"}, defaultValue = "text",
                description = "text or json (default: ${DEFAULT-VALUE}).")
        OutputFormat output;

        @Override
        public void run() {
            try (AgentClient client = target.open()) {
                ListPoliciesResponse policies = client.policies();
                if (output == OutputFormat.JSON) {
                    System.out.println(Views.json(policies));
                } else {
                    PolicyViews.printPolicies(policies, System.out);
                }
            }
        }
    }

    @Command(name = "explain", mixinStandardHelpOptions = true,
            description = "Whether a connection between two pods is allowed, and the policy and rule that decided "
                    + "each direction. Only the agent's own cluster's policies are known to it: ask an agent of the "
                    + "remote cluster for a remote pod's side.")
    static final class Explain implements Runnable {
        @Mixin
        AgentTarget target;

        @Option(names = "--from", required = true, paramLabel = "<cluster>/<namespace>/<pod>",
                description = "The source pod.")
        String from;

        @Option(names = "--to", required = true, paramLabel = "<cluster>/<namespace>/<pod>",
                description = "The destination pod.")
        String to;

        @Option(names = "--port", required = true, paramLabel = "<port>[/<protocol>]",
                description = "Destination port and protocol (TCP, UDP, SCTP; default TCP), e.g. 80/TCP.")
        String port;

        @Option(names = {"-o", "--output"}, defaultValue = "text",
                description = "text or json (default: ${DEFAULT-VALUE}).")
        OutputFormat output;

        @Override
        public void run() {
            PodArgs.Port p = PodArgs.port(port);
            ExplainPolicyRequest request = ExplainPolicyRequest.newBuilder().setFrom(PodArgs.pod("--from", from))
                    .setTo(PodArgs.pod("--to", to)).setPort(p.number()).setProtocol(p.protocol()).build();
            try (AgentClient client = target.open()) {
                ExplainPolicyResponse r = client.explainPolicy(request);
                if (output == OutputFormat.JSON) {
                    System.out.println(Views.json(r));
                } else {
                    PolicyViews.printExplanation(from, to, p.number() + "/" + p.protocol(), r, System.out);
                }
            }
        }
    }
}
