package dev.clustermesh.core.annotations;

import dev.clustermesh.proto.mesh.v1.Affinity;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The global-service settings of one Kubernetes Service.
 *
 * @param global merge with same-named services of other clusters ({@code service.cilium.io/global})
 * @param shared offer this cluster's backends to other clusters ({@code service.cilium.io/shared}, default true)
 * @param affinity which backends are preferred ({@code service.cilium.io/affinity}, default none)
 * @param minReady how many usable preferred backends take all traffic ({@code service.cilium.io/affinity-min-ready},
 *        default {@link MinReady#NONE}: one)
 * @param clusterPreference clusters in order of preference ({@link ClusterPreference}), empty when not set; when set,
 *        it decides instead of the affinity
 */
public record ServiceAnnotations(boolean global, boolean shared, Affinity affinity, MinReady minReady,
        List<String> clusterPreference) {
    public static final String GLOBAL = "service.cilium.io/global";
    public static final String SHARED = "service.cilium.io/shared";
    public static final String AFFINITY = "service.cilium.io/affinity";
    public static final String MIN_READY = "service.cilium.io/affinity-min-ready";
    public static final String GLOBAL_ALIAS = "io.cilium/global-service";
    public static final String SHARED_ALIAS = "io.cilium/shared-service";
    public static final String AFFINITY_ALIAS = "io.cilium/service-affinity";

    /** A plain, non-global service. */
    public static final ServiceAnnotations NOT_GLOBAL = new ServiceAnnotations(false, true, Affinity.AFFINITY_NONE);

    public ServiceAnnotations {
        Objects.requireNonNull(affinity, "affinity");
        Objects.requireNonNull(minReady, "minReady");
        clusterPreference = List.copyOf(clusterPreference);
    }

    /** Settings without a cluster preference. */
    public ServiceAnnotations(boolean global, boolean shared, Affinity affinity, MinReady minReady) {
        this(global, shared, affinity, minReady, List.of());
    }

    /** Settings without a min-ready threshold or a cluster preference. */
    public ServiceAnnotations(boolean global, boolean shared, Affinity affinity) {
        this(global, shared, affinity, MinReady.NONE);
    }

    /**
     * The graded-failover threshold: while the preferred side has fewer usable backends than this, traffic is shared
     * between the preferred backends and the others in proportion.
     *
     * @param count a number of backends, or 0
     * @param percent a percent (1..100) of the preferred side's known backends, or 0; at most one of the two is set
     */
    public record MinReady(int count, int percent) {
        /** Not set: one usable preferred backend takes all traffic. */
        public static final MinReady NONE = new MinReady(0, 0);

        public MinReady {
            if (count < 0 || percent < 0 || percent > 100 || (count > 0 && percent > 0)) {
                throw new IllegalArgumentException("min-ready is a count or a percent in 1..100, got count "
                        + count + " percent " + percent);
            }
        }

        /** The threshold in backends, given how many backends the preferred side is known to have. */
        public int threshold(int knownPreferred) {
            if (percent > 0) {
                return (int) Math.ceil(percent * (double) Math.max(0, knownPreferred) / 100.0);
            }
            return count;
        }

        @Override
        public String toString() {
            return percent > 0 ? percent + "%" : Integer.toString(count);
        }
    }

    /**
     * The settings together with the warnings found while reading them.
     *
     * @param annotations the effective settings (defaults where a value was bad)
     * @param warnings one entry per bad or ineffective annotation, in a stable order
     */
    public record Parsed(ServiceAnnotations annotations, List<AnnotationWarning> warnings) {
        public Parsed {
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * Reads the settings from a Service's annotations (null means none). The new names win over the old
     * aliases; when both are present with different values a warning says so.
     */
    public static Parsed parse(Map<String, String> annotations) {
        Map<String, String> a = annotations == null ? Map.of() : annotations;
        List<AnnotationWarning> warnings = new ArrayList<>();
        Raw global = pick(a, GLOBAL, GLOBAL_ALIAS, warnings);
        Raw shared = pick(a, SHARED, SHARED_ALIAS, warnings);
        Raw affinity = pick(a, AFFINITY, AFFINITY_ALIAS, warnings);
        String minReadyValue = a.get(MIN_READY);
        Raw minReady = minReadyValue == null ? new Raw(null, null) : new Raw(MIN_READY, minReadyValue);
        String preferenceValue = a.get(ClusterPreference.ANNOTATION);
        Raw preference = preferenceValue == null ? new Raw(null, null)
                : new Raw(ClusterPreference.ANNOTATION, preferenceValue);

        boolean isGlobal = bool(global, false, warnings);
        boolean isShared = bool(shared, true, warnings);
        Affinity aff = affinity(affinity, warnings);
        if (!isGlobal) {
            ineffective(shared, warnings);
            ineffective(affinity, warnings);
            ineffective(minReady, warnings);
            ineffective(preference, warnings);
            return new Parsed(NOT_GLOBAL, warnings);
        }
        List<String> clusters = List.of();
        if (preference.present()) {
            ClusterPreference.Result r = ClusterPreference.parse(preference.value());
            clusters = r.clusters();
            if (r.problem() != null) {
                warnings.add(new AnnotationWarning(preference.key(), preference.value(), r.problem()));
            } else if (aff != Affinity.AFFINITY_NONE || minReady.present()) {
                for (Raw ignored : List.of(affinity, minReady)) {
                    if (ignored.present() && (ignored != affinity || aff != Affinity.AFFINITY_NONE)) {
                        warnings.add(new AnnotationWarning(ignored.key(), ignored.value(),
                                "has no effect: " + ClusterPreference.ANNOTATION + " orders the clusters"));
                    }
                }
                return new Parsed(new ServiceAnnotations(true, isShared, Affinity.AFFINITY_NONE, MinReady.NONE,
                        clusters), warnings);
            }
        }
        MinReady threshold = minReady(minReady, warnings);
        if (!threshold.equals(MinReady.NONE) && aff == Affinity.AFFINITY_NONE) {
            warnings.add(new AnnotationWarning(MIN_READY, minReady.value(),
                    "has no effect without " + AFFINITY + "=\"local\" or \"remote\""));
            threshold = MinReady.NONE;
        }
        return new Parsed(new ServiceAnnotations(true, isShared, aff, threshold, clusters), warnings);
    }

    /** An annotation as found: the key actually used and its value; {@code key} is null when absent. */
    private record Raw(String key, String value) {
        boolean present() {
            return key != null;
        }
    }

    private static Raw pick(Map<String, String> a, String name, String alias, List<AnnotationWarning> warnings) {
        String v = a.get(name);
        String old = a.get(alias);
        if (v != null && old != null && !v.trim().equalsIgnoreCase(old.trim())) {
            warnings.add(new AnnotationWarning(alias, old,
                    "conflicts with " + name + "=\"" + v + "\"; using " + name));
        }
        if (v != null) {
            return new Raw(name, v);
        }
        return old != null ? new Raw(alias, old) : new Raw(null, null);
    }

    private static boolean bool(Raw raw, boolean fallback, List<AnnotationWarning> warnings) {
        if (!raw.present()) {
            return fallback;
        }
        String v = raw.value().trim().toLowerCase(Locale.ROOT);
        if (v.equals("true")) {
            return true;
        }
        if (v.equals("false")) {
            return false;
        }
        warnings.add(new AnnotationWarning(raw.key(), raw.value(),
                "expected \"true\" or \"false\"; using the default " + fallback));
        return fallback;
    }

    private static Affinity affinity(Raw raw, List<AnnotationWarning> warnings) {
        if (!raw.present()) {
            return Affinity.AFFINITY_NONE;
        }
        return switch (raw.value().trim().toLowerCase(Locale.ROOT)) {
            case "local" -> Affinity.AFFINITY_LOCAL;
            case "remote" -> Affinity.AFFINITY_REMOTE;
            case "none", "" -> Affinity.AFFINITY_NONE;
            default -> {
                warnings.add(new AnnotationWarning(raw.key(), raw.value(),
                        "expected \"local\", \"remote\" or \"none\"; using the default none"));
                yield Affinity.AFFINITY_NONE;
            }
        };
    }

    /** "2" (backends) or "50%" (of the preferred side's known backends); "0" and "0%" mean not set. */
    private static MinReady minReady(Raw raw, List<AnnotationWarning> warnings) {
        if (!raw.present()) {
            return MinReady.NONE;
        }
        String v = raw.value().trim();
        boolean percent = v.endsWith("%");
        String digits = percent ? v.substring(0, v.length() - 1).trim() : v;
        int n;
        try {
            n = digits.chars().allMatch(Character::isDigit) && !digits.isEmpty() && digits.length() <= 6
                    ? Integer.parseInt(digits) : -1;
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 0 || (percent && n > 100)) {
            warnings.add(new AnnotationWarning(raw.key(), raw.value(), "expected a count like \"2\" or a percent "
                    + "like \"50%\" (0..100); ignored"));
            return MinReady.NONE;
        }
        return n == 0 ? MinReady.NONE : percent ? new MinReady(0, n) : new MinReady(n, 0);
    }

    private static void ineffective(Raw raw, List<AnnotationWarning> warnings) {
        if (raw.present()) {
            warnings.add(new AnnotationWarning(raw.key(), raw.value(),
                    "has no effect because the service is not global (" + GLOBAL + "=\"true\" is missing)"));
        }
    }
}
