package io.scoop.internal;

import java.net.InetAddress;

/** Names of this host and process, for messages that must say where something happened. */
public final class Hosts {
    private static final String LOCAL = computeLocalName();

    private Hosts() {
    }

    public static String localName() {
        return LOCAL;
    }

    public static long pid() {
        return ProcessHandle.current().pid();
    }

    private static String computeLocalName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            String env = System.getenv("HOSTNAME");
            return env != null ? env : "localhost";
        }
    }
}
