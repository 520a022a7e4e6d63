/**
 * The agent's node-local gRPC API ({@code mesh.agent.v1.Agent}: status and service list), its health check and
 * metrics. Requests are validated at the edge; errors carry a description for people, never a class name.
 */
package dev.clustermesh.agent.api;
