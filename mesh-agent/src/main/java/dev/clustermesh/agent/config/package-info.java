/** mesh-agent configuration: one {@code @ConfigMapping}, validated once into {@link dev.clustermesh.agent.mesh.AgentSettings}. */
package dev.clustermesh.agent.config;
