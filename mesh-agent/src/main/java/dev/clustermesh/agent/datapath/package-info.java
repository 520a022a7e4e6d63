/**
 * Where the LB maps and routes are programmed. A {@link dev.clustermesh.agent.datapath.Datapath} receives complete
 * desired states and applies each as one transaction, all or nothing; errors stay here and never flow back into
 * the watchers. The in-memory implementation records every transaction and dumps its state as text; the nftables
 * one ({@code .nftables}, routes in {@code .routes}) programs the kernel of this process's or a named
 * {@link dev.clustermesh.agent.datapath.NetworkNamespace}.
 */
package dev.clustermesh.agent.datapath;
