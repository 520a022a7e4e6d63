/**
 * Connecting to etcd (or to a mesh-proxy, which speaks the same API) with jetcd, with or without TLS.
 * TLS material is configuration: paths to PEM files, never code.
 */
package dev.clustermesh.core.etcd;
