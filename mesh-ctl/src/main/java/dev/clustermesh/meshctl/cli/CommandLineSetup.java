package dev.clustermesh.meshctl.cli;

import dev.clustermesh.pki.PkiException;
import io.quarkus.picocli.runtime.PicocliCommandLineFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Every error is one line on stderr and a non-zero exit: 2 for bad flags or arguments (picocli's own checks
 * name the command whose help to read; value checks inside commands throw {@link IllegalArgumentException}),
 * 1 for failures while running. {@code MESHCTL_DEBUG=1} adds the stack trace.
 */
@ApplicationScoped
public class CommandLineSetup {
    /** Exit code of a failure while running. */
    public static final int FAILED = 1;
    /** Exit code of a usage error. */
    public static final int USAGE = 2;

    @Produces
    CommandLine commandLine(PicocliCommandLineFactory factory) {
        CommandLine cl = factory.create();
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.registerConverter(java.time.Duration.class, Durations::parse);
        cl.setParameterExceptionHandler((ex, args) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("Error: " + oneLine(ex.getMessage()) + " (see '"
                    + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            err.flush();
            return USAGE;
        });
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            err.println("Error: " + describe(ex));
            if ("1".equals(System.getenv("MESHCTL_DEBUG"))) {
                ex.printStackTrace(err);
            }
            err.flush();
            // Commands check their flags' values with plain IllegalArgumentExceptions: a usage error too.
            return ex.getClass() == IllegalArgumentException.class ? USAGE : FAILED;
        });
        return cl;
    }

    static String describe(Throwable ex) {
        if (ex instanceof MeshCtlException || ex instanceof PkiException || ex instanceof IllegalArgumentException) {
            return oneLine(ex.getMessage());
        }
        String message = ex.getMessage() == null ? "" : ": " + ex.getMessage();
        return oneLine(ex.getClass().getSimpleName() + message);
    }

    static String oneLine(String message) {
        return message == null ? "(no message)" : message.replaceAll("\\s*\\R\\s*", "; ").trim();
    }
}
