package dev.clustermesh.core.policy;

import java.util.regex.Pattern;

/** Kubernetes' syntax of label (and annotation) keys and label values. Pure. */
public final class LabelSyntax {
    private static final Pattern NAME = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)");
    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");

    private LabelSyntax() {
    }

    /**
     * True for a qualified name: {@code [prefix/]name}, the prefix a DNS subdomain of at most 253 characters, the name
     * at most 63 alphanumerics, '-', '_' and '.', starting and ending alphanumeric.
     */
    public static boolean validKey(String key) {
        int slash = key.indexOf('/');
        String name = slash < 0 ? key : key.substring(slash + 1);
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            if (prefix.isEmpty() || prefix.length() > 253 || !DNS_SUBDOMAIN.matcher(prefix).matches()) {
                return false;
            }
        }
        return !name.isEmpty() && name.length() <= 63 && NAME.matcher(name).matches();
    }

    /** True for a label value: empty, or at most 63 alphanumerics, '-', '_' and '.', starting and ending alphanumeric. */
    public static boolean validValue(String value) {
        return value.length() <= 63 && VALUE.matcher(value).matches();
    }
}
