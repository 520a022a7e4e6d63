package dev.clustermesh.dns.zone;

/**
 * One question as received.
 *
 * @param name the query name as sent (any case, trailing dot or not)
 * @param type the QTYPE
 * @param dnsClass the QCLASS
 */
public record Question(String name, int type, int dnsClass) {
}
