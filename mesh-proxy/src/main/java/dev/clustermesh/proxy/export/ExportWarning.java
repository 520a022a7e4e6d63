package dev.clustermesh.proxy.export;

/**
 * A problem found while computing the export, resolved by a default or by leaving one object out.
 *
 * @param cause what kind of problem it is
 * @param subject what it is about, e.g. {@code service demo/web}
 * @param message what was wrong and what was done instead
 */
public record ExportWarning(Cause cause, String subject, String message) {

    /** The kinds of problems. */
    public enum Cause {
        /** A global-service annotation with a bad or ineffective value; the default was used. */
        ANNOTATION,
        /** An object, address or port that cannot be exported; it was left out. */
        INVALID_OBJECT,
        /** A label set that got no identity because the cluster's identities are exhausted. */
        IDENTITY,
        /** A ServiceExport that is not valid (no Service, an ExternalName one) or in conflict with another cluster's. */
        SERVICE_EXPORT
    }

    @Override
    public String toString() {
        return subject + ": " + message;
    }
}
