/**
 * {@code meshctl demo}: a local two-cluster mesh on this machine. It owns the demo's state directory (one
 * {@code demo.json} recording every process, network namespace and link it made, saved before each is made), the
 * processes it starts (etcd, mesh-proxy, mesh-agent, mesh-dns and, as root, the rebel-base pods' servers) and, as
 * root, the network namespaces named after the directory. It promises that {@code demo down} removes all of them,
 * after a failed {@code up} too, and touches nothing it did not record. Each cluster's manifest directory (what
 * its mesh-proxy exports) holds the demo's own files, rewritten whole and atomically on every change, and the
 * objects of {@code demo apply}, one atomically written file each, which only {@code demo delete} removes.
 */
package dev.clustermesh.meshctl.demo;
