/**
 * Every place mesh-proxy reaches under Quarkus's public API into Vert.x or Netty, in one package. Each hook
 * counts in {@code mesh_proxy_vertx_hook_attached{hook}} when it attaches and in
 * {@code mesh_proxy_vertx_hook_missed{hook}} (with one warning in the log) when it cannot, so an upgrade that
 * breaks one shows instead of silently costing what it bought. {@code etcdapi.VertxHooksIT} checks each against the
 * running server. Verified with Quarkus 3.33.2 (Vert.x 4.5.27, Netty 4.1.133); re-check them on every upgrade.
 *
 * <ul>
 *   <li>{@code connection-watch} ({@link dev.clustermesh.proxy.vertx.ConnectionWatch}): a route filter ordered
 *       before the gRPC route stores the HTTP request in a Vert.x context-local, where the call finds it.
 *       Relies on route order, on the gRPC call running on the request's context, and on context-locals.
 *       Buys: a killed client's watches are released when its connection closes (otherwise they stay until the
 *       client comes back); {@code MemberList} answers with the address the client dialled.</li>
 *   <li>{@code flush-batching} ({@link dev.clustermesh.proxy.vertx.FlushBatching}): a Netty
 *       {@code FlushConsolidationHandler} added to each HTTP/2 connection's pipeline, reached by casting the
 *       connection to Vert.x's internal {@code ConnectionBase}. Buys: one flush (TLS record, socket write) per
 *       event-loop turn instead of one per watch response in a fan-out.</li>
 *   <li>{@code pooled-tls-buffers} ({@link dev.clustermesh.proxy.vertx.PooledTlsBuffers}): pooled heap buffers
 *       for the JDK's SSLEngine through Quarkus's {@code HttpServerOptionsCustomizer}. Buys: no 16 KiB of
 *       garbage per TLS record.</li>
 *   <li>{@code write-fence} ({@link dev.clustermesh.proxy.vertx.WriteFence}): the call's HTTP response, found
 *       through {@code connection-watch}'s context-local, takes a zero-length DATA frame behind a Range answer;
 *       its write completes once everything before it on that stream has gone to the socket. Relies on Vert.x
 *       writing a stream's DATA frames in order and completing a write's future when Netty has written it.
 *       Buys: the Range bound gives an answer's bytes back when they are really gone, not when on-ready says
 *       the stream may take more.</li>
 * </ul>
 *
 * <p>One behaviour of Vert.x 4 the watch streams depend on without a hook: a gRPC call's on-ready handler runs
 * inside HTTP/2 flow control's byte distribution, and Vert.x's {@code writeData} flushes pending bytes itself,
 * so writing from within on-ready re-enters the connection's flow controller and can strand the other streams
 * of that connection (eclipse-vertx/vert.x#6359, fixed in later Vert.x). {@code StreamSender} therefore only
 * schedules its drain from on-ready; {@code WatchBurstIT} catches a regression.
 */
package dev.clustermesh.proxy.vertx;
