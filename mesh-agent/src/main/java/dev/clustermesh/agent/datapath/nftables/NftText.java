package dev.clustermesh.agent.datapath.nftables;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * Rendered nft text, either kept whole ({@link #whole()}) or streamed into nft's standard input in pieces while
 * the rest is still being rendered ({@link #streaming}): nft reads the beginning of a full sync (5 MB for 10,000
 * services × 10 backends) while the agent renders its end, and the text is never held whole (nft 1.0.6 does the
 * bulk of its work once the input has ended, see {@link NftFileRunner}). The text is ASCII: addresses, numbers,
 * names and hex digests.
 */
final class NftText {
    /** Written once this much is buffered, at an element boundary. */
    private static final int CHUNK = 64 * 1024;
    private final StringBuilder buf;
    private final OutputStream out;
    private long written;

    private NftText(StringBuilder buf, OutputStream out) {
        this.buf = buf;
        this.out = out;
    }

    /** Text kept in memory; {@link #text()} returns it. */
    static NftText whole() {
        return new NftText(new StringBuilder(4096), null);
    }

    /** Text written to {@code out} as it grows; {@link #finish()} writes the rest. */
    static NftText streaming(OutputStream out) {
        return new NftText(new StringBuilder(CHUNK + 4096), out);
    }

    NftText append(String s) {
        buf.append(s);
        return this;
    }

    NftText append(char c) {
        buf.append(c);
        return this;
    }

    NftText append(int i) {
        buf.append(i);
        return this;
    }

    /**
     * Marks a point between two elements: when streaming and enough is buffered, writes it.
     *
     * @throws UncheckedIOException when the reader went away (nft exited, e.g. on a syntax error it reports)
     */
    void boundary() {
        if (out != null && buf.length() >= CHUNK) {
            write();
        }
    }

    /** Writes what is buffered (streaming) and flushes; the caller closes the stream. */
    void finish() {
        if (out != null) {
            write();
            try {
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Characters rendered so far. */
    long length() {
        return written + buf.length();
    }

    /** The whole text; only for {@link #whole()}. */
    String text() {
        if (out != null) {
            throw new IllegalStateException("streamed text is not kept");
        }
        return buf.toString();
    }

    private void write() {
        byte[] bytes = new byte[buf.length()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) buf.charAt(i);
        }
        try {
            out.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        written += bytes.length;
        buf.setLength(0);
    }

    @Override
    public String toString() {
        return out == null ? buf.toString() : "streamed nft text, " + length() + " characters";
    }
}
