/**
 * The commands that ask one node's agent ({@code meshctl status}, {@code meshctl service list},
 * {@code meshctl policy list/explain}, {@code meshctl endpoint list}) and how they choose it ({@code --agent}, or
 * {@code --context} of the local demo). Apart from {@code meshctl.agent} (the client and the views) so that the
 * demo, which also uses the client, and these commands, which read the demo's state, do not depend on each other
 * in a cycle.
 */
package dev.clustermesh.meshctl.agent.commands;
