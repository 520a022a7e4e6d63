/**
 * The connection to this cluster's own etcd, shared by the exporter (writes) and the API cache (one
 * upstream watch). One jetcd client per process, closed on shutdown.
 */
package dev.clustermesh.proxy.upstream;
