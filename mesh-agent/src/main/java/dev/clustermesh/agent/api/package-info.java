/**
 * The agent's node-local gRPC API ({@code mesh.agent.v1.Agent}: status, service list, policy list, policy
 * endpoints and policy explain), its health check and metrics. Requests are validated at the edge; errors carry a
 * description for people, never a class name.
 */
package dev.clustermesh.agent.api;
