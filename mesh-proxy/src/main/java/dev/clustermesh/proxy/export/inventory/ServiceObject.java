package dev.clustermesh.proxy.export.inventory;

import java.util.List;
import java.util.Map;

/**
 * What the export needs of a Kubernetes Service.
 *
 * @param ref namespace and name
 * @param annotations the Service's annotations (global-service settings are read from them)
 * @param clusterIps spec.clusterIPs (or spec.clusterIP), without {@code None}
 * @param headless true when spec.clusterIP is {@code None}
 * @param ports spec.ports
 * @param resourceVersion metadata.resourceVersion, empty when unknown
 * @param type spec.type (ClusterIP when unset)
 * @param sessionAffinity spec.sessionAffinity (None when unset)
 * @param affinityTimeoutSeconds spec.sessionAffinityConfig.clientIP.timeoutSeconds with ClientIP affinity (10800,
 *     Kubernetes' default, when unset), 0 without
 * @param traffic spec.internalTrafficPolicy and spec.trafficDistribution
 */
public record ServiceObject(ObjectRef ref, Map<String, String> annotations, List<String> clusterIps,
        boolean headless, List<PortSpec> ports, String resourceVersion, String type, String sessionAffinity,
        int affinityTimeoutSeconds, Traffic traffic) {
    /**
     * How a Service asks its traffic to be spread.
     *
     * @param internalPolicy spec.internalTrafficPolicy, empty when unset (Cluster)
     * @param distribution spec.trafficDistribution, empty when unset
     */
    public record Traffic(String internalPolicy, String distribution) {
        /** Neither set. */
        public static final Traffic UNSET = new Traffic("", "");

        public Traffic {
            internalPolicy = internalPolicy == null ? "" : internalPolicy;
            distribution = distribution == null ? "" : distribution;
        }
    }

    /** Kubernetes' default ClientIP affinity timeout. */
    public static final int DEFAULT_AFFINITY_TIMEOUT = 10_800;

    public ServiceObject {
        annotations = Map.copyOf(annotations);
        clusterIps = List.copyOf(clusterIps);
        ports = List.copyOf(ports);
        resourceVersion = resourceVersion == null ? "" : resourceVersion;
        type = type == null || type.isEmpty() ? "ClusterIP" : type;
        sessionAffinity = sessionAffinity == null || sessionAffinity.isEmpty() ? "None" : sessionAffinity;
        affinityTimeoutSeconds = !"ClientIP".equals(sessionAffinity) ? 0
                : affinityTimeoutSeconds > 0 ? affinityTimeoutSeconds : DEFAULT_AFFINITY_TIMEOUT;
        traffic = traffic == null ? Traffic.UNSET : traffic;
    }

    /** A Service whose ClientIP affinity (if any) has the default timeout. */
    public ServiceObject(ObjectRef ref, Map<String, String> annotations, List<String> clusterIps, boolean headless,
            List<PortSpec> ports, String resourceVersion, String type, String sessionAffinity) {
        this(ref, annotations, clusterIps, headless, ports, resourceVersion, type, sessionAffinity, 0, Traffic.UNSET);
    }

    /** A ClusterIP Service without session affinity. */
    public ServiceObject(ObjectRef ref, Map<String, String> annotations, List<String> clusterIps, boolean headless,
            List<PortSpec> ports, String resourceVersion) {
        this(ref, annotations, clusterIps, headless, ports, resourceVersion, "ClusterIP", "None");
    }
}
