package dev.clustermesh.proxy.export.source;

/**
 * A manifest that could not be read.
 *
 * @param file the file name as shown to the operator
 * @param line the 1-based line of the problem in that file
 * @param message what is wrong
 */
public record ManifestError(String file, int line, String message) {
    @Override
    public String toString() {
        return file + ":" + line + ": " + message;
    }
}
