package dev.clustermesh.core.identity;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The name and ID of one cluster in the mesh.
 *
 * <p>Name: a lowercase RFC 1123 DNS label ({@code [a-z0-9]([-a-z0-9]*[a-z0-9])?}) of at most
 * {@value #MAX_NAME_LENGTH} characters, because it becomes part of etcd keys, DNS names and certificate
 * CNs. ID: {@value #MIN_ID}..{@value #MAX_ID}, because it is carried in 8 bits of the datapath.
 *
 * @param name the cluster name
 * @param id the cluster ID
 * @throws InvalidClusterException from the constructor when either value is invalid, naming it
 */
public record ClusterIdentity(String name, int id) {
    /** Longest accepted cluster name. */
    public static final int MAX_NAME_LENGTH = 32;
    /** Smallest valid cluster ID. */
    public static final int MIN_ID = 1;
    /** Largest valid cluster ID. */
    public static final int MAX_ID = 255;

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    public ClusterIdentity {
        nameProblem(name).ifPresent(p -> {
            throw new InvalidClusterException(p);
        });
        idProblem(id).ifPresent(p -> {
            throw new InvalidClusterException(p);
        });
    }

    /**
     * Checks a cluster name without throwing.
     *
     * @return a message naming the field and value when the name is invalid, empty when it is valid
     */
    public static Optional<String> nameProblem(String name) {
        if (name == null || name.isEmpty()) {
            return Optional.of("cluster name must not be empty");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            return Optional.of("cluster name '" + name + "' is " + name.length()
                    + " characters long; at most " + MAX_NAME_LENGTH + " are allowed");
        }
        if (!DNS_LABEL.matcher(name).matches()) {
            return Optional.of("cluster name '" + name
                    + "' is not a lowercase DNS label (a-z, 0-9 and '-', starting and ending with a letter or digit)");
        }
        return Optional.empty();
    }

    /**
     * Checks a cluster ID without throwing.
     *
     * @return a message naming the field and value when the ID is out of range, empty when it is valid
     */
    public static Optional<String> idProblem(long id) {
        if (id < MIN_ID || id > MAX_ID) {
            return Optional.of("cluster id " + id + " is out of range; it must be between " + MIN_ID
                    + " and " + MAX_ID);
        }
        return Optional.empty();
    }

    /**
     * Parses a cluster ID given as text (a flag, a config file), naming the source in the error.
     *
     * @param source where the value came from, e.g. {@code "mesh.cluster.id"}
     * @throws InvalidClusterException when the text is not a number in range
     */
    public static int parseId(String source, String text) {
        long id;
        try {
            id = Long.parseLong(text == null ? "" : text.trim());
        } catch (NumberFormatException e) {
            throw new InvalidClusterException(source + ": cluster id '" + text + "' is not a number");
        }
        idProblem(id).ifPresent(p -> {
            throw new InvalidClusterException(source + ": " + p);
        });
        return (int) id;
    }

    @Override
    public String toString() {
        return name + " (id " + id + ")";
    }
}
