package dev.clustermesh.testing.etcd;

import dev.clustermesh.testing.FreePorts;

/** The three loopback ports one etcd member listens on. */
record Ports(int client, int peer, int metrics) {

    /**
     * Picks three distinct ports that were free a moment ago, outside the ephemeral range (see {@link FreePorts}).
     * Another process may take one before etcd binds it; {@link EtcdProcess} retries with fresh ports when that
     * happens.
     */
    static Ports allocate() {
        return new Ports(FreePorts.next(), FreePorts.next(), FreePorts.next());
    }
}
