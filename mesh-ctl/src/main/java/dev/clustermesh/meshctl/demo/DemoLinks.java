package dev.clustermesh.meshctl.demo;

import dev.clustermesh.meshctl.cli.MeshCtlException;
import dev.clustermesh.meshctl.pki.AccessLists;
import dev.clustermesh.meshctl.pki.MeshPki;
import dev.clustermesh.pki.Pem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code meshctl demo connect|disconnect A B}: what {@code meshctl clustermesh connect|disconnect} do to real
 * clusters, on the demo. Each cluster's proxy reads an access list ({@code <cluster>/access.yaml}: the clusters
 * whose {@code remote-} certificates may read it, optionally pinned to their key) and each cluster's
 * agents and mesh-dns a clusters directory; both are re-read without a restart.
 */
final class DemoLinks {
    private DemoLinks() {
    }

    /** {@code c}'s proxy's access list file. */
    static Path accessFile(DemoState state, DemoState.Cluster c) {
        return state.clusterDir(c.name()).resolve("access.yaml");
    }

    /** Every cluster but {@code c}, unpinned: the demo starts with all clusters connected. */
    static Map<String, AccessLists.Pins> others(DemoState state, DemoState.Cluster c) {
        Map<String, AccessLists.Pins> out = new TreeMap<>();
        state.clusters().keySet().stream().filter(n -> !n.equals(c.name())).forEach(n -> out.put(n, AccessLists.Pins.NONE));
        return out;
    }

    /** Writes {@code self}'s access list: each cluster name with its pins, if any. */
    static void writeAccess(Path file, String self, Map<String, AccessLists.Pins> clusters) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, AccessLists.render(self, clusters));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new MeshCtlException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads an access list; a missing file is an empty list. */
    static Map<String, AccessLists.Pins> readAccess(Path file) {
        try {
            return AccessLists.parse(Files.readString(file), file.toString());
        } catch (NoSuchFileException e) {
            return new TreeMap<>();
        } catch (IOException | IllegalArgumentException e) {
            throw new MeshCtlException("cannot read the access list " + file + ": " + e.getMessage(), e);
        }
    }

    /** The two clusters of connect and disconnect, and the edit both sides get. */
    abstract static class Link extends DemoCommand.DemoSubcommand implements Runnable {
        @Parameters(index = "0", description = "cluster1, cluster2 (or cluster3)")
        String a;

        @Parameters(index = "1", description = "the other cluster")
        String b;

        /** Edits {@code self}'s access list (and its clusters directory) for {@code other}; returns what it did. */
        abstract String edit(DemoRunner runner, DemoState.Cluster self, DemoState.Cluster other,
                Map<String, AccessLists.Pins> access);

        @Override
        public void run() {
            DemoState state = DemoState.load(dir());
            DemoState.Cluster ca = state.cluster(a);
            DemoState.Cluster cb = state.cluster(b);
            if (ca == cb) {
                throw new IllegalArgumentException("'" + a + "' twice: a cluster is always connected to itself");
            }
            DemoRunner runner = new DemoRunner(state, System.out);
            for (DemoState.Cluster[] p : List.of(new DemoState.Cluster[] {ca, cb}, new DemoState.Cluster[] {cb, ca})) {
                Path file = accessFile(state, p[0]);
                Map<String, AccessLists.Pins> access = readAccess(file);
                String done = edit(runner, p[0], p[1], access);
                writeAccess(file, p[0].name(), access);
                System.out.println(done);
            }
        }
    }

    @Command(name = "connect", mixinStandardHelpOptions = true,
            description = "Connect two demo clusters: each proxy lets the other's remote- certificate read (its "
                    + "access list), each cluster's agents and mesh-dns watch the other.")
    static final class Connect extends Link {
        @Option(names = "--pin", description = "Pin each access list entry to the key (SPKI hash) of the certificate "
                + "the other cluster holds now: a certificate issued for that cluster with another key is refused; "
                + "renewal and rotate-certs keep keys.")
        boolean pin;

        @Override
        String edit(DemoRunner runner, DemoState.Cluster self, DemoState.Cluster other,
                Map<String, AccessLists.Pins> access) {
            AccessLists.Pins pins = pin ? AccessLists.Pins.key(Pem.readCertificate(runner.pki().resolve(other.name())
                    .resolve(MeshPki.certFile(MeshPki.remoteIdentity(other.name()))))) : AccessLists.Pins.NONE;
            access.put(other.name(), pins);
            runner.writeClusterFile(self, other);
            return "✅ " + self.name() + "'s proxy lets " + MeshPki.remoteIdentity(other.name()) + " read"
                    + (pin ? " (pinned to key spki-sha256 " + pins.spki().get(0) + ")" : "") + "; " + self.name()
                    + "'s agents and mesh-dns watch " + other.name();
        }
    }

    @Command(name = "disconnect", mixinStandardHelpOptions = true,
            description = "Disconnect two demo clusters: each proxy refuses the other's remote- certificate at once "
                    + "(open watches end with PERMISSION_DENIED), each cluster's agents withdraw the other's services.")
    static final class Disconnect extends Link {
        @Override
        String edit(DemoRunner runner, DemoState.Cluster self, DemoState.Cluster other,
                Map<String, AccessLists.Pins> access) {
            boolean was = access.remove(other.name()) != null;
            try {
                Files.deleteIfExists(runner.clustersDir(self).resolve(other.name()));
            } catch (IOException e) {
                throw new MeshCtlException("cannot remove " + other.name() + " from " + runner.clustersDir(self)
                        + ": " + e.getMessage(), e);
            }
            return (was ? "✅ " : "ℹ️  ") + self.name() + "'s proxy refuses " + MeshPki.remoteIdentity(other.name())
                    + (was ? "" : " (it was not on the access list)") + "; " + self.name()
                    + "'s agents and mesh-dns no longer watch " + other.name();
        }
    }
}
