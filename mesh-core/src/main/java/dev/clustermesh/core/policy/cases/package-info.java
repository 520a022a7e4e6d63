/**
 * The Kubernetes e2e {@code netpol} scenarios as data: namespaces x, y, z × pods a, b, c in one or more clusters,
 * policies per cluster, and the expected reachability matrix, loaded from YAML case files.
 *
 * <p>Public so every prober can share the same files: the evaluator and compiler tests in mesh-core, and later a
 * real-packet test that applies the same policies to agents and probes with TCP and UDP. A prober only implements
 * {@link dev.clustermesh.core.policy.cases.Reachability.Prober}; {@link
 * dev.clustermesh.core.policy.cases.Reachability#check} compares and prints e2e-style truth tables.
 *
 * <p>Depends on {@code dev.clustermesh.core.policy}, never the other way.
 */
package dev.clustermesh.core.policy.cases;
