package dev.clustermesh.dns.zone;

/**
 * One question as received.
 *
 * @param name the query name: lowercase, labels joined by dots, octets other than letters, digits, '-' and '_'
 *        as {@code \\DDD} (a trailing dot is ignored)
 * @param type the QTYPE
 * @param dnsClass the QCLASS
 */
public record Question(String name, int type, int dnsClass) {
}
