/**
 * The key layout of a cluster's etcd: every key the mesh writes or reads, built and parsed by one type.
 *
 * <p>Promises: {@link dev.clustermesh.core.keys.KeyLayout#parse} accepts exactly the keys the builders
 * produce (round trip), and rejects anything else with a {@link dev.clustermesh.core.keys.MalformedKeyException}
 * that says what is wrong. The prefixes a remote cluster may read are defined here, once.
 */
package dev.clustermesh.core.keys;
