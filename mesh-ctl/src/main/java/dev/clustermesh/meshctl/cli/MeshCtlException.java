package dev.clustermesh.meshctl.cli;

/**
 * A failure the user can act on: printed as one line {@code Error: <message>} with exit code 1, never a stack
 * trace. The message says what was wrong and, where there is one, what to do.
 */
public final class MeshCtlException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MeshCtlException(String message) {
        super(message);
    }

    public MeshCtlException(String message, Throwable cause) {
        super(message, cause);
    }
}
