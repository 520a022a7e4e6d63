package dev.clustermesh.testing.tls;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/** Java's own TLS stack, loaded from PEM files only, talking to itself on loopback. */
final class LoopbackTls {

    private static final int SOCKET_TIMEOUT_MILLIS = 5_000;
    private static final char[] PASSWORD = "unused".toCharArray();

    private LoopbackTls() {
    }

    /** An SSLContext presenting {@code certPem}/{@code keyPem} and trusting only {@code caPem}. */
    static SSLContext context(Path certPem, Path keyPem, Path caPem) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("key", readKey(keyPem), PASSWORD, new Certificate[] {readCert(certPem)});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, PASSWORD);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", readCert(caPem));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }

    static X509Certificate readCert(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(in);
        }
    }

    /** Reads a PKCS#8 EC key with the JDK alone, as a Java server without BouncyCastle would. */
    static PrivateKey readKey(Path pem) throws Exception {
        String base64 = Files.readString(pem, StandardCharsets.US_ASCII)
                .replace("-----BEGIN PRIVATE KEY-----", "")
                .replace("-----END PRIVATE KEY-----", "");
        byte[] der = Base64.getMimeDecoder().decode(base64);
        return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
    }

    /**
     * Runs one TLS handshake on 127.0.0.1: the server requires a client certificate, the client
     * verifies the server's IP SAN. Returns the client subject the server saw.
     *
     * @throws Exception the server's handshake failure, else the client's
     */
    static String handshake(SSLContext server, SSLContext client) throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory()
                .createServerSocket(0, 1, loopback)) {
            listener.setNeedClientAuth(true);
            listener.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
            CompletableFuture<String> accepted = CompletableFuture.supplyAsync(() -> acceptOne(listener));
            Exception clientFailure = connect(client, listener.getLocalPort());
            String peer;
            try {
                peer = accepted.get(2L * SOCKET_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause() instanceof CompletionException c ? c.getCause() : e.getCause();
                throw cause instanceof Exception ex ? ex : e;
            }
            if (clientFailure != null) {
                throw clientFailure;
            }
            return peer;
        }
    }

    private static Exception connect(SSLContext client, int port) {
        try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
            socket.startHandshake();
            // With TLS 1.3 the server rejects a client certificate after the client's handshake
            // completes; only reading the server's first byte proves it was accepted.
            int first = socket.getInputStream().read();
            return first == 1 ? null : new IOException("server closed the connection, read " + first);
        } catch (IOException e) {
            return e;
        }
    }

    private static String acceptOne(SSLServerSocket listener) {
        try (SSLSocket socket = (SSLSocket) listener.accept()) {
            socket.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
            socket.startHandshake();
            String peer = socket.getSession().getPeerPrincipal().getName();
            socket.getOutputStream().write(1);
            socket.getOutputStream().flush();
            return peer;
        } catch (IOException e) {
            throw new CompletionException(e);
        }
    }
}
