/**
 * The DNS wire: Netty UDP and TCP servers on a given event loop group (Quarkus's Vert.x event loops in the
 * application), decoding queries with Netty's DNS record decoder, answering from the current
 * {@link dev.clustermesh.dns.zone.Zone} and encoding with Netty's DNS response encoders.
 *
 * <p>Owns the message-level rules: one question per query, FORMERR for malformed queries (short header
 * excepted, which is dropped, as are responses), NOTIMP for opcodes other than QUERY, EDNS0 (the client's UDP
 * payload size honoured between 512 octets and the configured maximum, OPT echoed, BADVERS for EDNS versions
 * above 0), TC with an empty answer when a UDP answer does not fit, the full answer over TCP. Promises: no
 * packet can throw out of a handler, block an event loop, or close the UDP socket; every packet is counted.
 */
package dev.clustermesh.dns.server;
