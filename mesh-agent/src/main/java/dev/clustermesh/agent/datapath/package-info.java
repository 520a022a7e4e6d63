/**
 * Where the LB maps are programmed. A {@link dev.clustermesh.agent.datapath.Datapath} receives complete desired
 * states and applies each as one transaction, all or nothing; errors stay here and never flow back into the
 * watchers. The in-memory implementation records every transaction and dumps its state as text.
 */
package dev.clustermesh.agent.datapath;
