package dev.clustermesh.pki;

/** A certificate could not be made, read or written; the message names the file or subject and why. */
public final class PkiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PkiException(String message) {
        super(message);
    }

    public PkiException(String message, Throwable cause) {
        super(message, cause);
    }
}
