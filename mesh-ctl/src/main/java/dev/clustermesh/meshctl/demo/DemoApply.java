package dev.clustermesh.meshctl.demo;

import dev.clustermesh.meshctl.cli.MeshCtlException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code meshctl demo apply|delete CLUSTER FILE}: puts manifests into, or takes them out of, a demo cluster's
 * manifest directory, which its mesh-proxy exports within a second (see {@link AppliedManifests}). The whole file is
 * read and checked before anything is written: a bad document leaves the directory as it was.
 */
final class DemoApply {
    private DemoApply() {
    }

    /** The arguments both commands take. */
    abstract static class FileCommand extends DemoCommand.DemoSubcommand {
        @Parameters(index = "0", description = "cluster1, cluster2 (or cluster3)")
        String cluster;

        @Parameters(index = "1", paramLabel = "FILE", description = "a YAML file, '-' for stdin; several documents "
                + "separated by --- lines")
        String file;

        /** The cluster's manifest directory. */
        Path manifests(DemoState state) {
            DemoState.Cluster c = state.cluster(cluster);
            return new DemoRunner(state, System.out).manifests(c);
        }

        /**
         * The file's objects.
         *
         * @throws MeshCtlException when it cannot be read or any document is bad
         */
        List<AppliedManifests.AppliedObject> objects() {
            String text;
            try {
                text = "-".equals(file) ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                        : Files.readString(Path.of(file));
            } catch (NoSuchFileException e) {
                throw new MeshCtlException("no file " + file);
            } catch (CharacterCodingException e) {
                throw new MeshCtlException(file + " is not UTF-8 text");
            } catch (IOException e) {
                throw new MeshCtlException("cannot read " + file + ": " + e.getMessage(), e);
            }
            return AppliedManifests.parse("-".equals(file) ? "stdin" : file, text);
        }
    }

    @Command(name = "apply", mixinStandardHelpOptions = true,
            description = "Put manifests (NetworkPolicy, CiliumNetworkPolicy, Service, Pod, Namespace, Node, "
                    + "EndpointSlice) into a demo cluster's manifest directory, replacing an object of the same "
                    + "kind, namespace and name: meshctl demo apply cluster2 rebel-base-policy.yaml. In the root demo a "
                    + "Pod whose status.podIP is free in the node's pod range (10.<10i>.1.2-254 but .11-.30 and "
                    + ".101-.120) gets a network namespace first, for 'meshctl demo exec'.")
    static final class Apply extends FileCommand implements Runnable {
        @Override
        public void run() {
            DemoState state = DemoState.load(dir());
            Path dir = manifests(state);
            List<AppliedManifests.AppliedObject> objects = objects();
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new MeshCtlException("cannot create " + dir + ": " + e.getMessage(), e);
            }
            DemoState.Cluster c = state.cluster(cluster);
            List<AppliedManifests.AppliedObject> pods = DemoRunner.NFTABLES.equals(state.datapath()) ? objects.stream()
                    .filter(o -> DemoLayout.freePodAddress(c.id(), AppliedManifests.podIp(o))).toList() : List.of();
            if (!pods.isEmpty()) {
                DemoNetwork.requireRootFor(state, "applying a Pod (it makes the pod's network namespace)");
            }
            for (AppliedManifests.AppliedObject o : objects) {
                String ip = AppliedManifests.podIp(o);
                if (pods.contains(o)) {
                    // As a kubelet would, the pod's network exists before its address is reported (exported).
                    if (new NetworkSetup(state).appliedPod(c, ip)) {
                        System.out.println(cluster + ": pod " + o.name() + " " + ip + " in network namespace "
                                + DemoNetwork.podNsAt(state.netPrefix(), c.id(), ip));
                    }
                }
                String what = AppliedManifests.write(dir, o, file);
                System.out.println(cluster + ": " + o.display() + " " + what);
            }
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Remove from a demo cluster the objects of a file applied with 'meshctl demo apply' "
                    + "(matched by kind, namespace and name): meshctl demo delete cluster2 rebel-base-policy.yaml")
    static final class Delete extends FileCommand implements Runnable {
        @Option(names = "--ignore-not-found", description = "Skip objects that were not applied instead of failing.")
        boolean ignoreNotFound;

        @Override
        public void run() {
            DemoState state = DemoState.load(dir());
            Path dir = manifests(state);
            List<AppliedManifests.AppliedObject> objects = objects();
            List<String> missing = objects.stream().filter(o -> !AppliedManifests.exists(dir, o))
                    .map(AppliedManifests::describe).toList();
            if (!missing.isEmpty() && !ignoreNotFound) {
                throw new MeshCtlException(cluster + " has no applied " + String.join(", ", missing)
                        + "; nothing deleted (only objects put there with 'meshctl demo apply' can be deleted; "
                        + "--ignore-not-found skips missing ones)");
            }
            for (AppliedManifests.AppliedObject o : objects) {
                if (AppliedManifests.exists(dir, o)) {
                    AppliedManifests.remove(dir, o);
                    System.out.println(cluster + ": " + o.display() + " deleted");
                }
            }
        }
    }
}
