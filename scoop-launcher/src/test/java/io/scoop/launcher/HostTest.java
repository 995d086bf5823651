package io.scoop.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** {@link Host}: names a host may have, slots of bare hosts, and which names are this machine. */
class HostTest {

    /* ---------------- this machine ---------------- */

    /** Loopback names and addresses are this machine, in any case and with IPv6 brackets. */
    @Test
    void isThisMachine_loopback_isLocal() {
        for (String name : new String[] {"localhost", "LOCALHOST", "127.0.0.1", "127.0.1.1", "::1", "[::1]",
            "0:0:0:0:0:0:0:1"}) {
            assertTrue(Host.isThisMachine(name), name);
        }
    }

    /** This machine's host name and canonical name, short or qualified, are this machine. */
    @Test
    void isThisMachine_ownHostName_isLocal() throws Exception {
        InetAddress self = InetAddress.getLocalHost();
        String name = self.getHostName();
        assertTrue(Host.isThisMachine(name), name);
        assertTrue(Host.isThisMachine(name.toUpperCase(Locale.ROOT)), name);
        assertTrue(Host.isThisMachine(self.getCanonicalHostName()), self.getCanonicalHostName());
        String shortName = name.contains(".") ? name.substring(0, name.indexOf('.')) : name + ".cluster.example";
        assertTrue(Host.isThisMachine(shortName), shortName + " (short or qualified form of " + name + ")");
    }

    /** Every address of every network interface is this machine. */
    @Test
    void isThisMachine_interfaceAddresses_areLocal() throws Exception {
        for (NetworkInterface ni : NetworkInterface.networkInterfaces().toList()) {
            ni.inetAddresses().forEach(a -> {
                String literal = a.getHostAddress();
                assertTrue(Host.isThisMachine(literal), literal + " of " + ni.getName());
            });
        }
    }

    /** Other names and addresses are not, and no DNS is asked about them. */
    @Test
    void isThisMachine_otherHosts_areRemote() {
        for (String name : new String[] {"node07", "node07.invalid", "192.0.2.1", "999.0.0.1", "2001:db8::1",
            "[fe80::dead:1]"}) {
            assertFalse(Host.isThisMachine(name), name);
        }
    }

    /* ---------------- slots and names ---------------- */

    /** A bare host gets this machine's processors if local, 1 if remote; neither is explicit. */
    @Test
    void bare_localAndRemote_getProcessorsAndOne() {
        assertEquals(new Host("a", Runtime.getRuntime().availableProcessors(), false, true), Host.bare("a", true));
        assertEquals(new Host("b", 1, false, false), Host.bare("b", false));
        assertEquals("slots: 1, assumed", Host.bare("b", false).describeSlots());
        assertEquals("slots: 3", Host.withSlots("c", 3, false).describeSlots());
    }

    /** checkName keeps names and addresses, drops IPv6 brackets, and refuses anything else with the rule. */
    @Test
    void checkName_namesAndAddresses() {
        assertEquals("node-1.cluster_a", Host.checkName("node-1.cluster_a"));
        assertEquals("10.0.0.7", Host.checkName("10.0.0.7"));
        assertEquals("fe80::1", Host.checkName("[fe80::1]"));
        assertEquals("fe80::1%eth0", Host.checkName("fe80::1%eth0"));
        assertEquals("'-node' is not a host name or address; " + Host.NAME_RULE,
                assertThrows(IllegalArgumentException.class, () -> Host.checkName("-node")).getMessage());
        assertEquals("'[node1]' is not an IPv6 address in brackets; " + Host.NAME_RULE,
                assertThrows(IllegalArgumentException.class, () -> Host.checkName("[node1]")).getMessage());
    }

    /** Slots outside 1..MAX_SLOTS are refused. */
    @Test
    void constructor_badSlots_isRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Host("a", 0, true, false));
        assertThrows(IllegalArgumentException.class, () -> new Host("a", Host.MAX_SLOTS + 1, true, false));
    }
}
