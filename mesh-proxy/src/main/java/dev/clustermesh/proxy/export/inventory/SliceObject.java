package dev.clustermesh.proxy.export.inventory;

import java.util.List;

/**
 * What the export needs of a discovery/v1 EndpointSlice.
 *
 * @param ref namespace and name of the slice
 * @param serviceName the owning Service (label {@code kubernetes.io/service-name}), empty when unlabelled
 * @param ports the slice's ports (targets, matched to service ports by name)
 * @param endpoints the slice's endpoints
 */
public record SliceObject(ObjectRef ref, String serviceName, List<PortSpec> ports, List<SliceEndpoint> endpoints) {
    /** The label that ties a slice to its Service. */
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    public SliceObject {
        serviceName = serviceName == null ? "" : serviceName;
        ports = List.copyOf(ports);
        endpoints = List.copyOf(endpoints);
    }

    /** The Service this slice belongs to. */
    public ObjectRef service() {
        return new ObjectRef(ref.namespace(), serviceName);
    }
}
