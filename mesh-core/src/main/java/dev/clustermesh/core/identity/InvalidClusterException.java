package dev.clustermesh.core.identity;

/**
 * A cluster name, ID or mesh membership violates the identity rules. The message names the field and the
 * offending value, so it can be shown to an operator as it is.
 */
public final class InvalidClusterException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with an operator-facing message. */
    public InvalidClusterException(String message) {
        super(message);
    }
}
