package dev.clustermesh.agent.chaos;

import dev.clustermesh.core.remote.RemoteClusterOptions;
import dev.clustermesh.testing.FreePorts;
import dev.clustermesh.testing.mesh.ServiceProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The campaign's mesh-dns servers, one packaged mesh-dns process per cluster joining the mesh through the same
 * clusters directory (and so the same relays) as that cluster's agents, asked over UDP with dnsjava. Answers are
 * written as the oracle writes them ({@link ChaosModel#expectedDns}): {@code NXDOMAIN}, or the A records' addresses
 * sorted ({@code []} for a name without addresses).
 */
final class ChaosDns implements AutoCloseable {
    static final String SUFFIX = ".default.svc.clusterset.local";
    private final Map<Integer, ServiceProcess> servers = new TreeMap<>();
    private final Map<Integer, SimpleResolver> resolvers = new HashMap<>();

    /** Starts cluster {@code c}'s mesh-dns for c in 1..{@code clusters}, each ready (listening, clusters synced). */
    ChaosDns(Path dir, int clusters, RemoteClusterOptions options) {
        try {
            for (int c = 1; c <= clusters; c++) {
                int port = FreePorts.next();
                int management = FreePorts.next();
                Map<String, String> p = new TreeMap<>();
                p.put("mesh.cluster.name", "cluster" + c);
                p.put("mesh.clusters.dir", dir.resolve("agents-" + c).toString());
                p.put("mesh.clusters.poll-interval", "200ms");
                p.put("mesh.clusters.ttl", options.ttl().toMillis() + "ms");
                p.put("mesh.clusters.stale-after", options.staleAfter().toMillis() + "ms");
                p.put("mesh.clusters.request-timeout", options.requestTimeout().toMillis() + "ms");
                p.put("mesh.clusters.max-backoff", options.maxBackoff().toMillis() + "ms");
                p.put("mesh.dns.host", "127.0.0.1");
                p.put("mesh.dns.port", Integer.toString(port));
                p.put("mesh.dns.udp-sockets", "1");
                p.put("quarkus.management.port", Integer.toString(management));
                servers.put(c, ServiceProcess.start("mesh-dns", p, management, dir.resolve("mesh-dns-" + c + ".log"),
                        "128m"));
                SimpleResolver r = new SimpleResolver(InetAddress.getLoopbackAddress());
                r.setPort(port);
                r.setTimeout(Duration.ofSeconds(1));
                resolvers.put(c, r);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    ServiceProcess server(int c) {
        return servers.get(c);
    }

    List<ServiceProcess> servers() {
        return new ArrayList<>(servers.values());
    }

    /**
     * Cluster {@code c}'s mesh-dns's answer to an A query for {@code name}: NXDOMAIN, or the sorted addresses; null
     * when it does not answer (down, or another rcode).
     */
    String answer(int c, String name) {
        if (!servers.get(c).isAlive()) {
            return null;
        }
        try {
            Message q = Message.newQuery(Record.newRecord(Name.fromString(name + "."), Type.A, DClass.IN));
            Message r = resolvers.get(c).send(q);
            if (r.getRcode() == Rcode.NXDOMAIN) {
                return "NXDOMAIN";
            }
            if (r.getRcode() != Rcode.NOERROR) {
                return null;
            }
            Set<String> out = new TreeSet<>();
            for (Record rec : r.getSection(Section.ANSWER)) {
                if (rec instanceof ARecord a) {
                    out.add(a.getAddress().getHostAddress());
                }
            }
            return out.toString();
        } catch (TextParseException e) {
            throw new IllegalArgumentException(name, e);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Every name the oracle has an answer for, asked of cluster {@code c}'s mesh-dns, in order; the names after one
     * it did not answer are left out (each would wait for the timeout too).
     */
    Map<String, String> answers(int c, Set<String> names) {
        Map<String, String> out = new TreeMap<>();
        for (String n : names) {
            String a = answer(c, n);
            if (a == null) {
                break;
            }
            out.put(n, a);
        }
        return out;
    }

    /**
     * What cluster {@code c}'s mesh-dns sends traffic for each service to, as the agents' usable backends are
     * written: service name -> "cluster/ClusterIP" of each address its service name answers (empty for NXDOMAIN or
     * no address; a name not answered is left out).
     */
    Map<String, Set<String>> usable(int c, int services) {
        Map<String, Set<String>> out = new TreeMap<>();
        for (int k = 0; k < services; k++) {
            String a = answer(c, ChaosModel.name(k) + SUFFIX);
            if (a == null) {
                break; // not answered: nothing to judge, and the next would wait for the timeout too
            }
            Set<String> set = new TreeSet<>();
            if (!a.equals("NXDOMAIN") && a.length() > 2) {
                for (String ip : a.substring(1, a.length() - 1).split(", ")) {
                    set.add(ChaosModel.clusterOfClusterIp(ip) + "/" + ip);
                }
            }
            out.put(ChaosModel.name(k), set);
        }
        return out;
    }

    @Override
    public void close() {
        servers.values().forEach(ServiceProcess::close);
    }
}
