/**
 * mesh-proxy configuration: one {@code @ConfigMapping} read once at start-up and validated into
 * {@link dev.clustermesh.proxy.config.ProxySettings}; a bad value stops start-up with a message naming the property.
 */
package dev.clustermesh.proxy.config;
