package dev.clustermesh.core.identity;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A set of clusters that may form one mesh: names and IDs are unique.
 *
 * @param members the clusters, in the order they were given
 */
public record MeshMembership(List<ClusterIdentity> members) {

    public MeshMembership {
        members = List.copyOf(members);
        List<String> problems = conflicts(members);
        if (!problems.isEmpty()) {
            throw new InvalidClusterException(String.join("; ", problems));
        }
    }

    /**
     * Lists every duplicate name and duplicate ID, each message naming both conflicting entries.
     *
     * @return the conflicts in input order; empty when the clusters can form a mesh
     */
    public static List<String> conflicts(List<ClusterIdentity> members) {
        List<String> problems = new ArrayList<>();
        Map<String, ClusterIdentity> byName = new HashMap<>();
        Map<Integer, ClusterIdentity> byId = new HashMap<>();
        for (ClusterIdentity c : members) {
            ClusterIdentity sameName = byName.putIfAbsent(c.name(), c);
            if (sameName != null) {
                problems.add("duplicate cluster name '" + c.name() + "': " + sameName + " and " + c);
            }
            ClusterIdentity sameId = byId.putIfAbsent(c.id(), c);
            // The same entry twice is one conflict (its name), not two.
            if (sameId != null && !sameId.name().equals(c.name())) {
                problems.add("duplicate cluster id " + c.id() + ": " + sameId + " and " + c);
            }
        }
        return List.copyOf(problems);
    }

    /**
     * Returns a membership with {@code candidate} added.
     *
     * @throws InvalidClusterException when the candidate's name or ID is already taken, naming both entries
     */
    public MeshMembership with(ClusterIdentity candidate) {
        List<ClusterIdentity> next = new ArrayList<>(members);
        next.add(candidate);
        return new MeshMembership(next);
    }
}
