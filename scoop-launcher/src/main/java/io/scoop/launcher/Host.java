package io.scoop.launcher;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A host that may run workers, with its number of slots: how many workers it takes before {@code -n} spreads
 * more round robin (see {@link WorkerSpread}).
 *
 * @param name          a host name, an IPv4 address or an IPv6 address (without brackets), as the user or the
 *                      batch scheduler wrote it
 * @param slots         its slots, at least 1
 * @param explicitSlots whether the slots were given (a count, {@code slots=N}, repeated lines, a scheduler's
 *                      allocation), rather than assumed for a host written bare: a local one gets this
 *                      machine's available processors, a remote one 1 (its cores are unknown until it is
 *                      contacted)
 * @param isLocal       whether the host is this machine (see {@link #isThisMachine}); the workers of a host
 *                      that is not start over SSH
 */
record Host(String name, int slots, boolean explicitSlots, boolean isLocal) {
    /*
     * Implementation notes.
     *
     * Whether a name is this machine is decided without asking DNS about the name: a lookup of every host of
     * a large allocation would make even --dry-run slow, and hang on a laptop for names it cannot resolve.
     * Instead the name is compared with what this machine knows about itself, computed once (ThisMachine):
     * the loopback names and addresses, its host name and canonical name, and the addresses of its network
     * interfaces. A short name and a qualified name match when their first labels do ("node1" is
     * "node1.cluster"), since schedulers write either form.
     */

    /** The most slots one host may have: more is a typo, and sums of slots must not overflow. */
    static final int MAX_SLOTS = 100_000;

    /** What a host may be, for error messages. */
    static final String NAME_RULE = "a host is a name (letters, digits, '.', '-', '_'), an IPv4 address, or an IPv6"
            + " address, bare or in [brackets]";

    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?");

    Host {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a host needs a name");
        }
        if (slots < 1 || slots > MAX_SLOTS) {
            throw new IllegalArgumentException("host " + name + " must have from 1 to " + MAX_SLOTS + " slots: " + slots);
        }
    }

    /** A host whose slots were given. */
    static Host withSlots(String name, int slots, boolean isLocal) {
        return new Host(name, slots, true, isLocal);
    }

    /**
     * A host written without a count: this machine's available processors if it is local, else 1, since a
     * remote host's cores are unknown until it is contacted.
     */
    static Host bare(String name, boolean isLocal) {
        return new Host(name, isLocal ? Runtime.getRuntime().availableProcessors() : 1, false, isLocal);
    }

    /** This machine as the plan names it when no host was given: {@code localhost}, one slot per processor. */
    static Host thisMachine() {
        return bare(LaunchPlan.LOCALHOST, true);
    }

    /** Where the slot count comes from, for the plan, e.g. {@code slots: 4} or {@code slots: 1, assumed}. */
    String describeSlots() {
        if (explicitSlots) {
            return "slots: " + slots;
        }
        return isLocal ? "slots: " + slots + ", this machine's available processors" : "slots: 1, assumed";
    }

    /** The name and slots, e.g. {@code node1 (4 slots)}. */
    @Override
    public String toString() {
        return name + " (" + slots + (slots == 1 ? " slot)" : " slots)");
    }

    /* ---------------- names ---------------- */

    /**
     * Checks one host as written and returns it as a {@link Host} stores it: an IPv6 address loses its
     * brackets ({@code [fe80::1]} is {@code fe80::1}).
     *
     * @throws IllegalArgumentException if it is neither a host name nor an IP address; the message says why
     */
    static String checkName(String written) {
        String name = written;
        if (name.startsWith("[") && name.endsWith("]")) {
            name = name.substring(1, name.length() - 1);
            if (!isIpv6(name)) {
                throw new IllegalArgumentException("'" + written + "' is not an IPv6 address in brackets; " + NAME_RULE);
            }
            return name;
        }
        if (name.contains(":")) {
            if (!isIpv6(name)) {
                throw new IllegalArgumentException("'" + written + "' is not a host name or address; " + NAME_RULE);
            }
            return name;
        }
        if (!HOST_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + written + "' is not a host name or address; " + NAME_RULE);
        }
        return name;
    }

    /** Whether {@code s} looks like an IPv6 address: hex digits and at least two colons, an optional %zone. */
    static boolean isIpv6(String s) {
        return IPV6.matcher(s).matches() && s.indexOf(':') != s.lastIndexOf(':');
    }

    /**
     * Whether {@code name} is this machine: {@code localhost}, a loopback address, this machine's host name or
     * canonical name (also as a short name, e.g. {@code node1} for {@code node1.cluster}), or an address of one
     * of its network interfaces. No DNS lookup of {@code name} is made.
     */
    static boolean isThisMachine(String name) {
        return ThisMachine.INSTANCE.is(name);
    }

    /** What this machine knows about its own names and addresses, gathered once. */
    private static final class ThisMachine {
        static final ThisMachine INSTANCE = new ThisMachine();

        private final Set<String> names = new HashSet<>();
        private final Set<InetAddress> addresses = new HashSet<>();

        private ThisMachine() {
            names.add("localhost");
            names.add("localhost.localdomain");
            try {
                InetAddress self = InetAddress.getLocalHost();
                names.add(self.getHostName().toLowerCase(Locale.ROOT));
                names.add(self.getCanonicalHostName().toLowerCase(Locale.ROOT));
                addresses.add(withoutScope(self));
            } catch (UnknownHostException | SecurityException e) {
                String env = System.getenv("HOSTNAME");
                if (env != null && !env.isBlank()) {
                    names.add(env.strip().toLowerCase(Locale.ROOT));
                }
            }
            try {
                for (NetworkInterface ni : NetworkInterface.networkInterfaces().toList()) {
                    ni.inetAddresses().map(ThisMachine::withoutScope).forEach(addresses::add);
                }
            } catch (SocketException | SecurityException e) {
                // Without the interface list, only names and loopback addresses are recognised.
            }
        }

        boolean is(String written) {
            String name = written.toLowerCase(Locale.ROOT);
            if (name.startsWith("[") && name.endsWith("]")) {
                name = name.substring(1, name.length() - 1);
            }
            if (name.contains(":") || IPV4.matcher(name).matches()) {
                return isOwnAddress(name);
            }
            if (name.endsWith(".")) {
                name = name.substring(0, name.length() - 1);
            }
            if (names.contains(name)) {
                return true;
            }
            List<String> own = new ArrayList<>(names);
            for (String n : own) {
                boolean oneIsShort = !n.contains(".") || !name.contains(".");
                if (oneIsShort && firstLabel(n).equals(firstLabel(name)) && !IPV4.matcher(n).matches()) {
                    return true;
                }
            }
            return false;
        }

        private boolean isOwnAddress(String literal) {
            int zone = literal.indexOf('%');
            String plain = zone >= 0 ? literal.substring(0, zone) : literal;
            if (!plain.contains(":")) {
                for (String octet : plain.split("\\.")) {
                    if (Integer.parseInt(octet) > 255) {
                        return false; // not an address, and not to be looked up as a name either
                    }
                }
            }
            try {
                // A literal is parsed, not looked up.
                InetAddress a = InetAddress.getByName(plain);
                return a.isLoopbackAddress() || addresses.contains(withoutScope(a));
            } catch (UnknownHostException e) {
                return false;
            }
        }

        private static InetAddress withoutScope(InetAddress a) {
            try {
                return InetAddress.getByAddress(a.getAddress());
            } catch (UnknownHostException e) {
                return a; // cannot happen for the byte length of a real address
            }
        }

        private static String firstLabel(String name) {
            int dot = name.indexOf('.');
            return dot < 0 ? name : name.substring(0, dot);
        }
    }
}
