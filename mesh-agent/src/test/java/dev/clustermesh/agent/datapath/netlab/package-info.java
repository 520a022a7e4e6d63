/**
 * Test networks of real network namespaces: nodes and pods on veth pairs, tiny backends answering with their
 * cluster's name, and cleanup that removes everything a run made (also what a killed earlier run left).
 */
package dev.clustermesh.agent.datapath.netlab;
