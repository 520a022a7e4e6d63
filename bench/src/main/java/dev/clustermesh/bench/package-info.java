/**
 * JMH benchmarks of the mesh's hot paths, and load generators with a plain {@code main} for what JMH cannot
 * drive (the watch fan-out through etcd, grpc-proxy and mesh-proxy: {@link dev.clustermesh.bench.WatchFanoutBench}).
 * Each benchmark's numbers, machine and command are recorded in docs/benchmarks.md; the scripts beside this
 * module's pom run them.
 */
package dev.clustermesh.bench;
