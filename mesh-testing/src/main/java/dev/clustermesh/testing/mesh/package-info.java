/**
 * A local mesh for end-to-end tests: each cluster a real etcd, a real packaged mesh-proxy process fed from a
 * manifest directory, certificates from one shared CA, and the per-cluster config files agents read.
 */
package dev.clustermesh.testing.mesh;
