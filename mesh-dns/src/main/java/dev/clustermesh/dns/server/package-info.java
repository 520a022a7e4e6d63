/**
 * The DNS wire: Netty UDP and TCP servers on a given event loop group (Quarkus's Vert.x event loops in the
 * application), reading queries and writing responses at the octet level ({@code QueryReader},
 * {@code MessageWriter}), answering from the current {@link dev.clustermesh.dns.zone.Zone}.
 *
 * <p>Names are octets, never text: a label may hold a dot, non-ASCII or binary octets, only ASCII letters
 * compare case-insensitively, and the question is echoed exactly as received. Owns the message-level rules: one
 * question per query; compression pointers only backwards and never into the header; FORMERR for malformed
 * queries (short header excepted, which is dropped, as are responses), NOTIMP for opcodes other than QUERY, both
 * echoing the question and OPT when those were well-formed (RFC 6891 §7); NOTAUTH with an unsigned BADKEY TSIG
 * for signed queries, as this server holds no keys (RFC 8945); EDNS0 (the client's UDP payload size honoured
 * between 512 octets and the configured maximum, OPT echoed, BADVERS for EDNS versions above 0, options checked
 * against the OPT data); RFC 1035 name compression; TC with an empty answer when a UDP answer does not fit, the
 * full answer over TCP. Promises: no packet can throw out of a handler, block an event loop, or close the UDP
 * socket; every packet is counted.
 */
package dev.clustermesh.dns.server;
