package dev.clustermesh.agent.policy;

import dev.clustermesh.core.net.IpAddresses;
import dev.clustermesh.core.policy.NamedPort;
import dev.clustermesh.core.policy.PolicyEndpoint;
import dev.clustermesh.core.policy.Protocol;
import dev.clustermesh.proto.mesh.v1.Endpoint;
import dev.clustermesh.proto.mesh.v1.Port;
import java.net.InetAddress;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** An exported endpoint (mesh/v1/endpoints/...) as the policy compiler sees it. */
final class Endpoints {
    private Endpoints() {
    }

    /**
     * The policy view of {@code e}, or empty with the reason unset when it cannot take part in policy (no
     * identity allocated, an address that does not parse): such a pod is matched by no selector.
     */
    static Optional<PolicyEndpoint> of(String cluster, Endpoint e) {
        Optional<InetAddress> ip = IpAddresses.parse(e.getIp());
        if (ip.isEmpty() || e.getIdentity() == 0) {
            return Optional.empty();
        }
        Map<String, NamedPort> named = new TreeMap<>();
        for (Port p : e.getNamedPortsList()) {
            Protocol protocol = switch (p.getProtocol()) {
                case UDP -> Protocol.UDP;
                case SCTP -> Protocol.SCTP;
                default -> Protocol.TCP;
            };
            if (!p.getName().isEmpty() && p.getPort() > 0 && p.getPort() <= 65535) {
                named.putIfAbsent(p.getName(), new NamedPort(p.getPort(), protocol));
            }
        }
        return Optional.of(new PolicyEndpoint(cluster, e.getNamespace(), e.getPod(), ip.get(), e.getLabelsMap(),
                e.getNamespaceLabelsMap(), named, (int) e.getIdentity()));
    }
}
