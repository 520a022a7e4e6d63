package dev.clustermesh.meshctl.pki;

import dev.clustermesh.pki.KeyedCertificate;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code meshctl ca create}: the one CA every cluster of the mesh trusts. */
@Command(name = "ca", description = "The mesh's shared certificate authority.",
        subcommands = CaCommand.Create.class, mixinStandardHelpOptions = true)
public final class CaCommand {

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create the shared CA: <dir>/ca.crt and <dir>/ca.key (owner-only).")
    static final class Create implements Runnable {
        @Option(names = "--dir", defaultValue = "clustermesh-pki", description = "Directory (default: ${DEFAULT-VALUE}).")
        Path dir;

        @Option(names = "--common-name", defaultValue = "ClusterMesh/J CA",
                description = "The CA's CN (default: ${DEFAULT-VALUE}).")
        String commonName;

        @Option(names = "--validity-days", defaultValue = "3650", description = "Days (default: ${DEFAULT-VALUE}).")
        int validityDays;

        @Option(names = "--force", description = "Replace an existing CA.")
        boolean force;

        @Override
        public void run() {
            if (validityDays < 1) {
                throw new IllegalArgumentException("--validity-days must be at least 1, got " + validityDays);
            }
            KeyedCertificate ca = MeshPki.createCa(dir, commonName, Duration.ofDays(validityDays), force);
            System.out.println("✅ CA \"" + ca.commonName() + "\" valid until " + ca.certificate().getNotAfter()
                    .toInstant() + ":");
            System.out.println("   certificate " + dir.resolve(MeshPki.CA_CERT));
            System.out.println("   key         " + dir.resolve(MeshPki.CA_KEY) + " (keep it private)");
        }
    }
}
