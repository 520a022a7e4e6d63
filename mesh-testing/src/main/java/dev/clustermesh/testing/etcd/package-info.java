/**
 * Real etcd servers for integration tests.
 *
 * <p>This package owns the lifecycle of {@code etcd} processes started by tests: free loopback
 * ports, a temporary data directory, a log file, readiness, crash ({@code kill -9}) and restart
 * on the same data. It promises:
 * <ul>
 *   <li>a started {@link dev.clustermesh.testing.etcd.EtcdProcess} answers {@code /health} with
 *       {@code "true"} before {@code start} or {@code restart} returns, or they fail with the tail of
 *       the etcd log in the message;</li>
 *   <li>a missing {@code etcd} binary fails the test with the command that installs it; it never
 *       skips;</li>
 *   <li>{@link dev.clustermesh.testing.etcd.EtcdExtension} stops the process it started even when
 *       tests fail.</li>
 * </ul>
 * Tests talk to etcd through its real client API: {@code etcdctl} or jetcd.
 */
package dev.clustermesh.testing.etcd;
