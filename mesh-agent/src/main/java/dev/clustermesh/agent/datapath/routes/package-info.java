/**
 * Routes to remote clusters' pod CIDRs: native (via the remote node), VXLAN tunnel (one device, an FDB entry
 * and neighbour per remote node) or none. Owns the routes marked {@code proto 201} and the tunnel device; the
 * command lines are rendered by pure functions, every step is idempotent, and a full sync reads the kernel back
 * and prunes, so a failed apply is repaired by the next one.
 */
package dev.clustermesh.agent.datapath.routes;
