package dev.clustermesh.core.identity;

import dev.clustermesh.proto.mesh.v1.IdentityLabelFilter.Builder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which label keys do not make up a security identity: regular expressions each matched against a whole key.
 * The default leaves out labels that differ between replicas of one workload or between runs of a job, so that
 * replicas share one identity.
 * Immutable; equal when the pattern lists are equal.
 */
public final class IdentityLabelFilter {
    /**
     * Per-replica and per-run labels that Kubernetes controllers set: Deployment and DaemonSet revisions,
     * StatefulSet pod names and indexes, Job run identifiers and indexes.
     */
    public static final List<String> DEFAULT_EXCLUDE = List.of(
            "pod-template-hash",
            "pod-template-generation",
            "controller-revision-hash",
            "statefulset\\.kubernetes\\.io/pod-name",
            "apps\\.kubernetes\\.io/pod-index",
            "controller-uid",
            "job-name",
            "batch\\.kubernetes\\.io/.*");

    /** The default filter. */
    public static final IdentityLabelFilter DEFAULT = new IdentityLabelFilter(DEFAULT_EXCLUDE);

    private static final int MAX_PATTERNS = 256;

    private final List<String> exclude;
    private final List<Pattern> patterns;

    private IdentityLabelFilter(List<String> exclude) {
        this.exclude = List.copyOf(exclude);
        this.patterns = this.exclude.stream().map(Pattern::compile).toList();
    }

    /** The patterns, in the configured order. */
    public List<String> exclude() {
        return exclude;
    }

    /**
     * A filter from configured patterns.
     *
     * @throws IllegalArgumentException naming the first pattern that is not a valid regular expression
     */
    public static IdentityLabelFilter of(List<String> exclude) {
        if (exclude.size() > MAX_PATTERNS) {
            throw new IllegalArgumentException("at most " + MAX_PATTERNS + " patterns, found " + exclude.size());
        }
        for (String p : exclude) {
            try {
                Pattern.compile(p);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("'" + p + "' is not a regular expression: " + e.getDescription());
            }
        }
        return new IdentityLabelFilter(exclude);
    }

    /** True when {@code key} belongs in an identity. */
    public boolean keeps(String key) {
        for (Pattern p : patterns) {
            if (p.matcher(key).matches()) {
                return false;
            }
        }
        return true;
    }

    /** Lowercase hex SHA-256 of the patterns, each followed by a newline. */
    public String digest() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String p : exclude) {
                sha.update((p + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The filter as announced in the ClusterConfig. */
    public dev.clustermesh.proto.mesh.v1.IdentityLabelFilter toProto() {
        Builder b = dev.clustermesh.proto.mesh.v1.IdentityLabelFilter.newBuilder();
        return b.addAllExclude(exclude).setDigest(digest()).build();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IdentityLabelFilter f && f.exclude.equals(exclude);
    }

    @Override
    public int hashCode() {
        return exclude.hashCode();
    }

    @Override
    public String toString() {
        return "exclude " + exclude;
    }
}
