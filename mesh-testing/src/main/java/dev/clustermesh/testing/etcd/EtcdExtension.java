package dev.clustermesh.testing.etcd;

import java.util.Objects;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension that runs one real etcd server for a test class or for each test.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final EtcdExtension ETCD = new EtcdExtension();
 * }</pre>
 *
 * <p>As a {@code static} field, one etcd serves every test of the class (and of its
 * {@code @Nested} classes) and is closed after all of them. As an instance field, each test gets
 * a fresh etcd, closed after the test. Either way the process is stopped and its data directory
 * deleted even when tests fail; a failed test first prints the tail of the etcd log to stderr.
 * Starting fails the class or test with {@link IllegalStateException}, as
 * {@link EtcdProcess.Builder#start()} does; it never skips.
 */
public final class EtcdExtension
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

    private final EtcdProcess.Builder builder;
    private EtcdProcess process;
    private String owner;

    /** An extension running etcd with default options. */
    public EtcdExtension() {
        this(EtcdProcess.builder());
    }

    /** An extension running etcd with the options of {@code builder}, e.g. client TLS. */
    public EtcdExtension(EtcdProcess.Builder builder) {
        this.builder = Objects.requireNonNull(builder, "builder");
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        startFor(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        startFor(context);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (process != null && context.getExecutionException().isPresent()) {
            System.err.printf("%s failed; last lines of %s:%n%s%n", context.getDisplayName(),
                    process.logFile(), process.logTail(40));
        }
        closeFor(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        closeFor(context);
    }

    /**
     * The running etcd, for {@link EtcdProcess#kill()}, {@link EtcdProcess#restart()} and friends.
     *
     * @throws IllegalStateException outside the tests the extension is registered for
     */
    public synchronized EtcdProcess process() {
        if (process == null) {
            throw new IllegalStateException(
                    "etcd is not running: register EtcdExtension with @RegisterExtension and use it"
                            + " only while its tests or their lifecycle methods run");
        }
        return process;
    }

    /** Client URL of the running etcd, e.g. {@code http://127.0.0.1:43121}. */
    public String endpoint() {
        return process().endpoint();
    }

    /** Client port of the running etcd on {@code 127.0.0.1}. */
    public int clientPort() {
        return process().clientPort();
    }

    // A static extension also receives the per-test callbacks; only the context that started etcd
    // (the class, or the test for an instance field) may stop it.
    private synchronized void startFor(ExtensionContext context) {
        if (process == null) {
            process = builder.start();
            owner = context.getUniqueId();
        }
    }

    private synchronized void closeFor(ExtensionContext context) {
        if (process != null && context.getUniqueId().equals(owner)) {
            try {
                process.close();
            } finally {
                process = null;
                owner = null;
            }
        }
    }
}
