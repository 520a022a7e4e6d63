package dev.clustermesh.meshctl;

import dev.clustermesh.meshctl.agent.commands.EndpointCommand;
import dev.clustermesh.meshctl.agent.commands.PolicyCommand;
import dev.clustermesh.meshctl.agent.commands.ServiceCommand;
import dev.clustermesh.meshctl.agent.commands.StatusCommand;
import dev.clustermesh.meshctl.demo.DemoCommand;
import dev.clustermesh.meshctl.kube.CertsRenewCommand;
import dev.clustermesh.meshctl.kube.CertsRotateCommand;
import dev.clustermesh.meshctl.kube.ClusterMeshCommand;
import dev.clustermesh.meshctl.pki.CaCommand;
import dev.clustermesh.meshctl.pki.CertsCommand;
import io.quarkus.picocli.runtime.annotations.TopCommand;
import picocli.CommandLine.Command;

/** {@code meshctl}: the command line of ClusterMesh/J. */
@TopCommand
@Command(name = "meshctl", mixinStandardHelpOptions = true, version = "meshctl 0.1.0",
        description = "Operate a ClusterMesh/J mesh: certificates, connecting clusters, status, services, "
                + "network policy, and a local two-cluster demo.",
        subcommands = {CaCommand.class, MeshCtl.Certs.class, ClusterMeshCommand.class, StatusCommand.class, ServiceCommand.class,
            PolicyCommand.class, EndpointCommand.class, DemoCommand.class})
public final class MeshCtl {

    /** {@code meshctl certs issue|rotate}. */
    @Command(name = "certs", mixinStandardHelpOptions = true,
            description = "The mesh's certificates: issue one cluster's from the shared CA, or rotate the whole mesh "
                    + "to a new CA without restarts.",
            subcommands = {CertsCommand.Issue.class, CertsRotateCommand.class, CertsRenewCommand.class})
    static final class Certs {
    }
}
