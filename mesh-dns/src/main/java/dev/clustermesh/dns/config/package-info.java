/**
 * mesh-dns configuration: one {@code @ConfigMapping} ({@link dev.clustermesh.dns.config.DnsConfig}), validated once
 * at start-up into {@link dev.clustermesh.dns.mesh.DnsSettings}; a bad value stops start-up with a message naming
 * the property.
 */
package dev.clustermesh.dns.config;
