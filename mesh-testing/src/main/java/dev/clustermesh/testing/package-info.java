/**
 * Test support shared by every ClusterMesh/J module.
 *
 * <p>This package owns {@link dev.clustermesh.testing.Binaries}: finding the real host tools that
 * integration tests drive ({@code etcd}, {@code etcdctl}, {@code nft}, {@code dig}, {@code ip},
 * {@code openssl}). It promises that a missing tool fails the test loudly with the command that
 * installs it; it never turns into a skipped test.
 *
 * <p>Sub-packages: {@code etcd} runs real etcd processes, {@code tls} writes certificates.
 */
package dev.clustermesh.testing;
