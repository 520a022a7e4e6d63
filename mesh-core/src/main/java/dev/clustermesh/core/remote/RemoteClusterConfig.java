package dev.clustermesh.core.remote;

import dev.clustermesh.core.etcd.TlsFiles;
import dev.clustermesh.core.identity.ClusterIdentity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * How to reach one cluster's mesh-proxy: the file {@code <cluster>} in the clusters directory (a mounted
 * Secret), in the layout Cilium uses for its clustermesh secrets:
 *
 * <pre>
 * endpoints:
 * - https://cluster2.mesh.example:2379
 * trusted-ca-file: /var/lib/mesh/clusters/cluster2.ca.crt
 * cert-file: /var/lib/mesh/clusters/cluster2.client.crt
 * key-file: /var/lib/mesh/clusters/cluster2.client.key
 * </pre>
 *
 * Relative file paths are resolved against the directory holding the config file.
 *
 * @param name the cluster name (the file name)
 * @param endpoints the proxy URLs, {@code https://} for mTLS
 * @param tls CA, client certificate and key
 */
public record RemoteClusterConfig(String name, List<String> endpoints, TlsFiles tls) {

    public RemoteClusterConfig {
        endpoints = List.copyOf(endpoints);
    }

    /**
     * Reads and validates a cluster config file.
     *
     * @throws InvalidConfigException naming the file and every problem found
     */
    public static RemoteClusterConfig read(Path file) {
        String name = file.getFileName().toString();
        List<String> errors = new ArrayList<>();
        ClusterIdentity.nameProblem(name).ifPresent(p -> errors.add("file name: " + p));
        Map<?, ?> doc = load(file);
        List<String> endpoints = endpoints(doc.get("endpoints"), errors);
        Path dir = file.toAbsolutePath().getParent();
        Optional<Path> ca = path(doc, "trusted-ca-file", dir, errors);
        Optional<Path> cert = path(doc, "cert-file", dir, errors);
        Optional<Path> key = path(doc, "key-file", dir, errors);
        if (ca.isEmpty()) {
            errors.add("trusted-ca-file is required");
        }
        if (cert.isEmpty() || key.isEmpty()) {
            errors.add("cert-file and key-file are required (the proxy requires a client certificate)");
        }
        if (!errors.isEmpty()) {
            throw new InvalidConfigException(file + ": " + String.join("; ", errors));
        }
        return new RemoteClusterConfig(name, endpoints, new TlsFiles(ca.get(), cert, key));
    }

    private static Map<?, ?> load(Path file) {
        try {
            Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
            if (!(doc instanceof Map<?, ?> map)) {
                throw new InvalidConfigException(file + ": expected a YAML mapping with endpoints, "
                        + "trusted-ca-file, cert-file and key-file");
            }
            return map;
        } catch (IOException e) {
            throw new InvalidConfigException(file + ": cannot be read: " + e.getMessage());
        } catch (YAMLException e) {
            throw new InvalidConfigException(file + ": not valid YAML: " + e.getMessage().replace('\n', ' '));
        }
    }

    private static List<String> endpoints(Object value, List<String> errors) {
        if (!(value instanceof List<?> list) || list.isEmpty()) {
            errors.add("endpoints must be a non-empty list of https:// URLs");
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Object o : list) {
            String s = String.valueOf(o);
            if (!s.startsWith("https://") && !s.startsWith("http://")) {
                errors.add("endpoint '" + s + "' is not an http(s):// URL");
            }
            out.add(s);
        }
        return out;
    }

    private static Optional<Path> path(Map<?, ?> doc, String field, Path dir, List<String> errors) {
        Object v = doc.get(field);
        if (v == null) {
            return Optional.empty();
        }
        Path p = dir.resolve(String.valueOf(v));
        if (!Files.isReadable(p)) {
            errors.add(field + " '" + p + "' is not readable");
        }
        return Optional.of(p);
    }
}
