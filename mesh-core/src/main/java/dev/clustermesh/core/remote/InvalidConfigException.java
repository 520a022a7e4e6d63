package dev.clustermesh.core.remote;

/** A cluster config file is unusable; the message names the file and what is wrong. */
public final class InvalidConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with an operator-facing message. */
    public InvalidConfigException(String message) {
        super(message);
    }
}
