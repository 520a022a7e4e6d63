package dev.clustermesh.proxy.export.source;

/** A manifest file is malformed; {@link #error()} says where and why. */
public final class ManifestException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient ManifestError error;

    /** Creates the exception for {@code error}. */
    public ManifestException(ManifestError error, Throwable cause) {
        super(error.toString(), cause);
        this.error = error;
    }

    /** File, line and message. */
    public ManifestError error() {
        return error;
    }
}
