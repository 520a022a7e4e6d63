package dev.clustermesh.core.tls;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One certificate a mesh service relies on, for expiry reports and rotation progress.
 *
 * @param role {@code client} (presented to a cluster's proxy), {@code ca} (one trusted CA), {@code server} (a
 *        proxy's, as last seen in a handshake, or this proxy's own)
 * @param cluster the cluster it is used with
 * @param subject the subject's distinguished name
 * @param issuer the issuer's distinguished name
 * @param serial the serial number, lowercase hex
 * @param notAfter the end of its validity
 */
public record MeshCertificate(String role, String cluster, String subject, String issuer, String serial,
        Instant notAfter) {
    public static final String CLIENT = "client";
    public static final String CA = "ca";
    public static final String SERVER = "server";

    /** {@code cert} in {@code role} for {@code cluster}. */
    public static MeshCertificate of(String role, String cluster, X509Certificate cert) {
        return new MeshCertificate(role, cluster, cert.getSubjectX500Principal().getName(),
                cert.getIssuerX500Principal().getName(), cert.getSerialNumber().toString(16),
                cert.getNotAfter().toInstant());
    }

    /**
     * The certificates {@code tls} has in force (it does not look at the files) when used with {@code cluster}:
     * its own leaf in {@code leafRole}, each CA, and for a client the server's as last seen.
     */
    public static List<MeshCertificate> of(String cluster, ReloadingTls tls, String leafRole) {
        TlsMaterial m = tls.inForce();
        List<MeshCertificate> out = new ArrayList<>();
        m.leaf().ifPresent(l -> out.add(of(leafRole, cluster, l)));
        m.trusted().forEach(c -> out.add(of(CA, cluster, c)));
        if (!leafRole.equals(SERVER)) {
            tls.lastPeer().ifPresent(p -> out.add(of(SERVER, cluster, p)));
        }
        return out;
    }

    /** Time left until it expires at {@code now}; negative once expired. */
    public Duration remaining(Instant now) {
        return Duration.between(now, notAfter);
    }
}
