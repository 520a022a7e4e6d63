/**
 * Network policy core: Kubernetes {@code NetworkPolicy} and the L3/L4 subset of {@code CiliumNetworkPolicy}, with
 * Cilium 1.19 cluster-aware selectors. Pure functions only: no Kubernetes client, no etcd, no datapath.
 *
 * <p>Owns four steps, each a pure function over immutable records:
 * <ol>
 *   <li>{@link dev.clustermesh.core.policy.PolicyParser} turns one decoded object tree into a {@link
 *       dev.clustermesh.core.policy.PolicyStatus}: the policy, or its named {@link
 *       dev.clustermesh.core.policy.PolicyWarning}s. A policy with any warning is refused as a whole (as Cilium does)
 *       and never affects the others; parsing never throws for bad input.</li>
 *   <li>{@link dev.clustermesh.core.policy.PolicyEndpoint} and {@link dev.clustermesh.core.policy.MeshEndpoints}
 *       model the pods of every cluster, with their numeric identities.</li>
 *   <li>{@link dev.clustermesh.core.policy.PolicyEvaluator} decides one connection and names the policy rule that
 *       decided it (for {@code meshctl policy explain} and tests).</li>
 *   <li>{@link dev.clustermesh.core.policy.PolicyCompiler} turns a cluster's policies into a datapath-neutral
 *       {@link dev.clustermesh.core.policy.PolicyProgram}: per local endpoint and direction, allow and deny entries
 *       over peer identities or CIDRs, so remote pod churn only changes the program's ip→identity map.</li>
 * </ol>
 *
 * <p>Semantics decisions, the same in the evaluator and the compiler:
 * <ul>
 *   <li>CIDR peers ({@code ipBlock}, {@code fromCIDR}, {@code toCIDRSet}, ...) match only addresses outside the mesh
 *       ("world"), never a pod IP of any cluster, as in Cilium. Kubernetes leaves this implementation-defined.</li>
 *   <li>An address that is not a known pod but lies inside a pod CIDR gets the reserved identity
 *       {@link dev.clustermesh.core.policy.Identities#UNKNOWN}: selectors, entities and CIDR peers never match it; only
 *       a rule with no peer restriction at all ("from anywhere") does.</li>
 *   <li>A peer selector that does not name {@value dev.clustermesh.core.policy.PolicyEndpoint#CLUSTER_LABEL} selects
 *       only pods of the policy's own cluster unless {@link dev.clustermesh.core.policy.PolicyOptions#defaultLocalCluster()}
 *       is false. Namespace selectors match the namespace labels of the pod's own cluster.</li>
 *   <li>Deny rules beat allow rules; allows are a union; a pod is isolated for a direction once a policy that
 *       enforces that direction selects it.</li>
 * </ul>
 */
package dev.clustermesh.core.policy;
