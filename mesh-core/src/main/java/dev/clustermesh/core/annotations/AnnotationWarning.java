package dev.clustermesh.core.annotations;

/**
 * A problem with one annotation, resolved by falling back to a default.
 *
 * @param annotation the annotation key as written on the Service
 * @param value the value as written
 * @param message what was wrong and what was used instead, ready for a log line
 */
public record AnnotationWarning(String annotation, String value, String message) {
    @Override
    public String toString() {
        return annotation + "=\"" + value + "\": " + message;
    }
}
