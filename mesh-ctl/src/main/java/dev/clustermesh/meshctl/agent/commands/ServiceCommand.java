package dev.clustermesh.meshctl.agent.commands;

import dev.clustermesh.meshctl.agent.AgentClient;
import dev.clustermesh.meshctl.agent.Views;
import dev.clustermesh.meshctl.cli.OutputFormat;
import dev.clustermesh.proto.agent.v1.ListImportsRequest;
import dev.clustermesh.proto.agent.v1.ListImportsResponse;
import dev.clustermesh.proto.agent.v1.ListServicesRequest;
import dev.clustermesh.proto.agent.v1.ListServicesResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code meshctl service list}: the agent's load-balancing map, shaped like {@code cilium service list}; and
 * {@code meshctl service imports}: the cluster's ServiceImports.
 */
@Command(name = "service", description = "The agent's load-balancing services.",
        subcommands = {ServiceCommand.ListServices.class, ServiceCommand.ListImports.class},
        mixinStandardHelpOptions = true)
public final class ServiceCommand {

    /** The options both listings take: which services, and how to print them. */
    static final class Filter {
        @Option(names = "--namespace", description = "Only services in this namespace.")
        String namespace;

        @Option(names = "--name", description = "Only services with this name.")
        String name;

        @Option(names = {"-o", "--output"}, defaultValue = "text",
                description = "text or json (default: ${DEFAULT-VALUE}).")
        OutputFormat output;

        String namespace() {
            return namespace == null ? "" : namespace;
        }

        String name() {
            return name == null ? "" : name;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Every frontend with its backends, their cluster and state.")
    static final class ListServices implements Runnable {
        @Mixin
        AgentTarget target;

        @Mixin
        Filter filter;

        @Option(names = "--clustermesh-affinity", description = "Mark the backends the service's affinity prefers.")
        boolean affinity;

        @Override
        public void run() {
            try (AgentClient client = target.open()) {
                ListServicesResponse services = client.services(ListServicesRequest.newBuilder()
                        .setNamespace(filter.namespace()).setName(filter.name()).build());
                if (filter.output == OutputFormat.JSON) {
                    System.out.println(Views.json(services));
                } else {
                    Views.printServices(services, affinity, System.out);
                }
            }
        }
    }

    @Command(name = "imports", mixinStandardHelpOptions = true,
            description = "The cluster's ServiceImports (Multi-Cluster Services API): type, clusterset IPs, ports, "
                    + "exporting clusters and cluster selector tiers.")
    static final class ListImports implements Runnable {
        @Mixin
        AgentTarget target;

        @Mixin
        Filter filter;

        @Override
        public void run() {
            try (AgentClient client = target.open()) {
                ListImportsResponse imports = client.imports(ListImportsRequest.newBuilder()
                        .setNamespace(filter.namespace()).setName(filter.name()).build());
                if (filter.output == OutputFormat.JSON) {
                    System.out.println(Views.json(imports));
                } else {
                    Views.printImports(imports, System.out);
                }
            }
        }
    }
}
