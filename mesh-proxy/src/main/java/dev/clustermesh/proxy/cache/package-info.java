/**
 * The in-memory copy of this cluster's {@code mesh/v1/} keys that the read-only API serves, fed by one
 * upstream etcd watch.
 *
 * <p>Promises: revisions are etcd's own; the cache keeps a bounded history of events so watches may start
 * at an older revision; a watch that would need events the cache no longer has (or never had, after a
 * re-list) is told so as etcd tells a compacted revision, never silently skipped. All mutation and watcher
 * registration happen under one lock, so a watcher sees every event after its start exactly once.
 */
package dev.clustermesh.proxy.cache;
