package dev.clustermesh.testing.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Drives the callbacks in the order JUnit does, with tests that fail. */
@Timeout(60)
class EtcdExtensionLifecycleIT {

    private static final ExtensionContext CLASS = context("[class:Demo]", null);
    private static final ExtensionContext FAILED_TEST =
            context("[class:Demo]/[method:fails()]", new AssertionError("boom"));

    @Test
    void staticFieldKeepsEtcdUntilAfterAllEvenWhenATestFails() {
        EtcdExtension extension = new EtcdExtension();

        extension.beforeAll(CLASS);
        EtcdProcess process = extension.process();
        extension.beforeEach(FAILED_TEST);
        extension.afterEach(FAILED_TEST);
        assertThat(extension.process()).isSameAs(process);
        assertThat(process.isRunning()).isTrue();
        extension.afterAll(CLASS);

        assertThat(process.isRunning()).isFalse();
        assertThat(process.dataDir()).doesNotExist();
        assertThatThrownBy(extension::endpoint).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void instanceFieldStopsEtcdAfterEachTestEvenWhenItFails() {
        EtcdExtension extension = new EtcdExtension();

        extension.beforeEach(FAILED_TEST);
        EtcdProcess process = extension.process();
        assertThat(process.isRunning()).isTrue();
        extension.afterEach(FAILED_TEST);

        assertThat(process.isRunning()).isFalse();
        assertThat(process.dataDir()).doesNotExist();
    }

    private static ExtensionContext context(String uniqueId, Throwable failure) {
        return (ExtensionContext) Proxy.newProxyInstance(ExtensionContext.class.getClassLoader(),
                new Class<?>[] {ExtensionContext.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getUniqueId" -> uniqueId;
                    case "getDisplayName" -> uniqueId;
                    case "getExecutionException" -> Optional.ofNullable(failure);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
