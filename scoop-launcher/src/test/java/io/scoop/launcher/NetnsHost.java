package io.scoop.launcher;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A second host on this machine: a network namespace joined to this one by a veth pair, with its own address
 * in a private /24 that nothing else here uses, and OpenSSH's {@code sshd} running inside it. To the launcher
 * it is a remote host like any other: it is reached over SSH at an address that is not this machine's, and
 * its processes see their own network (its {@code lo} is not ours), while they share our file system and
 * PID namespace, so a test can check their network view and see every process left behind.
 *
 * <pre>
 *   this namespace                          namespace NAME
 *   VETH_HOST 10.213.X.1/24  &lt;--veth--&gt;  VETH_NS 10.213.X.2/24, lo, sshd on 10.213.X.2:22 (and more ports)
 * </pre>
 *
 * <p>Needs root, {@code ip} and {@code /usr/sbin/sshd} ({@link #unavailableReason()} says what is missing).
 * {@link #close()} kills every process inside the namespace (sshd and whatever it started), then deletes
 * the namespace and the veth pair; it is safe after any failure, also one half-way through {@link #create}.
 * The namespace has no default route: from inside, only the veth subnet (and its own loopback) is reachable.
 */
final class NetnsHost implements AutoCloseable {
    /*
     * Names are unique per test JVM (pid and a counter), so that two JVMs on one machine never share a
     * namespace or an interface; interface names stay within Linux's 15 characters. The subnet is the first
     * 10.213.X.0/24, starting from one derived from the pid, that no address or route of this machine touches.
     *
     * sshd: host key, authorized key and config are temp files; UsePAM no and StrictModes no, so that it runs
     * from a temp dir without a system configuration; PermitRootLogin prohibit-password, since the tests run
     * as root. sshd needs its privilege separation directory /run/sshd, which a package install that did not
     * start the service may not have created: we create it if absent and remove it again if we did.
     */

    /** The sshd of Debian's openssh-server. */
    static final Path SSHD = Path.of("/usr/sbin/sshd");
    /** The user the launcher logs in as: the tests run as root. */
    static final String USER = "root";

    private static final String IP = findOnPath("ip").map(Path::toString).orElse("ip");
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Duration COMMAND_DEADLINE = Duration.ofSeconds(20);
    private static final Pattern INET = Pattern.compile("\\binet (\\d+\\.\\d+\\.\\d+\\.\\d+)");
    private static final Pattern VIA_10_213 = Pattern.compile("\\b10\\.213\\.(\\d+)\\.");

    private final String name;
    private final String vethHost;
    private final String vethNs;
    private final Path dir;
    private final List<Process> sshds = new ArrayList<>();
    private final List<String> done = new ArrayList<>();
    private String hostAddress;
    private String nsAddress;
    private Path userKey;
    private String hostKeyLine;
    private boolean createdPrivsepDir;

    private NetnsHost(Path dir) {
        long pid = ProcessHandle.current().pid();
        int n = COUNTER.incrementAndGet();
        this.name = "scoop-test-" + pid + "-" + n;
        this.vethHost = "sc" + pid + "h" + n;
        this.vethNs = "sc" + pid + "n" + n;
        this.dir = dir;
    }

    /**
     * Why a namespace cannot be made here, or empty if it can: not root, no {@code ip}, no {@code sshd}.
     * Tests skip with this reason; nothing else may make them skip.
     */
    static Optional<String> unavailableReason() {
        if (!isRoot()) {
            return Optional.of("a network namespace needs root (ip netns add); run the tests as root, as CI does");
        }
        if (findOnPath("ip").isEmpty()) {
            return Optional.of("the 'ip' command (iproute2) is not installed; apt-get install -y iproute2, as .ci/run"
                    + " does");
        }
        if (!Files.isExecutable(SSHD)) {
            return Optional.of(SSHD + " is not installed; apt-get install -y openssh-server, as .ci/run does");
        }
        return Optional.empty();
    }

    /**
     * Creates the namespace, the veth pair and their addresses, and the keys; no sshd runs yet (see
     * {@link #startSshd}). On failure, whatever was made is removed before the exception leaves.
     *
     * @param dir a temp dir for keys, configs and logs
     */
    static NetnsHost create(Path dir) throws IOException, GeneralSecurityException {
        NetnsHost h = new NetnsHost(dir);
        try {
            h.setUp();
            return h;
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            h.close();
            throw e;
        }
    }

    private void setUp() throws IOException, GeneralSecurityException {
        int x = freeSubnet();
        hostAddress = "10.213." + x + ".1";
        nsAddress = "10.213." + x + ".2";
        ip("netns", "add", name);
        done.add("netns");
        ip("link", "add", vethHost, "type", "veth", "peer", "name", vethNs);
        done.add("veth");
        ip("link", "set", vethNs, "netns", name);
        ip("addr", "add", hostAddress + "/24", "dev", vethHost);
        ip("link", "set", vethHost, "up");
        ip("-n", name, "addr", "add", nsAddress + "/24", "dev", vethNs);
        ip("-n", name, "link", "set", vethNs, "up");
        ip("-n", name, "link", "set", "lo", "up");

        KeyPair host = KeyUtils.generateKeyPair("ecdsa-sha2-nistp256", 256);
        KeyPair user = KeyUtils.generateKeyPair("ecdsa-sha2-nistp256", 256);
        writePrivateKey(host, dir.resolve("ssh_host_key"));
        userKey = writePrivateKey(user, dir.resolve("id_netns"));
        Files.writeString(dir.resolve("authorized_keys"), PublicKeyEntry.toString(user.getPublic()) + "\n");
        hostKeyLine = PublicKeyEntry.toString(host.getPublic());
        Path privsep = Path.of("/run/sshd");
        if (!Files.isDirectory(privsep)) {
            Files.createDirectories(privsep);
            createdPrivsepDir = true;
        }
    }

    /**
     * Starts one more sshd inside the namespace, listening on {@link #address()}:{@code port}, and waits until
     * it accepts connections.
     *
     * @param port               the port inside the namespace, which has its own ports: 22 is free there
     * @param allowTcpForwarding the sshd_config value: yes, no, remote, local
     */
    void startSshd(int port, String allowTcpForwarding) throws IOException {
        Path config = dir.resolve("sshd_config_" + port);
        Files.write(config, List.of(
                "ListenAddress " + nsAddress + ":" + port,
                "HostKey " + dir.resolve("ssh_host_key"),
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                "PidFile " + dir.resolve("sshd_" + port + ".pid"),
                "PermitRootLogin prohibit-password",
                "PubkeyAuthentication yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "UsePAM no",
                "StrictModes no",
                "AllowTcpForwarding " + allowTcpForwarding,
                "Subsystem sftp internal-sftp",
                "LogLevel VERBOSE"));
        Path log = dir.resolve("sshd_" + port + ".log");
        Process p = new ProcessBuilder(IP, "netns", "exec", name, SSHD.toString(), "-D", "-e", "-f",
                config.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        sshds.add(p);
        try {
            await("sshd in " + name + " listens on " + nsAddress + ":" + port).atMost(Duration.ofSeconds(15))
                    .pollInterval(Duration.ofMillis(50)).until(() -> !p.isAlive() || accepts(nsAddress, port));
        } catch (ConditionTimeoutException e) {
            throw new IOException("sshd in namespace " + name + " did not listen on " + nsAddress + ":" + port
                    + " within 15 s; its log (" + log + "):\n" + Files.readString(log), e);
        }
        if (!p.isAlive()) {
            throw new IOException("sshd in namespace " + name + " exited with code " + p.exitValue() + "; its log ("
                    + log + "):\n" + Files.readString(log));
        }
    }

    private static boolean accepts(String address, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The namespace's name, as {@code ip netns} knows it. */
    String name() {
        return name;
    }

    /** The namespace's address on the veth link: the remote host's address. */
    String address() {
        return nsAddress;
    }

    /** This namespace's end of the veth link: an address of this machine that the namespace can reach. */
    String hostSideAddress() {
        return hostAddress;
    }

    /** The inode of the namespace, as {@code /proc/PID/ns/net} of a process inside shows it: {@code net:[N]}. */
    String netnsId() throws IOException {
        Object ino = Files.getAttribute(Path.of("/run/netns", name), "unix:ino");
        return "net:[" + ino + "]";
    }

    /** The log of the sshd on {@code port}, for failure messages. */
    String sshdLog(int port) {
        try {
            return Files.readString(dir.resolve("sshd_" + port + ".log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /**
     * An ssh configuration with a Host block for {@code alias} that leads to the sshd on {@code port} as root
     * with the authorized key, followed by {@code extraLines}.
     */
    Path sshConfig(Path to, String alias, int port, String... extraLines) throws IOException {
        List<String> lines = new ArrayList<>(List.of(
                "Host " + alias,
                "    HostName " + nsAddress,
                "    Port " + port,
                "    User " + USER,
                "    IdentityFile " + userKey));
        lines.addAll(List.of(extraLines));
        return Files.write(to, lines);
    }

    /** A known_hosts file with the sshd's host key for the given ports. */
    Path knownHosts(Path to, int... ports) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int port : ports) {
            sb.append(port == 22 ? nsAddress : "[" + nsAddress + "]:" + port).append(' ').append(hostKeyLine)
                    .append('\n');
        }
        return Files.writeString(to, sb.toString());
    }

    /** The pids of every process inside the namespace ({@code ip netns pids}). */
    Set<Long> pidsInside() throws IOException {
        Set<Long> pids = new HashSet<>();
        for (String line : ip("netns", "pids", name).split("\n")) {
            if (!line.isBlank()) {
                pids.add(Long.parseLong(line.strip()));
            }
        }
        return pids;
    }

    /** The pids of the sshd listeners this fixture started (not the per-connection ones). */
    Set<Long> sshdPids() {
        Set<Long> pids = new HashSet<>();
        sshds.stream().filter(Process::isAlive).forEach(p -> pids.add(p.pid()));
        return pids;
    }

    /** Every process inside the namespace but the sshd listeners, with its command line. */
    List<String> describeLeftInside() throws IOException {
        List<String> left = new ArrayList<>();
        Set<Long> sshd = sshdPids();
        for (long pid : pidsInside()) {
            if (!sshd.contains(pid)) {
                left.add(pid + ": " + commandLine(pid));
            }
        }
        return left;
    }

    private static String commandLine(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
                    StandardCharsets.UTF_8).replace('\0', ' ').strip();
        } catch (IOException e) {
            return "(gone)";
        }
    }

    /**
     * Kills every process inside the namespace, then deletes the namespace and the veth pair (and /run/sshd if
     * we made it). Every step runs even when one before it fails; the first failure is thrown at the end.
     */
    @Override
    public void close() {
        List<String> problems = new ArrayList<>();
        if (done.contains("netns")) {
            try {
                for (long pid : pidsInside()) {
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                }
            } catch (IOException | RuntimeException e) {
                problems.add("listing the processes in " + name + ": " + e.getMessage());
            }
        }
        for (Process p : sshds) {
            p.destroyForcibly();
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    problems.add("sshd pid " + p.pid() + " did not end within 10 s of SIGKILL");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                problems.add("interrupted while waiting for sshd pid " + p.pid());
            }
        }
        if (done.contains("netns")) {
            try {
                await("every process in namespace " + name + " ended").atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(50)).until(() -> pidsInside().isEmpty());
            } catch (ConditionTimeoutException e) {
                problems.add("processes still in " + name + " after SIGKILL");
            }
            try {
                ip("netns", "delete", name);
            } catch (IOException | RuntimeException e) {
                problems.add(e.getMessage());
            }
        }
        if (done.contains("veth")) {
            // Deleting the namespace destroys the pair, asynchronously; delete it ourselves if it is still here.
            try {
                await("veth " + vethHost + " is gone").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                        .until(() -> !linkExists(vethHost));
            } catch (ConditionTimeoutException e) {
                try {
                    ip("link", "delete", vethHost);
                } catch (IOException | RuntimeException e2) {
                    problems.add(e2.getMessage());
                }
            }
        }
        if (createdPrivsepDir) {
            try {
                Files.deleteIfExists(Path.of("/run/sshd"));
            } catch (IOException e) {
                problems.add("removing /run/sshd: " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("tearing down namespace " + name + ": " + String.join("; ", problems));
        }
    }

    private static boolean linkExists(String link) {
        try {
            Process p = new ProcessBuilder(IP, "link", "show", link).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /* ---------------- helpers ---------------- */

    /** The first 10.213.X.0/24, from one derived from our pid on, that no address or route here touches. */
    private static int freeSubnet() throws IOException {
        Set<Integer> used = new HashSet<>();
        String addrs = ip("-o", "-4", "addr", "show");
        Matcher m = INET.matcher(addrs);
        while (m.find()) {
            Matcher t = VIA_10_213.matcher(m.group(1));
            if (t.lookingAt()) {
                used.add(Integer.parseInt(t.group(1)));
            }
        }
        Matcher r = VIA_10_213.matcher(ip("-4", "route", "show", "table", "all"));
        while (r.find()) {
            used.add(Integer.parseInt(r.group(1)));
        }
        int start = (int) (ProcessHandle.current().pid() % 250);
        for (int i = 0; i < 250; i++) {
            int x = 1 + (start + i) % 250;
            if (!used.contains(x)) {
                return x;
            }
        }
        throw new IOException("every 10.213.X.0/24 (X in 1..250) is in use on this machine; delete stale test"
                + " namespaces (ip netns list)");
    }

    /** Runs {@code ip ARGS}; returns its output, or throws with it if it fails. */
    private static String ip(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(IP);
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        try {
            if (!p.waitFor(COMMAND_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " did not finish within " + COMMAND_DEADLINE);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + String.join(" ", cmd), e);
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed with code " + p.exitValue() + ": " + text.strip());
        }
        return text;
    }

    private static Path writePrivateKey(KeyPair pair, Path file) throws IOException, GeneralSecurityException {
        try (OutputStream out = Files.newOutputStream(file)) {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, "scoop netns test key", null, out);
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.substring(4).strip().split("\\s+")[1].equals("0");
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    private static Optional<Path> findOnPath(String command) {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        for (String d : (path + ":/usr/sbin:/sbin").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, command))) {
                return Optional.of(Path.of(d, command));
            }
        }
        return Optional.empty();
    }
}
