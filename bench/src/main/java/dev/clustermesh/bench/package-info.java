/**
 * JMH benchmarks of the mesh's hot paths. Each benchmark's numbers, machine and command are recorded in
 * docs/benchmarks.md; the scripts beside this module's pom run them.
 */
package dev.clustermesh.bench;
