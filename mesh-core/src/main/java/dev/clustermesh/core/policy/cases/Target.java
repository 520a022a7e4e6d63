package dev.clustermesh.core.policy.cases;

import java.net.InetAddress;
import java.util.Optional;

/**
 * One row or column of a reachability matrix: a pod ({@code cluster/namespace/pod}) or an external address
 * outside the mesh (a bare name).
 */
public record Target(String name, InetAddress ip, Optional<String> cluster) {
    public boolean isPod() {
        return cluster.isPresent();
    }

    /**
     * Whether {@code pattern} names this target: {@code *} names every target; {@code c/ns/pod} with {@code *} for
     * any segment names pods; a bare name names the external of that name.
     */
    public boolean matches(String pattern) {
        if (pattern.equals("*")) {
            return true;
        }
        String[] p = pattern.split("/", -1);
        String[] n = name.split("/", -1);
        if (p.length != n.length) {
            return false;
        }
        for (int i = 0; i < p.length; i++) {
            if (!p[i].equals("*") && !p[i].equals(n[i])) {
                return false;
            }
        }
        return true;
    }
}
