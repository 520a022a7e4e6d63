/**
 * A local mesh for end-to-end tests: each cluster a real etcd, a real packaged mesh-proxy process fed from a
 * manifest directory, certificates from one shared CA, and the per-cluster config files agents read; the
 * manifests the tests export ({@code Manifests}, the seed's {@code SeedManifests}) and the Quarkus test
 * properties the services' test environments share ({@code ServiceTestConfig}).
 */
package dev.clustermesh.testing.mesh;
