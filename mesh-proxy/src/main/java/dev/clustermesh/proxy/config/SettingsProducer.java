package dev.clustermesh.proxy.config;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Validates the configuration once, when the first bean that needs it is created. */
final class SettingsProducer {

    @Produces
    @Singleton
    ProxySettings settings(ProxyConfig config) {
        return ProxySettings.from(config);
    }
}
