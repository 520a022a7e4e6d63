package dev.clustermesh.agent.datapath.routes;

/**
 * The VXLAN device of tunnel mode.
 *
 * @param device the device name (at most 15 characters)
 * @param vni the VXLAN network identifier, the same on every node of the mesh
 * @param port the UDP destination port, the same on every node (8472 is the Linux and Cilium default)
 * @param localIp this node's underlay address, the one other clusters see in its Node record
 * @param mtu the device MTU: the underlay's minus 50 bytes of VXLAN overhead
 */
public record TunnelOptions(String device, int vni, int port, String localIp, int mtu) {
}
