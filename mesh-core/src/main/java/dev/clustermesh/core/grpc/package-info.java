/** What the gRPC servers of the mesh (agent, proxy) share: the error mapping that never leaks a class name. */
package dev.clustermesh.core.grpc;
