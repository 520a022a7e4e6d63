package dev.clustermesh.core.policy.cases;

import dev.clustermesh.core.policy.PolicyOptions;
import dev.clustermesh.core.policy.PolicySet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One scenario: clusters of e2e pods, the policy objects each cluster holds, and the expected reachability.
 *
 * @param name unique among the case files, e.g. {@code deny-all-ingress/two-clusters}
 * @param description what the case shows
 * @param clusters cluster names in id order
 * @param options the policy options the case runs with
 * @param namespaceLabels cluster → namespace → labels replacing the default ones
 * @param externals name → IP of addresses outside the mesh
 * @param policies cluster → the policy objects it holds, as decoded trees
 * @param refused the policies ({@code Kind ns/name}) the case expects to be refused; all others must apply
 * @param expectations the expected matrices
 */
public record PolicyCase(String name, String description, List<String> clusters, PolicyOptions options,
                         Map<String, Map<String, Map<String, String>>> namespaceLabels, Map<String, String> externals,
                         Map<String, List<Map<String, Object>>> policies, List<String> refused,
                         List<Expectation> expectations) {
    public PolicyCase {
        clusters = List.copyOf(clusters);
        namespaceLabels = Map.copyOf(namespaceLabels);
        externals = Map.copyOf(externals);
        policies = Map.copyOf(policies);
        refused = List.copyOf(refused);
        expectations = List.copyOf(expectations);
    }

    public NetpolTopology topology() {
        return NetpolTopology.build(clusters, namespaceLabels, externals);
    }

    /** One parsed policy set per cluster (empty for a cluster without policies). */
    public List<PolicySet> policySets() {
        List<PolicySet> out = new ArrayList<>();
        for (String c : clusters) {
            out.add(PolicySet.parse(c, policies.getOrDefault(c, List.of())));
        }
        return out;
    }

    @Override
    public String toString() {
        return name;
    }
}
