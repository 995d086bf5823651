package io.scoop.launcher;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole runs of the launcher (a real child process) on a real second host: a network namespace with its own
 * address on a veth link, where OpenSSH's sshd runs ({@link NetnsHost}). Checked: the tasks ran inside the
 * namespace (their {@code /proc/self/ns/net} is the namespace's, not ours), their output carries the
 * {@code [10.213.X.2/w1] } prefix, the jars were copied over SFTP to the remote cache, the broker's automatic
 * address is one the namespace can reach, --tunnel works when the namespace cannot reach the broker at all
 * (it binds our loopback only) and fails with one line when sshd refuses the forward, and no process is left, in the namespace or here, after a normal
 * run or SIGINT.
 *
 * <p>Skips only when the namespace cannot be made: not root, or {@code ip} or {@code sshd} missing (CI runs as
 * root and {@code .ci/run} installs openssh-server).
 */
@Tag("slow") // 40 s of real sshd in a network namespace: run by .ci/run with the slow group
class NetnsLauncherTest {
    /*
     * One namespace for the class, with two sshds: port 22 with AllowTcpForwarding remote (what --tunnel needs),
     * and port 2222 with AllowTcpForwarding no (the refusal); each test
     * its own temp dir and remote cache. The remote host is named by its address, as --hosts 10.213.X.2, with
     * a Host block for that address in the temp ssh config.
     */

    private static final Duration RUN_DEADLINE = Duration.ofSeconds(60);
    private static final int SSH_PORT = 22;
    /** A second sshd in the namespace, with AllowTcpForwarding no. */
    private static final int NO_FORWARDING_PORT = 2222;

    @TempDir
    static Path hostDir;

    private static NetnsHost host;

    @TempDir
    Path dir;

    private ForkedLauncher launcher;

    @BeforeAll
    static void createHost() throws IOException, GeneralSecurityException {
        Optional<String> unavailable = NetnsHost.unavailableReason();
        Assumptions.assumeTrue(unavailable.isEmpty(), () -> "no network namespace host: " + unavailable.get());
        host = NetnsHost.create(hostDir);
        host.startSshd(SSH_PORT, "remote");
        host.startSshd(NO_FORWARDING_PORT, "no");
    }

    @AfterAll
    static void deleteHost() {
        if (host != null) {
            host.close();
        }
    }

    @AfterEach
    void endEveryProcess() throws IOException {
        if (launcher != null) {
            launcher.close();
        }
        if (host != null) {
            awaitNothingInside();
        }
    }

    /** Starts the launcher with the namespace's ssh config and known_hosts and a remote cache in the temp dir. */
    private ForkedLauncher start(String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of(
                "--ssh-config", host.sshConfig(dir.resolve("ssh_config"), host.address(), SSH_PORT).toString(),
                "--known-hosts", host.knownHosts(dir.resolve("known_hosts"), SSH_PORT).toString(),
                "--remote-cache", dir.resolve("cache").toString(),
                "--java", LaunchPlan.javaExecutable(),
                "--ssh-timeout", "5"));
        all.addAll(List.of(args));
        launcher = ForkedLauncher.start(all.toArray(String[]::new));
        return launcher;
    }

    private String diagnostics() {
        return "\nlauncher out:\n" + launcher.out() + "\nlauncher err:\n" + launcher.err() + "\nsshd log:\n"
                + host.sshdLog(SSH_PORT);
    }

    /** No process of the run is left here, and none but the sshd listener in the namespace. */
    private void awaitNothingInside() throws IOException {
        try {
            await("nothing but sshd left in namespace " + host.name()).atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(100)).until(() -> host.describeLeftInside().isEmpty());
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("processes left in namespace " + host.name() + ":\n"
                    + String.join("\n", host.describeLeftInside()), e);
        }
    }

    /**
     * Checks a finished NetnsApp run: exit 0, every task ran in the namespace on w1 or w2 with the
     * [address/wN] prefix, and nothing is left.
     */
    private void assertTasksRanInTheNamespace() throws IOException {
        assertEquals(0, launcher.awaitExit(RUN_DEADLINE), diagnostics());
        launcher.awaitNoMarkedProcess(Duration.ofSeconds(10));
        awaitNothingInside();
        String out = launcher.out();
        String ns = host.netnsId();
        String ours = NetnsApp.netns();
        assertNotEquals(ours, ns, "the test namespace differs from ours");
        assertTrue(out.contains("task namespaces=[" + ns + "]\n"), "every task ran in " + ns + diagnostics());
        assertTrue(out.contains("root namespace=" + ours + "\n"), "the root ran here, in " + ours + diagnostics());
        Pattern line = Pattern.compile("^\\[" + Pattern.quote(host.address()) + "/(w\\d+)\\] \\[task \\d+\\] task \\d+ ran in pid"
                + " (\\d+) " + Pattern.quote(ns) + "$", Pattern.MULTILINE);
        Set<String> workers = new TreeSet<>();
        Set<String> pids = new TreeSet<>();
        Matcher m = line.matcher(out);
        while (m.find()) {
            workers.add(m.group(1));
            pids.add(m.group(2));
        }
        assertEquals(Set.of("w1", "w2"), workers, "both remote workers printed a prefixed line" + diagnostics());
        assertTrue(out.contains("pids=" + pids + "\n"), "the root saw the pids the workers printed" + diagnostics());
    }

    /* ---------------- runs ---------------- */

    /**
     * -n 2 on the namespace's address, the broker on our end of the veth link: the tasks run in the namespace,
     * the jars are copied to the remote cache over SFTP, nothing is left.
     */
    @Test
    void run_brokerOnTheVethAddress_tasksRunInTheNamespace() throws IOException {
        Path jar = AppJars.withMainClass(dir, NetnsApp.class);
        start("-v", "--hosts", host.address(), "-n", "2", "--broker-hostname", host.hostSideAddress(),
                jar.toString(), "2");

        assertTasksRanInTheNamespace();
        String err = launcher.err();
        assertTrue(err.contains("  remote workers dial: tcp://" + host.hostSideAddress() + ":"), diagnostics());
        assertTrue(err.contains("scoop: started workers " + host.address() + " (root@" + host.address()
                + ":22, over SSH): " + host.address() + "/w1, " + host.address() + "/w2\n"), diagnostics());
        List<String> cached;
        try (Stream<Path> s = Files.list(dir.resolve("cache"))) {
            cached = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertTrue(cached.size() > 3 && cached.stream().allMatch(f -> f.matches("[0-9a-f]{64}\\.jar")),
                "the remote cache holds only complete, hash-named jars: " + cached);
        int n = cached.size();
        assertTrue(err.contains("scoop: " + host.address() + ": " + n + " of " + n + " jars copied"), diagnostics());
    }

    /**
     * Without --broker-hostname, the launcher picks this machine's first routable address (site-local IPv4
     * first). The namespace has no default route, so only our end of the veth link is reachable from it:
     * the plan must pick that address, and the run then works.
     */
    @Test
    void run_noBrokerHostname_picksTheVethAddressAndRuns() throws IOException {
        Path jar = AppJars.withMainClass(dir, NetnsApp.class);
        start("--dry-run", "--hosts", host.address(), "-n", "2", jar.toString(), "2");
        assertEquals(0, launcher.awaitExit(RUN_DEADLINE), diagnostics());
        String picked = "  remote workers dial: tcp://" + host.hostSideAddress() + ":PORT\n";
        assertTrue(launcher.out().contains(picked), "the automatic broker address is our end of the veth link, the"
                + " only address of this machine the namespace can reach (LaunchPlan.routableAddress prefers"
                + " site-local IPv4; this machine's addresses: " + LaunchPlan.routableAddress() + " first)"
                + diagnostics());
        launcher.close();

        start("-v", "--hosts", host.address(), "-n", "2", jar.toString(), "2");
        assertTasksRanInTheNamespace();
    }

    /* ---------------- --tunnel ---------------- */

    /**
     * --tunnel: the broker binds our 127.0.0.1, which the namespace cannot reach (its 127.0.0.1 is its own),
     * and the run works all the same, through a port forwarded on the namespace's loopback.
     */
    @Test
    void tunnel_brokerOnLoopbackOnly_tasksRunInTheNamespace() throws IOException {
        Path jar = AppJars.withMainClass(dir, NetnsApp.class);
        start("-v", "--tunnel", "--hosts", host.address(), "-n", "2", jar.toString(), "2");

        assertTasksRanInTheNamespace();
        String err = launcher.err();
        assertTrue(err.contains("  broker:    tcp://127.0.0.1:"), "the broker binds loopback only" + diagnostics());
        assertTrue(err.contains("(loopback only: remote workers reach it through their host's SSH connection"
                + " (--tunnel))\n"), diagnostics());
        assertTrue(Pattern.compile("scoop: " + Pattern.quote(host.address()) + ": --tunnel: workers there dial"
                + " tcp://127\\.0\\.0\\.1:\\d+, forwarded through SSH to the broker at tcp://127\\.0\\.0\\.1:\\d+\n")
                .matcher(err).find(), diagnostics());
    }

    /** --tunnel to an sshd with AllowTcpForwarding no: exit 1 with one line that names the host and the fix. */
    @Test
    void tunnel_forwardingRefused_oneLineWithTheFix() throws IOException {
        Path jar = AppJars.withMainClass(dir, NetnsApp.class);
        List<String> args = new ArrayList<>(List.of(
                "--ssh-config", host.sshConfig(dir.resolve("ssh_config"), "closedhost", NO_FORWARDING_PORT).toString(),
                "--known-hosts", host.knownHosts(dir.resolve("known_hosts"), NO_FORWARDING_PORT).toString(),
                "--remote-cache", dir.resolve("cache").toString(),
                "--java", LaunchPlan.javaExecutable(),
                "--tunnel", "--hosts", "closedhost", "-n", "1", jar.toString(), "1"));
        launcher = ForkedLauncher.start(args.toArray(String[]::new));

        assertEquals(1, launcher.awaitExit(RUN_DEADLINE), diagnostics());
        launcher.awaitNoMarkedProcess(Duration.ofSeconds(10));
        List<String> lines = launcher.err().lines().toList();
        assertEquals(1, lines.size(), diagnostics());
        String line = lines.get(0);
        assertTrue(line.startsWith("scoop: host closedhost (" + host.address() + ":" + NO_FORWARDING_PORT + "):"
                + " refused port forwarding for --tunnel ("), diagnostics());
        assertTrue(line.endsWith("): set AllowTcpForwarding yes (or remote) in its sshd_config, or run without"
                + " --tunnel and pass --broker-hostname with an address of this machine that closedhost can reach;"
                + " nothing was started (pass --on-host-failure=skip to go on without unreachable hosts)"),
                diagnostics());
    }

    /**
     * Data both ways over SSH: a shared array swept by labelled tasks whose records keep their own output, and
     * files staged from here (deleted at once, so the workers fetch them into their file cache) whose
     * {@code sort | uniq -c} outputs come back here.
     */
    @Test
    void files_sharedDataStagedFilesAndOutputs_travelToAndFromTheNamespace() throws IOException {
        Path jar = AppJars.withMainClass(dir, FilesApp.class);
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("a.txt"), "pear\napple\npear\n");
        Files.writeString(data.resolve("b.txt"), "fig\n");
        Path fileCache = dir.resolve("file-cache");
        start("--hosts", host.address(), "-n", "2", "--broker-hostname", host.hostSideAddress(),
                "--jvm-opt", "-Dscoop.fileCache=" + fileCache, jar.toString(), "2", data.toString());

        assertEquals(0, launcher.awaitExit(RUN_DEADLINE), diagnostics());
        launcher.awaitNoMarkedProcess(Duration.ofSeconds(10));
        awaitNothingInside();
        String out = launcher.out();
        String ns = host.netnsId();
        for (int k = 1; k <= 4; k++) {
            long count = ((1 << 20) + k - 1) / k;
            assertTrue(out.contains("sweep result " + count + ", printed: multiples of " + k + ": " + count + " in "
                    + ns + "\n"), "task k=" + k + " ran in the namespace and kept its own line" + diagnostics());
            assertTrue(Pattern.compile("^\\[" + Pattern.quote(host.address()) + "/w\\d\\] \\[k=" + k
                    + "\\] multiples of " + k + ": ", Pattern.MULTILINE).matcher(out).find(),
                    "its line went out live with its label" + diagnostics());
        }
        for (String name : List.of("a.txt", "b.txt")) {
            Pattern read = Pattern.compile("batch input read from " + Pattern.quote(fileCache.toString())
                    + "/[0-9a-f]{64}/" + Pattern.quote(name) + " " + Pattern.quote(ns) + "\n");
            assertTrue(read.matcher(out).find(), name + " was fetched into the worker's file cache" + diagnostics());
        }
        assertTrue(out.contains("batch output a.txt.counts: 1 apple,2 pear\n"), diagnostics());
        assertTrue(out.contains("batch output b.txt.counts: 1 fig\n"), diagnostics());
        assertTrue(out.contains("root namespace=" + NetnsApp.netns() + "\n"), diagnostics());
    }

    /* ---------------- lifetime ---------------- */

    /** SIGINT while a task blocks in the namespace: the launcher exits with 130, nothing is left there or here. */
    @Test
    void sigint_whileAWorkerInTheNamespaceRuns_leavesNothing() throws IOException {
        Path jar = AppJars.withMainClass(dir, BlockingApp.class);
        start("--hosts", host.address(), "-n", "1", "--broker-hostname", host.hostSideAddress(), jar.toString());
        launcher.awaitOutput("[" + host.address() + "/w1] [task ", RUN_DEADLINE);
        launcher.awaitOutput("blocking task started", RUN_DEADLINE);
        assertEquals(1, host.describeLeftInside().stream().filter(p -> p.contains("io.scoop.worker.WorkerMain"))
                .count(), "one worker runs in the namespace: " + host.describeLeftInside());

        launcher.signal("INT");

        assertEquals(130, launcher.awaitExit(Duration.ofSeconds(20)), diagnostics());
        launcher.awaitNoMarkedProcess(Duration.ofSeconds(10));
        awaitNothingInside();
    }
}
