package dev.clustermesh.meshctl.agent;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.clustermesh.meshctl.cli.Durations;
import dev.clustermesh.meshctl.cli.MeshCtlException;
import dev.clustermesh.proto.agent.v1.Backend;
import dev.clustermesh.proto.agent.v1.ClusterStatus;
import dev.clustermesh.proto.agent.v1.GetStatusResponse;
import dev.clustermesh.proto.agent.v1.ListImportsResponse;
import dev.clustermesh.proto.agent.v1.ListServicesResponse;
import dev.clustermesh.proto.agent.v1.PropagationStage;
import dev.clustermesh.proto.agent.v1.Service;
import dev.clustermesh.proto.agent.v1.ServiceImport;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** How an agent's answers are shown: text shaped like Cilium's CLI, or JSON. */
public final class Views {
    private Views() {
    }

    /**
     * Polls until ready or {@code timeout}; prints a progress line to {@code progress} whenever what it waits for
     * changes, and at least every 5 s.
     */
    public static GetStatusResponse waitReady(AgentClient client, Duration timeout, PrintStream progress) {
        Instant start = Instant.now();
        Instant deadline = start.plus(timeout);
        String last = "";
        Instant lastPrinted = Instant.EPOCH;
        while (true) {
            GetStatusResponse status;
            String waitingFor;
            try {
                status = client.status();
                if (ready(status)) {
                    return status;
                }
                waitingFor = String.join("; ", problems(status));
            } catch (MeshCtlException e) {
                status = null;
                waitingFor = e.getMessage();
            }
            Instant now = Instant.now();
            if (!waitingFor.equals(last) || Duration.between(lastPrinted, now).toSeconds() >= 5) {
                progress.println("⌛ Waiting (" + Durations.format(Duration.between(start, now))
                        + ") for clusters to be ready: " + waitingFor);
                last = waitingFor;
                lastPrinted = now;
            }
            if (now.isAfter(deadline)) {
                if (status == null) {
                    throw new MeshCtlException("not ready after " + Durations.format(timeout) + ": " + waitingFor);
                }
                return status;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MeshCtlException("interrupted while waiting");
            }
        }
    }

    public static boolean ready(GetStatusResponse s) {
        return s.getReady() && !s.getClustersList().isEmpty()
                && s.getClustersList().stream().allMatch(c -> c.getConnected() && c.getReady());
    }

    public static List<String> problems(GetStatusResponse s) {
        List<String> out = new ArrayList<>();
        if (s.getClustersCount() == 0) {
            out.add("no cluster configured");
        }
        for (ClusterStatus c : s.getClustersList()) {
            if (!c.getConnected()) {
                out.add(c.getName() + " not connected" + (c.getLastFailure().isEmpty() ? ""
                        : " (" + c.getLastFailure() + ")"));
            } else if (!c.getReady()) {
                out.add(c.getName() + " connected, not synced yet (synced: "
                        + (c.getSyncedKindsCount() == 0 ? "nothing" : String.join(", ", c.getSyncedKindsList()))
                        + ")");
            }
        }
        if (out.isEmpty() && !s.getReady()) {
            // Behind is measured against the revision each cluster synced at, as readiness is: a change received
            // after it is not what keeps the agent unready.
            List<String> behind = s.getClustersList().stream()
                    .filter(c -> c.getRevisionProgrammed() < c.getRevisionSynced())
                    .map(c -> c.getName() + " at revision " + c.getRevisionProgrammed() + " of "
                            + c.getRevisionSynced() + " (synced)")
                    .toList();
            if (!behind.isEmpty()) {
                out.add("the datapath does not hold every synced cluster's state yet: " + String.join(", ", behind));
            } else if (s.getPolicyBehind()) {
                out.add("the network policy program does not hold every synced cluster's pods and policies yet "
                        + "(see meshctl policy list)");
            } else {
                out.add("the agent has not programmed its datapath yet");
            }
        }
        return out;
    }

    public static String json(com.google.protobuf.MessageOrBuilder message) {
        try {
            return JsonFormat.printer().alwaysPrintFieldsWithNoPresence().print(message);
        } catch (InvalidProtocolBufferException e) {
            throw new MeshCtlException("cannot render JSON: " + e.getMessage(), e);
        }
    }

    public static void printStatus(GetStatusResponse s, String address, PrintStream out) {
        printStatus(s, address, false, out);
    }

    /**
     * As above; {@code verbose} adds, per cluster, where its changes spend their time on the way to this agent's
     * datapath (export and cache as its proxy measured them, transit and applied as this agent did).
     */
    public static void printStatus(GetStatusResponse s, String address, boolean verbose, PrintStream out) {
        printStatus(s, address, verbose, CertificateWarnings.DEFAULT_WITHIN, out);
    }

    /** As above; warns about every certificate the agent relies on that expires within {@code certificateWarning}. */
    public static void printStatus(GetStatusResponse s, String address, boolean verbose, Duration certificateWarning,
            PrintStream out) {
        out.println("Cluster:  " + s.getCluster() + " (ID " + s.getClusterId() + "), node " + s.getNode()
                + ", agent " + address);
        long connected = s.getClustersList().stream().filter(ClusterStatus::getConnected).count();
        long synced = s.getClustersList().stream().filter(c -> c.getConnected() && c.getReady()).count();
        if (ready(s)) {
            out.println("✅ All " + s.getClustersCount() + " clusters connected and synced");
        } else {
            out.println("❌ " + connected + "/" + s.getClustersCount() + " clusters connected, " + synced + "/"
                    + s.getClustersCount() + " synced: " + String.join("; ", problems(s)));
        }
        out.println("🔌 Cluster Connections:");
        long now = System.currentTimeMillis();
        for (ClusterStatus c : s.getClustersList()) {
            StringBuilder line = new StringBuilder("  - ").append(c.getName()).append(" (ID ").append(c.getId())
                    .append(c.getLocal() ? ", local" : "").append("): ");
            if (c.getConnected()) {
                line.append(c.getReady() ? "connected, synced" : "connected, syncing");
                if (c.getConnectedSinceUnixMillis() > 0) {
                    line.append(" for ").append(Durations.format(Duration.ofMillis(now
                            - c.getConnectedSinceUnixMillis())));
                }
                line.append("; ").append(c.getNodes()).append(" nodes, ").append(c.getServices())
                        .append(" services, ").append(c.getEndpoints()).append(" endpoints");
                if (c.getHeartbeatAgeMillis() >= 0) {
                    line.append(", heartbeat ").append(Durations.format(Duration.ofMillis(c.getHeartbeatAgeMillis())))
                            .append(" ago");
                }
            } else {
                line.append("not connected");
            }
            if (!c.getFreshness().isEmpty()) {
                line.append("; ").append(c.getFreshness());
            }
            if (!c.getFreshnessReason().isEmpty() && !c.getFreshness().equals("pending")) {
                line.append(" (").append(c.getFreshnessReason()).append(")");
            }
            if (c.getRevisionReceived() > 0) {
                line.append("; revision ").append(c.getRevisionReceived());
                if (c.getRevisionProgrammed() >= c.getRevisionReceived()) {
                    line.append(" programmed");
                } else {
                    line.append(" received, ").append(c.getRevisionProgrammed()).append(" programmed");
                    if (c.getRevisionSynced() > 0) {
                        line.append(" (synced at ").append(c.getRevisionSynced()).append(")");
                    }
                }
                if (c.getOldestUnappliedMillis() >= 0) {
                    line.append(", oldest change unapplied for ")
                            .append(Durations.format(Duration.ofMillis(c.getOldestUnappliedMillis())));
                }
            }
            if (!c.getLastFailure().isEmpty()) {
                line.append("\n      last error");
                if (c.getLastFailureUnixMillis() > 0) {
                    line.append(" (").append(Durations.format(Duration.ofMillis(now - c.getLastFailureUnixMillis())))
                            .append(" ago)");
                }
                line.append(": ").append(c.getLastFailure());
            }
            if (verbose) {
                propagation(c, line);
            }
            out.println(line);
        }
        out.println("🔀 Global services: " + s.getGlobalServices());
        for (String w : CertificateWarnings.of(s, certificateWarning, java.time.Instant.now())) {
            out.println("⚠️  " + w);
        }
    }

    public static void printServices(ListServicesResponse response, boolean affinity, PrintStream out) {
        List<Service> services = new ArrayList<>(response.getServicesList());
        services.sort(Comparator.comparingInt(Service::getId));
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "Frontend", "Service", "Type", "Backend"});
        for (Service s : services) {
            String type = "ClusterIP" + (affinity && !s.getAffinity().isEmpty() && !"none".equals(s.getAffinity())
                    ? " (affinity " + s.getAffinity() + ")" : "");
            String svc = s.getNamespace() + "/" + s.getName();
            if (s.getBackendsCount() == 0) {
                rows.add(new String[] {Integer.toString(s.getId()), s.getFrontend(), svc, type, "(none)"});
                continue;
            }
            long slots = s.getBackendsList().stream().filter(Backend::getUsable).mapToLong(Backend::getWeight).sum();
            for (int i = 0; i < s.getBackendsCount(); i++) {
                Backend b = s.getBackends(i);
                StringBuilder be = new StringBuilder().append(i + 1).append(" => ").append(b.getAddress())
                        .append(" ").append(b.getCluster()).append(" (").append(b.getState()).append(")");
                if (affinity && b.getTier() > 0) {
                    be.append(" (tier ").append(b.getTier()).append(")");
                } else if (affinity && b.getPreferred()) {
                    be.append(" (preferred)");
                }
                if (!b.getUsable()) {
                    be.append(" (unused)");
                } else if (s.getGraded() && slots > 0) {
                    be.append(String.format(Locale.ROOT, " (share %.1f%%)", 100.0 * b.getWeight() / slots));
                }
                rows.add(i == 0 ? new String[] {Integer.toString(s.getId()), s.getFrontend(), svc, type, be.toString()}
                        : new String[] {"", "", "", "", be.toString()});
            }
        }
        int[] widths = new int[5];
        for (String[] r : rows) {
            for (int c = 0; c < 4; c++) {
                widths[c] = Math.max(widths[c], r[c].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < 4; c++) {
                line.append(String.format("%-" + (widths[c] + 3) + "s", r[c]));
            }
            out.println(line.append(r[4]).toString().stripTrailing());
        }
    }

    /**
     * One line per import: namespace/name, type, clusterset IPs, ports, exporting clusters, session affinity; and one
     * line of cluster selector tiers (KEP-5939) under an import that has them.
     */
    public static void printImports(ListImportsResponse response, PrintStream out) {
        if (response.getImportsCount() == 0) {
            out.println("No ServiceImports: no cluster of the mesh exports a service with a ServiceExport.");
            return;
        }
        String format = "%-32s %-13s %-16s %-28s %-24s %s%n";
        out.printf(format, "SERVICE", "TYPE", "IPS", "PORTS", "CLUSTERS", "AFFINITY");
        for (ServiceImport i : response.getImportsList()) {
            out.printf(format, i.getNamespace() + "/" + i.getName(), i.getType(),
                    i.getIpsCount() == 0 ? "-" : String.join(",", i.getIpsList()), String.join(", ", i.getPortsList()),
                    String.join(",", i.getClustersList()), i.getSessionAffinity());
            if (i.getClusterSelectorResultsCount() > 0) {
                List<String> tiers = new ArrayList<>();
                for (int t = 0; t < i.getClusterSelectorResultsCount(); t++) {
                    List<String> clusters = i.getClusterSelectorResults(t).getClustersList();
                    tiers.add((t + 1) + ": " + (clusters.isEmpty() ? "(none)" : String.join(",", clusters)));
                }
                out.println("  cluster selectors: " + String.join(" | ", tiers) + " | then: every exporting cluster");
            }
        }
    }

    /**
     * One line per measured stage, in order, e.g.
     * {@code export   p50 1.2ms    p99 4.0ms    max 9.1ms    (120 samples, proxy of c)}.
     */
    private static void propagation(ClusterStatus c, StringBuilder line) {
        if (c.getPropagationCount() == 0) {
            line.append("\n      propagation: no samples yet");
            return;
        }
        line.append("\n      propagation (source → datapath):");
        for (PropagationStage p : c.getPropagationList()) {
            line.append(String.format(Locale.ROOT, "%n        %-8s p50 %-8s p99 %-8s max %-8s (%d samples, %s)",
                    p.getStage(), micros(p.getP50Micros()), micros(p.getP99Micros()), micros(p.getMaxMicros()),
                    p.getSamples(), p.getMeasuredBy()));
        }
    }

    private static String micros(long us) {
        if (us < 1_000) {
            return us + "µs";
        }
        if (us < 1_000_000) {
            return String.format(Locale.ROOT, "%.1fms", us / 1000.0);
        }
        return String.format(Locale.ROOT, "%.1fs", us / 1_000_000.0);
    }
}
