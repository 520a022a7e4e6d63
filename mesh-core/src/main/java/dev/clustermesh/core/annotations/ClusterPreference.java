package dev.clustermesh.core.annotations;

import dev.clustermesh.core.identity.ClusterIdentity;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code service.cilium.io/cluster-preference: "cluster3,cluster1"}: the clusters whose backends a global service
 * uses, in order of preference. Traffic goes to the first listed cluster with a usable backend, then the next;
 * clusters not listed come last, together, so a service never loses backends to the annotation. It is the
 * annotation form of KEP-5939's ordered {@code clusterSelectors}, by cluster name.
 */
public final class ClusterPreference {
    /** The annotation. */
    public static final String ANNOTATION = "service.cilium.io/cluster-preference";

    private ClusterPreference() {
    }

    /**
     * The ordered cluster names of {@code value} (comma-separated; blanks around names and empty entries ignored).
     *
     * @return empty with a reason when a name is not a valid cluster name or is listed twice (then the whole
     *         annotation is ignored: a half-read order would send traffic where nobody asked)
     */
    static Result parse(String value) {
        Set<String> names = new LinkedHashSet<>();
        for (String part : value.split(",", -1)) {
            String name = part.strip();
            if (name.isEmpty()) {
                continue;
            }
            Optional<String> problem = ClusterIdentity.nameProblem(name);
            if (problem.isPresent()) {
                return new Result(List.of(), problem.get() + "; the preference is ignored");
            }
            if (!names.add(name)) {
                return new Result(List.of(), "lists cluster '" + name + "' twice; the preference is ignored");
            }
        }
        if (names.isEmpty()) {
            return new Result(List.of(), "names no cluster; the preference is ignored");
        }
        return new Result(new ArrayList<>(names), null);
    }

    /**
     * What {@link #parse} read.
     *
     * @param clusters the clusters in order, empty when the value was refused
     * @param problem why it was refused, or null
     */
    record Result(List<String> clusters, String problem) {
        Result {
            clusters = List.copyOf(clusters);
        }
    }
}
