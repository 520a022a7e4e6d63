package dev.clustermesh.core.tls;

import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

/**
 * One new mTLS connection to a mesh-proxy, no retry: what a client with these files gets right now (meshctl's
 * rotation confirms each step with it; tests count failed connections with it). The
 * connection counts as accepted only once the server has sent its first HTTP/2 frame, because under TLS 1.3 the
 * client's handshake ends before the server has checked the client certificate.
 */
public final class TlsProbe {
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EMPTY_SETTINGS = {0, 0, 0, 4, 0, 0, 0, 0, 0};

    private TlsProbe() {
    }

    /**
     * Connects to {@code host:port} trusting {@code ca}, presenting {@code cert}/{@code key}.
     *
     * @return the server's certificate
     * @throws IOException when the connection is refused at any step, with the reason
     */
    public static X509Certificate connect(String host, int port, Path ca, Path cert, Path key) throws IOException {
        ReloadingTls tls = new ReloadingTls(ca, Optional.of(cert), Optional.of(key), Duration.ZERO);
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(new KeyManager[] {tls.keyManager()}, new TrustManager[] {tls.trustManager()}, null);
            java.net.Socket plain = new java.net.Socket();
            plain.connect(new java.net.InetSocketAddress(host, port), 5000);
            try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(plain, host, port, true)) {
                SSLParameters p = s.getSSLParameters();
                p.setApplicationProtocols(new String[] {"h2"});
                p.setEndpointIdentificationAlgorithm("HTTPS");
                s.setSSLParameters(p);
                s.setSoTimeout(5000);
                s.startHandshake();
                s.getOutputStream().write(PREFACE);
                s.getOutputStream().write(EMPTY_SETTINGS);
                s.getOutputStream().flush();
                if (s.getInputStream().read() < 0) {
                    throw new EOFException("the server closed the connection (it refused the client certificate)");
                }
                return (X509Certificate) s.getSession().getPeerCertificates()[0];
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS: " + e.getMessage(), e);
        }
    }
}
