/**
 * Cluster identity: the name and ID every cluster of a mesh carries, and the rules that make a set of
 * clusters a valid mesh.
 *
 * <p>Promises: a {@link dev.clustermesh.core.identity.ClusterIdentity} that exists is valid (name is a
 * lowercase DNS label of at most 32 characters, ID in 1..255); every validation error names the field and
 * the offending value; {@link dev.clustermesh.core.identity.MeshMembership} refuses duplicate names or IDs
 * and names both conflicting entries. Plain Java, no CDI, no I/O.
 */
package dev.clustermesh.core.identity;
