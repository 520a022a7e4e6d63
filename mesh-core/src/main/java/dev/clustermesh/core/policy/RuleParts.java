package dev.clustermesh.core.policy;

import dev.clustermesh.core.net.IpAddresses;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Parsing shared by both policy kinds: CIDRs with exceptions, port numbers and names. */
final class RuleParts {
    private static final Pattern PORT_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?");
    private static final Pattern DIGITS = Pattern.compile("[0-9]+");

    private RuleParts() {
    }

    /** A CIDR, or null with a warning naming what is wrong. {@code hostAllowed}: a bare IP means its host prefix. */
    static Cidr cidr(ParseContext ctx, Object node, String path, boolean hostAllowed) {
        String text = ctx.string(node, path);
        if (text == null) {
            if (node == null) {
                ctx.warn(path, "is missing");
            }
            return null;
        }
        if (hostAllowed && text.indexOf('/') < 0 && IpAddresses.isLiteral(text)) {
            return Cidr.host(IpAddresses.parse(text).orElseThrow());
        }
        Optional<String> problem = IpAddresses.cidrProblem(text);
        if (problem.isPresent()) {
            ctx.warn(path, problem.get());
            return null;
        }
        return Cidr.parse(text).orElseThrow();
    }

    /** A CIDR with exceptions, each strictly inside it; null when anything is wrong. */
    static IpBlock block(ParseContext ctx, Object cidrNode, Object exceptNode, String path, String cidrField,
                         boolean hostAllowed) {
        Cidr cidr = cidr(ctx, cidrNode, path + "." + cidrField, hostAllowed);
        List<Object> raw = ctx.list(exceptNode, path + ".except");
        List<Cidr> except = new ArrayList<>();
        boolean ok = cidr != null;
        for (int i = 0; i < raw.size(); i++) {
            String p = ParseContext.at(path + ".except", i);
            Cidr e = cidr(ctx, raw.get(i), p, false);
            if (e == null) {
                ok = false;
            } else if (cidr != null && (!cidr.covers(e) || e.prefixLength() == cidr.prefixLength())) {
                ctx.warn(p, "'" + e + "' is not strictly inside " + cidrField + " '" + cidr + "'");
                ok = false;
            } else {
                except.add(e);
            }
        }
        return ok ? new IpBlock(cidr, except) : null;
    }

    /** A port number 1..65535 given as a number or, when {@code digitsAllowed}, a decimal string; -1 otherwise. */
    static int portNumber(Object node, boolean digitsAllowed) {
        long n;
        if (node instanceof Integer || node instanceof Long) {
            n = ((Number) node).longValue();
        } else if (digitsAllowed && node instanceof String s && DIGITS.matcher(s).matches() && s.length() < 7) {
            n = Long.parseLong(s);
        } else {
            return -1;
        }
        return n >= 0 && n <= 65535 ? (int) n : -1;
    }

    /** True for a valid container port name (IANA service name: 1-15 of a-z, 0-9, '-', with a letter, no '--'). */
    static boolean validPortName(String name) {
        return name.length() <= 15 && PORT_NAME.matcher(name).matches() && !name.contains("--")
                && name.chars().anyMatch(Character::isLetter);
    }

    /**
     * Adds the clause for {@code port} (a number, a name, or null for every port) and {@code endPort} (null for a
     * single port) to {@code out}, once per protocol; warns and adds nothing when the values are invalid.
     */
    static void addPort(ParseContext ctx, List<PortRule> out, List<Protocol> protocols, Object port, Object endPort,
                        String path, boolean digitStrings) {
        // Cilium writes "every port" as port "0"; Kubernetes only by leaving the port out.
        boolean everyPort = port == null || digitStrings && ("0".equals(port) || Integer.valueOf(0).equals(port));
        if (everyPort) {
            if (endPort != null) {
                ctx.warn(path + ".endPort", "needs a numeric port");
                return;
            }
            protocols.forEach(p -> out.add(PortRule.any(p)));
            return;
        }
        int number = portNumber(port, digitStrings);
        if (number < 1) {
            if (port instanceof String name && !(digitStrings && DIGITS.matcher(name).matches())) {
                if (!validPortName(name)) {
                    ctx.warn(path + ".port", "'" + name + "' is neither a port number nor a valid port name");
                } else if (endPort != null) {
                    ctx.warn(path + ".endPort", "cannot be used with the named port '" + name + "'");
                } else {
                    protocols.forEach(p -> out.add(new PortRule(p, 0, 0, name)));
                }
            } else {
                ctx.warn(path + ".port", "'" + port + "' is not a port number in 1..65535");
            }
            return;
        }
        int end = number;
        if (endPort != null) {
            end = portNumber(endPort, false);
            if (end < 1 || end < number) {
                ctx.warn(path + ".endPort", "'" + endPort + "' must be a port number in " + number + "..65535");
                return;
            }
        }
        int last = end;
        protocols.forEach(p -> out.add(new PortRule(p, number, last, "")));
    }
}
