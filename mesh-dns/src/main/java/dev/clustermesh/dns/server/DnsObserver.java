package dev.clustermesh.dns.server;

/**
 * What the server reports for metrics and logs. Called on event-loop threads: implementations must be cheap
 * and must not block.
 */
public interface DnsObserver {
    /** Nothing is reported. */
    DnsObserver NONE = new DnsObserver() {
    };

    /**
     * A response was sent.
     *
     * @param tcp true over TCP, false over UDP
     * @param qtype the question's type, 0 when the query had no usable question
     * @param rcode the response code (extended codes included, e.g. 16 BADVERS)
     * @param nanos time from reading the query to handing the response to the transport
     */
    default void answered(boolean tcp, int qtype, int rcode, long nanos) {
    }

    /** A packet was malformed or refused; it got FORMERR or was dropped. */
    default void badPacket(BadPacket reason) {
    }

    /** A UDP answer did not fit the client's payload size and was sent with TC. */
    default void truncated() {
    }

    /** An unexpected failure while answering; the query got SERVFAIL or was dropped. */
    default void internalError(Throwable t) {
    }
}
