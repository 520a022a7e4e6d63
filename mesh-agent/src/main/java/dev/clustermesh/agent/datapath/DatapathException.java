package dev.clustermesh.agent.datapath;

/** A datapath transaction failed; the message says what the kernel or tool answered. */
public final class DatapathException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with what failed. */
    public DatapathException(String message, Throwable cause) {
        super(message, cause);
    }
}
