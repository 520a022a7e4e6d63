package dev.clustermesh.core.net;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** This machine's name, as a pod or node knows it. */
public final class HostNames {
    private HostNames() {
    }

    /** {@code $HOSTNAME} (a pod's name in Kubernetes), else the local host name, else {@code fallback}. */
    public static String local(String fallback) {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return fallback;
        }
    }
}
