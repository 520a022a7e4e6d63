package dev.clustermesh.meshctl.agent;

import dev.clustermesh.meshctl.cli.Durations;
import dev.clustermesh.proto.agent.v1.Certificate;
import dev.clustermesh.proto.agent.v1.ClusterStatus;
import dev.clustermesh.proto.agent.v1.GetStatusResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** The certificates an agent relies on that expire soon, one line each (a CA shared by clusters once). */
public final class CertificateWarnings {
    /** Warn this long before a certificate expires unless told otherwise. */
    public static final Duration DEFAULT_WITHIN = Duration.ofDays(30);

    private CertificateWarnings() {
    }

    /** {@code expires in 12d (2027-01-01T…)}, or {@code EXPIRED at …} once {@code end} has passed. */
    public static String expiry(Instant end, Instant now) {
        return end.isAfter(now) ? "expires in " + Durations.format(Duration.between(now, end)) + " (" + end + ")"
                : "EXPIRED at " + end;
    }

    /** Lines like {@code client certificate CN=remote-c1 (serial 1f) for cluster2 expires in 12d (2027-01-01...)}. */
    public static List<String> of(GetStatusResponse s, Duration within, Instant now) {
        Map<String, Certificate> certs = new LinkedHashMap<>();
        Map<String, TreeSet<String>> clusters = new LinkedHashMap<>();
        for (ClusterStatus c : s.getClustersList()) {
            for (Certificate cert : c.getCertificatesList()) {
                Instant end = Instant.ofEpochMilli(cert.getNotAfterUnixMillis());
                if (end.isAfter(now.plus(within))) {
                    continue;
                }
                String key = cert.getRole() + "/" + cert.getIssuer() + "/" + cert.getSerial();
                certs.putIfAbsent(key, cert);
                clusters.computeIfAbsent(key, k -> new TreeSet<>()).add(c.getName());
            }
        }
        List<String> out = new ArrayList<>();
        certs.forEach((key, cert) -> {
            Instant end = Instant.ofEpochMilli(cert.getNotAfterUnixMillis());
            String when = expiry(end, now);
            out.add(cert.getRole() + " certificate " + cert.getSubject() + " (serial " + cert.getSerial() + ") for "
                    + String.join(", ", clusters.get(key)) + " " + when);
        });
        return out;
    }
}
