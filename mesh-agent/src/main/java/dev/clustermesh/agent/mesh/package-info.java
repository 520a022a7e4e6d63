/**
 * The agent's core, plain Java so that tests can run several agents in one JVM: the clusters directory, the
 * merged mesh view, and the reconciler that turns every change into one datapath transaction.
 */
package dev.clustermesh.agent.mesh;
