package dev.clustermesh.core.tls;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * TLS material that follows its files: the CA bundle, certificate and key are read again when their content
 * changes (checked at most once per {@code minInterval}, at each handshake and each look), so new connections
 * use new material without a restart and open connections keep theirs. Kubernetes updates a mounted Secret in
 * place; a tool that writes the certificate and the key one after the other leaves a moment where they do not
 * match: such a state, and any file that does not parse, keeps the material in force, logged once and counted.
 *
 * <p>The {@link #keyManager()} and {@link #trustManager()} delegate to the material in force at each call;
 * the trust manager also remembers the last peer certificate it accepted (for expiry reports).
 */
public final class ReloadingTls {
    private static final System.Logger LOG = System.getLogger(ReloadingTls.class.getName());

    private final Path ca;
    private final Optional<Path> cert;
    private final Optional<Path> key;
    private final long minIntervalNanos;
    private final AtomicLong reloads = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private volatile TlsMaterial current;
    /** The material before the last reload: a handshake that chose its alias from it still finds its key. */
    private volatile TlsMaterial previous;
    private volatile long generation;
    private volatile X509Certificate lastPeer;
    private long lastCheck;
    private byte[][] loaded;
    private byte[][] refused;

    /**
     * Reads the files now: the CA bundle and, for mutual TLS, the certificate (chain) and its PKCS#8 key.
     *
     * @throws PemReader.InvalidPem when they cannot be used, naming the file and the problem
     */
    public ReloadingTls(Path ca, Optional<Path> cert, Optional<Path> key, java.time.Duration minInterval) {
        if (cert.isPresent() != key.isPresent()) {
            throw new IllegalArgumentException("a certificate and its key must be given together");
        }
        this.ca = ca;
        this.cert = cert;
        this.key = key;
        this.minIntervalNanos = minInterval.toNanos();
        byte[][] bytes = read();
        this.current = parse(bytes);
        this.loaded = bytes;
        this.lastCheck = System.nanoTime();
    }

    /** The material in force, after reading the files again if they may have changed. */
    public TlsMaterial current() {
        refresh(false);
        return current;
    }

    /** The material in force, without looking at the files. */
    public TlsMaterial inForce() {
        return current;
    }

    /** Checks the files now, whatever the interval; returns whether new material is in force. */
    public boolean refreshNow() {
        return refresh(true);
    }

    /** The last peer certificate the trust manager accepted, if any. */
    public Optional<X509Certificate> lastPeer() {
        return Optional.ofNullable(lastPeer);
    }

    /** Times new material came into force. */
    public long reloads() {
        return reloads.get();
    }

    /** Times changed files could not be used (the material in force stayed). */
    public long rejected() {
        return rejected.get();
    }

    private boolean refresh(boolean force) {
        byte[][] bytes;
        synchronized (this) {
            long now = System.nanoTime();
            if (!force && now - lastCheck < minIntervalNanos) {
                return false;
            }
            lastCheck = now;
            try {
                bytes = read();
            } catch (PemReader.InvalidPem e) {
                return reject(null, e);
            }
            if (same(bytes, loaded) || same(bytes, refused)) {
                return false;
            }
            try {
                TlsMaterial parsed = parse(bytes);
                previous = current;
                current = parsed;
                generation++;
            } catch (PemReader.InvalidPem e) {
                return reject(bytes, e);
            }
            loaded = bytes;
            refused = null;
            reloads.incrementAndGet();
        }
        LOG.log(System.Logger.Level.INFO, "TLS files {0} reloaded: {1}", describeFiles(), describe(current));
        return true;
    }

    private boolean reject(byte[][] bytes, PemReader.InvalidPem e) {
        if (bytes == null || !same(bytes, refused)) {
            rejected.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "{0}; the TLS material in force stays ({1})", e.getMessage(),
                    describe(current));
        }
        refused = bytes;
        return false;
    }

    private byte[][] read() {
        byte[][] out = new byte[3][];
        out[0] = bytes(ca);
        out[1] = cert.map(ReloadingTls::bytes).orElse(new byte[0]);
        out[2] = key.map(ReloadingTls::bytes).orElse(new byte[0]);
        return out;
    }

    private static byte[] bytes(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new PemReader.InvalidPem(p + " cannot be read: " + e.getMessage());
        }
    }

    private TlsMaterial parse(byte[][] bytes) {
        List<X509Certificate> trusted = PemReader.certificates(bytes[0], ca.toString());
        if (cert.isEmpty()) {
            return TlsMaterial.of(trusted, List.of(), Optional.empty(), "", "");
        }
        List<X509Certificate> chain = PemReader.certificates(bytes[1], cert.get().toString());
        PrivateKey k = PemReader.privateKey(bytes[2], key.orElseThrow().toString());
        return TlsMaterial.of(trusted, chain, Optional.of(k), cert.get().toString(), key.get().toString());
    }

    private static boolean same(byte[][] a, byte[][] b) {
        return b != null && Arrays.equals(a[0], b[0]) && Arrays.equals(a[1], b[1]) && Arrays.equals(a[2], b[2]);
    }

    private String describeFiles() {
        return ca + cert.map(c -> ", " + c).orElse("");
    }

    /** A one-line account of material: the leaf's subject, serial and end, and the trusted CAs. */
    public static String describe(TlsMaterial m) {
        StringBuilder b = new StringBuilder();
        m.leaf().ifPresent(l -> b.append("certificate ").append(l.getSubjectX500Principal().getName())
                .append(" serial ").append(l.getSerialNumber().toString(16)).append(" until ")
                .append(l.getNotAfter().toInstant()).append("; "));
        b.append("trusting ");
        for (int i = 0; i < m.trusted().size(); i++) {
            X509Certificate c = m.trusted().get(i);
            b.append(i == 0 ? "" : ", ").append(c.getSubjectX500Principal().getName()).append(" (serial ")
                    .append(c.getSerialNumber().toString(16)).append(')');
        }
        return b.toString();
    }

    /** A key manager of one generation of material. */
    private record Generation(X509ExtendedKeyManager km, long id) {
        String tag(String alias) {
            return alias == null ? null : alias + "#" + id;
        }

        String[] tag(String[] aliases) {
            return aliases == null ? null : Arrays.stream(aliases).map(this::tag).toArray(String[]::new);
        }
    }

    /** The material in force (after looking at the files) with its generation, read together. */
    private Generation now() {
        current();
        synchronized (this) {
            return new Generation(keys(current), generation);
        }
    }

    /** The generation a tagged alias was chosen from, if it is still held (the current or the one before). */
    private Optional<Generation> of(String tagged) {
        int hash = tagged == null ? -1 : tagged.lastIndexOf('#');
        if (hash < 0) {
            return Optional.empty();
        }
        long id;
        try {
            id = Long.parseLong(tagged.substring(hash + 1));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        synchronized (this) {
            TlsMaterial m = id == generation ? current : id == generation - 1 ? previous : null;
            return m == null ? Optional.empty() : Optional.of(new Generation(keys(m), id));
        }
    }

    private static X509ExtendedKeyManager keys(TlsMaterial m) {
        return m.keyManager().orElseThrow(() -> new IllegalStateException("no certificate configured"));
    }

    private static String plain(String tagged) {
        return tagged.substring(0, tagged.lastIndexOf('#'));
    }

    /**
     * Presents the certificate in force at each handshake. Aliases carry the generation of the material they were
     * chosen from, so a reload between choosing an alias and reading its chain and key never pairs a new
     * certificate with an old key.
     */
    public X509ExtendedKeyManager keyManager() {
        return new X509ExtendedKeyManager() {
            @Override
            public String[] getClientAliases(String keyType, Principal[] issuers) {
                Generation g = now();
                return g.tag(g.km().getClientAliases(keyType, issuers));
            }

            @Override
            public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
                Generation g = now();
                return g.tag(g.km().chooseClientAlias(keyType, issuers, socket));
            }

            @Override
            public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
                Generation g = now();
                return g.tag(g.km().chooseEngineClientAlias(keyType, issuers, engine));
            }

            @Override
            public String[] getServerAliases(String keyType, Principal[] issuers) {
                Generation g = now();
                return g.tag(g.km().getServerAliases(keyType, issuers));
            }

            @Override
            public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
                Generation g = now();
                return g.tag(g.km().chooseServerAlias(keyType, issuers, socket));
            }

            @Override
            public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
                Generation g = now();
                return g.tag(g.km().chooseEngineServerAlias(keyType, issuers, engine));
            }

            @Override
            public X509Certificate[] getCertificateChain(String alias) {
                return of(alias).map(g -> g.km().getCertificateChain(plain(alias))).orElse(null);
            }

            @Override
            public PrivateKey getPrivateKey(String alias) {
                return of(alias).map(g -> g.km().getPrivateKey(plain(alias))).orElse(null);
            }
        };
    }

    /** Checks peers against the CAs in force at each handshake, and remembers the last one accepted. */
    public X509ExtendedTrustManager trustManager() {
        return new X509ExtendedTrustManager() {
            private X509ExtendedTrustManager tm() {
                return current().trustManager();
            }

            private void accepted(X509Certificate[] chain) {
                if (chain.length > 0) {
                    lastPeer = chain[0];
                }
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket s) throws CertificateException {
                tm().checkClientTrusted(chain, authType, s);
                accepted(chain);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket s) throws CertificateException {
                tm().checkServerTrusted(chain, authType, s);
                accepted(chain);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine e) throws CertificateException {
                tm().checkClientTrusted(chain, authType, e);
                accepted(chain);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine e) throws CertificateException {
                tm().checkServerTrusted(chain, authType, e);
                accepted(chain);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                tm().checkClientTrusted(chain, authType);
                accepted(chain);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                tm().checkServerTrusted(chain, authType);
                accepted(chain);
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return tm().getAcceptedIssuers();
            }
        };
    }
}
