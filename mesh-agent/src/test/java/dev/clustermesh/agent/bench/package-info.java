/** Benchmarks of the agent, run as mains from the test classpath; see bench/agent-propagation.sh. */
package dev.clustermesh.agent.bench;
