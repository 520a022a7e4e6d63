package dev.clustermesh.meshctl.agent;

import dev.clustermesh.proto.agent.v1.ExplainPolicyResponse;
import dev.clustermesh.proto.agent.v1.ListPoliciesResponse;
import dev.clustermesh.proto.agent.v1.ListPolicyEndpointsResponse;
import dev.clustermesh.proto.agent.v1.Policy;
import dev.clustermesh.proto.agent.v1.PolicyDecision;
import dev.clustermesh.proto.agent.v1.PolicyEndpoint;
import dev.clustermesh.proto.agent.v1.PolicyWarning;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** How an agent's policy answers are shown as text: tables shaped like {@code cilium endpoint list}. */
public final class PolicyViews {
    private PolicyViews() {
    }

    /** One row per policy, one more per further warning; then what policy left out and the last failure. */
    public static void printPolicies(ListPoliciesResponse r, PrintStream out) {
        long applied = r.getPoliciesList().stream().filter(p -> "applied".equals(p.getState())).count();
        out.println("Cluster " + r.getCluster() + ": " + applied + " applied, " + (r.getPoliciesCount() - applied)
                + " refused" + (r.getAppliedUnixMillis() == 0 ? " (no program applied yet)" : ""));
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAMESPACE", "NAME", "KIND", "STATE", "WARNINGS"});
        for (Policy p : r.getPoliciesList()) {
            List<PolicyWarning> warnings = p.getWarningsList();
            rows.add(new String[] {p.getNamespace(), p.getName(), p.getKind(), p.getState(),
                warnings.isEmpty() ? "" : warning(warnings.get(0))});
            for (int i = 1; i < warnings.size(); i++) {
                rows.add(new String[] {"", "", "", "", warning(warnings.get(i))});
            }
        }
        table(rows, out);
        r.getProblemsList().forEach(p -> out.println("Left out: " + p));
        if (!r.getLastFailure().isEmpty()) {
            out.println("Last apply failed: " + r.getLastFailure());
        }
    }

    private static String warning(PolicyWarning w) {
        return w.getPath() + ": " + w.getReason();
    }

    /** One row per local pod: its identity, what each direction enforces and its labels. */
    public static void printEndpoints(ListPolicyEndpointsResponse r, PrintStream out) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAMESPACE", "POD", "IP", "IDENTITY", "POLICY (ingress)", "POLICY (egress)",
            "ENTRIES in/out (allow/deny)", "LABELS"});
        for (PolicyEndpoint e : r.getEndpointsList()) {
            String labels = new TreeMap<>(e.getLabelsMap()).entrySet().stream()
                    .map(l -> l.getKey() + "=" + l.getValue()).collect(Collectors.joining(","));
            rows.add(new String[] {e.getNamespace(), e.getPod(), e.getIp(), Integer.toUnsignedString(e.getIdentity()),
                e.getIngressEnforced() ? "Enabled" : "Disabled", e.getEgressEnforced() ? "Enabled" : "Disabled",
                e.getIngressAllows() + "/" + e.getIngressDenies() + " " + e.getEgressAllows() + "/"
                        + e.getEgressDenies(), labels});
        }
        table(rows, out);
    }

    /**
     * ALLOWED or DENIED with both directions and the rule that decided each. When a direction is decided in
     * another cluster, ALLOWED says it covers only what this cluster decides.
     */
    public static void printExplanation(String from, String to, String port, ExplainPolicyResponse r,
            PrintStream out) {
        String verdict = r.getAllowed() ? "ALLOWED" : "DENIED";
        if (r.getAllowed() && !r.getEgress().getKnown() && !r.getIngress().getKnown()) {
            verdict = "NOT DECIDED HERE (egress at " + r.getEgress().getCluster() + ", ingress at "
                    + r.getIngress().getCluster() + ": neither is known to this agent)";
        } else if (r.getAllowed() && !r.getComplete()) {
            String unknown = !r.getEgress().getKnown() ? "egress at " + r.getEgress().getCluster()
                    : "ingress at " + r.getIngress().getCluster();
            verdict += " by " + (r.getEgress().getKnown() ? r.getEgress() : r.getIngress()).getCluster()
                    + "'s policies (" + unknown + " is not known here)";
        }
        out.println(verdict + ": " + from + " (" + r.getSourceIp() + ") -> " + to + " (" + r.getDestinationIp()
                + ") " + port);
        out.println("  egress:  " + decision(r.getEgress()));
        out.println("  ingress: " + decision(r.getIngress()));
    }

    /** The agent's reason, which names the deciding policy and rule ("allowed by NetworkPolicy x/a ingress[0]"). */
    private static String decision(PolicyDecision d) {
        return (d.getKnown() ? "" : "NOT KNOWN HERE: ") + d.getReason();
    }

    /** Columns padded to their widest cell, three spaces apart, the last one unpadded. */
    static void table(List<String[]> rows, PrintStream out) {
        int columns = rows.get(0).length;
        int[] widths = new int[columns];
        for (String[] r : rows) {
            for (int c = 0; c < columns - 1; c++) {
                widths[c] = Math.max(widths[c], r[c].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns - 1; c++) {
                line.append(r[c]).append(" ".repeat(widths[c] - r[c].length() + 3));
            }
            out.println(line.append(r[columns - 1]).toString().stripTrailing());
        }
    }
}
