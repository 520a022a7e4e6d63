package dev.clustermesh.proxy.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Everything an operator sets for mesh-proxy, under the {@code mesh.} prefix. */
@ConfigMapping(prefix = "mesh")
public interface ProxyConfig {

    /** This cluster's identity and address ranges. */
    Cluster cluster();

    /** The cluster's own etcd, which the exporter writes and the API serves. */
    Etcd etcd();

    /** The exporter: source of Kubernetes state, election, heartbeat. */
    Export export();

    /** The read-only etcd v3 API. */
    Api api();

    /** Which other clusters may read: the access list. */
    Access access();

    /** The Multi-Cluster Services API (ServiceExport/ServiceImport). */
    Mcs mcs();

    interface Mcs {
        /**
         * Where this cluster's clusterset IPs come from (one per imported ClusterSetIP service). Must not overlap the
         * pod and service CIDRs; only this cluster's nodes route it, so every cluster may use the same one.
         * {@code none}: imports get no clusterset IP.
         */
        @WithDefault("10.254.0.0/16")
        String clustersetCidr();

        /**
         * The clusters directory (one file per cluster, as the agents' {@code mesh.clusters.dir}) this proxy follows
         * to learn what the other clusters export with ServiceExports. Unset: this cluster imports only its own
         * exports.
         */
        Optional<Path> clustersDir();
    }

    interface Access {
        /**
         * The access list file (YAML, see {@code dev.clustermesh.proxy.access.AccessList}); re-read while running.
         * Unset: every {@code remote-<cluster>} certificate of the mesh CA may read.
         */
        Optional<Path> file();

        /** How often the file is checked for changes. */
        @WithDefault("1s")
        Duration checkInterval();

        /**
         * How often the API's TLS files (server certificate, key, CA bundle) are checked for changes; changed
         * files apply to new connections without a restart.
         */
        @WithDefault("1s")
        Duration tlsCheckInterval();
    }

    interface Cluster {
        /** Cluster name: lowercase DNS label, at most 32 characters. */
        String name();

        /** Cluster ID, 1..255. */
        String id();

        /** Pod CIDRs announced in the ClusterConfig. */
        Optional<List<String>> podCidrs();

        /** Service CIDRs announced in the ClusterConfig. */
        Optional<List<String>> serviceCidrs();
    }

    interface Etcd {
        /** etcd client URLs, e.g. {@code http://127.0.0.1:2379}. */
        List<String> endpoints();

        /** CA that signed etcd's server certificate (PEM), when etcd uses TLS. */
        Optional<Path> caFile();

        /** Client certificate (PEM) for etcd. */
        Optional<Path> certFile();

        /** Client key (PEM, PKCS#8) for etcd. */
        Optional<Path> keyFile();

        /** Time allowed for one etcd request before it is retried. */
        @WithDefault("10s")
        Duration requestTimeout();
    }

    interface Export {
        /** Where Kubernetes state comes from: {@code kubernetes}, {@code directory} or {@code none}. */
        @WithDefault("kubernetes")
        String source();

        /** Directory of Service/EndpointSlice/Node YAML manifests, with {@code source=directory}. */
        Optional<Path> directory();

        /** How often the leader refreshes the heartbeat key. */
        @WithDefault("10s")
        Duration heartbeatInterval();

        /** TTL of the election lease: a dead leader is replaced within this time. */
        @WithDefault("15s")
        Duration leaseTtl();

        /** Name of this replica in the election; defaults to the host name. */
        Optional<String> identity();

        /** Most operations per etcd transaction (etcd's --max-txn-ops defaults to 128). */
        @WithDefault("128")
        int maxTxnOps();

        /**
         * Regular expressions (whole-key match) of pod and namespace label keys left out of security
         * identities; unset means the default list (per-replica and per-run controller labels). Every cluster
         * of a mesh must use the same list.
         */
        Optional<List<String>> identityLabelExclude();

        /** How long an identity no pod uses any more stays allocated (a pod with its labels gets it back). */
        @WithDefault("60s")
        Duration identityReleaseGrace();
    }

    interface Api {
        /** Events kept in memory to serve watches that start at an older revision and reads at past revisions. */
        @WithDefault("100000")
        int historySize();

        /** Bytes those events may weigh (encoded size, values and previous values included). */
        @WithDefault("32M")
        MemorySize historyBytes();

        /** How often the upstream watch is asked for progress, so the revision stays current without events. */
        @WithDefault("1s")
        Duration upstreamProgressInterval();

        /** Interval of progress notifications to watches that asked for them. */
        @WithDefault("10m")
        Duration progressNotifyInterval();

        /**
         * Bytes of responses a watch stream may have queued while its client does not read; a stream further
         * behind drops its queue and catches up from the history.
         */
        @WithDefault("4M")
        MemorySize watchQueueBytes();

        /** Bytes of responses all watch streams together may have queued; past it, streams catch up likewise. */
        @WithDefault("24M")
        MemorySize watchQueueTotalBytes();
    }
}
