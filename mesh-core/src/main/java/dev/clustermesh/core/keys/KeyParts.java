package dev.clustermesh.core.keys;

import dev.clustermesh.core.identity.ClusterIdentity;
import dev.clustermesh.core.net.IpAddresses;
import java.util.regex.Pattern;

/** Validation of the parts that make up a key; each failure names the part and the value. */
final class KeyParts {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private KeyParts() {
    }

    static void cluster(String name) {
        ClusterIdentity.nameProblem(name).ifPresent(p -> {
            throw new IllegalArgumentException(p);
        });
    }

    /** A Kubernetes namespace or service name: RFC 1123 label, at most 63 characters. */
    static void label(String what, String value) {
        if (value == null || value.length() > 63 || !LABEL.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " '" + value + "' is not a DNS label of at most 63 characters");
        }
    }

    /** The parts of a per-service key: a cluster name, a namespace and a service name (both DNS labels). */
    static void service(String cluster, String namespace, String name) {
        cluster(cluster);
        label("namespace", namespace);
        label("service name", name);
    }

    /** A Kubernetes node name: RFC 1123 subdomain, at most 253 characters. */
    static void subdomain(String what, String value) {
        if (value == null || value.length() > 253 || !SUBDOMAIN.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " '" + value + "' is not a DNS subdomain of at most 253 characters");
        }
    }

    static void ip(String value) {
        if (!IpAddresses.isLiteral(value)) {
            throw new IllegalArgumentException("endpoint IP '" + value + "' is not an IPv4 or IPv6 literal");
        }
    }
}
