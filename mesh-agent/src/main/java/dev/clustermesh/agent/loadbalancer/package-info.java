/**
 * The agent's load-balancing maps, modelled on Cilium's: a services map (frontend address/protocol/port to
 * ordered backend slots, the usable ones first) and a backends map (ID to address, port, protocol, cluster
 * and state). {@link dev.clustermesh.agent.loadbalancer.LbCompute} derives the whole desired state from a mesh
 * snapshot with a pure function; IDs stay stable for as long as their frontend or backend exists.
 *
 * <p>Deviation from DESIGN.md: "preferred" is kept on the service's slot, not on the backend, because one
 * backend may sit behind two global services with different affinity.
 */
package dev.clustermesh.agent.loadbalancer;
