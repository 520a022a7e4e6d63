package dev.clustermesh.core.policy;

import java.net.InetAddress;

/** The policy program of one local endpoint: its address and identity, and what it enforces each way. */
public record EndpointProgram(String namespace, String pod, InetAddress ip, int identity, DirectionProgram ingress,
                              DirectionProgram egress) {
    public DirectionProgram direction(Direction d) {
        return d == Direction.INGRESS ? ingress : egress;
    }
}
