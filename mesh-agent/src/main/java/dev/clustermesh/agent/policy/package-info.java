/**
 * Network policy in the agent: {@link dev.clustermesh.agent.policy.PolicyBook} keeps the mesh's endpoints and
 * this cluster's policies as they arrive, and on its own worker compiles them (mesh-core
 * {@code dev.clustermesh.core.policy}) into the program a {@link dev.clustermesh.agent.policy.PolicyDatapath}
 * enforces. Separate from the load-balancing reconciler on purpose: a slow or failing policy apply never holds
 * back service changes, and the other way round.
 */
package dev.clustermesh.agent.policy;
