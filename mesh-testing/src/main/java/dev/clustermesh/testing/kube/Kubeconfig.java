package dev.clustermesh.testing.kube;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/** Writes kubeconfig files for test clusters: one context {@code kind-<name>} per cluster, admin token auth. */
public final class Kubeconfig {
    private Kubeconfig() {
    }

    /** Writes a kubeconfig with one admin context per cluster; the first is the current context. */
    public static Path write(Path file, List<KubeCluster> clusters) {
        StringBuilder y = new StringBuilder("apiVersion: v1\nkind: Config\nclusters:\n");
        for (KubeCluster c : clusters) {
            // The API server's certificate is self-signed by itself (--cert-dir); loopback test clusters only.
            y.append("- name: ").append(c.spec().context()).append("\n  cluster:\n    server: ").append(c.server())
                    .append("\n    insecure-skip-tls-verify: true\n");
        }
        y.append("users:\n");
        clusters.forEach(c -> y.append("- name: ").append(c.spec().context()).append("\n  user:\n    token: ")
                .append(c.adminToken()).append('\n'));
        y.append("contexts:\n");
        clusters.forEach(c -> y.append("- name: ").append(c.spec().context()).append("\n  context:\n    cluster: ")
                .append(c.spec().context()).append("\n    user: ").append(c.spec().context()).append('\n'));
        y.append("current-context: ").append(clusters.get(0).spec().context()).append('\n');
        return writeOwnerOnly(file, y.toString());
    }

    /**
     * A kubeconfig for one identity (e.g. a ServiceAccount token) on one cluster, with a namespace; {@code server}
     * is the cluster's address or a relay in front of it.
     */
    public static Path writeToken(Path file, KubeCluster cluster, String server, String token, String namespace) {
        String ctx = cluster.spec().context();
        return writeOwnerOnly(file, "apiVersion: v1\nkind: Config\nclusters:\n- name: " + ctx + "\n  cluster:\n"
                + "    server: " + server + "\n    insecure-skip-tls-verify: true\nusers:\n- name: token\n"
                + "  user:\n    token: " + token + "\ncontexts:\n- name: " + ctx + "\n  context:\n    cluster: " + ctx
                + "\n    user: token\n    namespace: " + namespace + "\ncurrent-context: " + ctx + "\n");
    }

    private static Path writeOwnerOnly(Path file, String text) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, text);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
