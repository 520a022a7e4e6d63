package dev.clustermesh.meshctl.agent.commands;

import dev.clustermesh.proto.agent.v1.PodRef;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the pod and port arguments of {@code meshctl policy explain}; a bad value is an
 * {@link IllegalArgumentException} naming the flag and the value (a usage error, exit 2).
 */
final class PodArgs {
    private static final Pattern PORT = Pattern.compile("(\\d{1,5})(?:/([A-Za-z]+))?");

    private PodArgs() {
    }

    /** A destination port and its protocol in upper case. */
    record Port(int number, String protocol) {
    }

    /** {@code <cluster>/<namespace>/<pod>}, each part non-empty. */
    static PodRef pod(String flag, String text) {
        String[] parts = text.split("/", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty()) {
            throw new IllegalArgumentException(flag + " '" + text + "' is not <cluster>/<namespace>/<pod> "
                    + "(e.g. cluster1/default/x-wing)");
        }
        return PodRef.newBuilder().setCluster(parts[0]).setNamespace(parts[1]).setPod(parts[2]).build();
    }

    /** {@code <port>[/<protocol>]}: a port 1-65535, and TCP (the default), UDP or SCTP in any case. */
    static Port port(String text) {
        Matcher m = PORT.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("--port '" + text + "' is not <port>[/<protocol>] (e.g. 80/TCP)");
        }
        int number = Integer.parseInt(m.group(1));
        if (number < 1 || number > 65535) {
            throw new IllegalArgumentException("--port '" + text + "': port " + number + " is not in 1-65535");
        }
        String protocol = m.group(2) == null ? "TCP" : m.group(2).toUpperCase(Locale.ROOT);
        if (!protocol.equals("TCP") && !protocol.equals("UDP") && !protocol.equals("SCTP")) {
            throw new IllegalArgumentException("--port '" + text + "': protocol '" + m.group(2)
                    + "' is not TCP, UDP or SCTP");
        }
        return new Port(number, protocol);
    }
}
