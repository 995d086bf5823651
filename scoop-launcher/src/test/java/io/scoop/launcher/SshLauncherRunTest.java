package io.scoop.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole runs of the launcher (a real child process) whose workers start over SSH on "testhost": a real SSH
 * server in this JVM, reached through a temp ssh config and known_hosts, that runs each worker as a real
 * process through {@code /bin/sh -c}. Checked: tasks run on the remote workers, output carries the
 * {@code [testhost/w1] } prefix, {@code --tunnel} works through a forwarded port, jars are staged once,
 * unreachable hosts stop or are skipped, and no worker started over SSH outlives the run: after a normal
 * exit, a throwing root, or SIGINT.
 */
class SshLauncherRunTest {
    /*
     * Every JVM of a run carries the ForkedLauncher's -Dscoop.run marker, the remote workers included (it is
     * one of their --jvm-opt), so the real process table tells whether anything is left. The SSH server is
     * shared by the class; each test has its own remote cache, so staging is checked from a known state.
     */

    private static final Duration RUN_DEADLINE = Duration.ofSeconds(60);
    private static final Pattern REMOTE_TASK_LINE = Pattern.compile(
            "^\\[testhost/(w\\d+)\\] \\[task \\d+\\] task \\d+ ran in pid (\\d+)$", Pattern.MULTILINE);

    @TempDir
    static Path serverDir;

    private static SshTestServer server;

    @TempDir
    Path dir;

    private ForkedLauncher launcher;

    @BeforeAll
    static void startServer() throws IOException, GeneralSecurityException {
        server = SshTestServer.start(serverDir);
    }

    @AfterAll
    static void stopServer() throws IOException {
        server.close();
    }

    @AfterEach
    void endEveryProcess() {
        if (launcher != null) {
            launcher.close();
        }
    }

    /** Starts the launcher with the test server's ssh config, known_hosts and a remote cache in the temp dir. */
    private ForkedLauncher start(Path cache, List<String> sshConfigExtra, String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of(
                "--ssh-config", server.sshConfig(dir, sshConfigExtra.toArray(String[]::new)).toString(),
                "--known-hosts", server.knownHosts(dir).toString(),
                "--remote-cache", cache.toString(),
                "--java", LaunchPlan.javaExecutable(),
                "--broker-hostname", "127.0.0.1",
                "--ssh-timeout", "5"));
        all.addAll(List.of(args));
        launcher = ForkedLauncher.start(all.toArray(String[]::new));
        return launcher;
    }

    private String diagnostics() {
        return "\nlauncher out:\n" + launcher.out() + "\nlauncher err:\n" + launcher.err();
    }

    private void assertNothingLeft() {
        launcher.awaitNoMarkedProcess(Duration.ofSeconds(10));
    }

    /* ---------------- a normal run ---------------- */

    /**
     * Two workers on testhost: the root's tasks run there, their output carries [testhost/w1] and
     * [testhost/w2], the launcher exits with 0, and no process of the run is left. The --prolog is copied to
     * the host's cache (by hash) and sourced there before each worker, and sees the --env variable.
     */
    @Test
    void run_twoWorkersOnTesthost_tasksRunThereWithPrefixedOutput() throws IOException {
        Path jar = AppJars.withMainClass(dir, SumApp.class);
        Path hosts = Files.write(dir.resolve("hosts.txt"), List.of("testhost 2"));
        Path prolog = Files.writeString(dir.resolve("prolog.sh"), "echo \"prolog ran with SCOOP_SSH_ENV=$SCOOP_SSH_ENV\"\n");
        Path cache = dir.resolve("cache");
        start(cache, List.of(), "-v", "--hostfile", hosts.toString(), "-n", "2", "--prolog", prolog.toString(),
                "--env", "SCOOP_SSH_ENV=a b", jar.toString(), "1000", "2");

        assertEquals(0, launcher.awaitExit(RUN_DEADLINE), diagnostics());
        assertNothingLeft();
        String out = launcher.out();
        assertTrue(out.contains("sum=333833500\n"), "the sum of squares 1..1000" + diagnostics());
        Set<String> workers = new HashSet<>();
        Set<Long> pids = new HashSet<>();
        Matcher m = REMOTE_TASK_LINE.matcher(out);
        while (m.find()) {
            workers.add(m.group(1));
            pids.add(Long.parseLong(m.group(2)));
        }
        assertEquals(Set.of("w1", "w2"), workers, "remote workers that printed a prefixed line" + diagnostics());
        assertTrue(out.contains("pids=" + new java.util.TreeSet<>(pids) + "\n"), "the root saw the remote pids"
                + diagnostics());
        String err = launcher.err();
        assertTrue(err.contains("    testhost -> 2   (slots: 2, remote)\n"), diagnostics());
        assertTrue(err.contains("  remote workers dial: tcp://127.0.0.1:"), diagnostics());
        assertTrue(err.contains("scoop: started workers testhost (" + SshTestServer.USER + "@127.0.0.1:"
                + server.port() + ", over SSH): testhost/w1, testhost/w2\n"), diagnostics());
        String staged = StagedJars.sha256(prolog) + ".sh";
        assertTrue(err.contains("scoop: testhost: copied prolog.sh (0 KiB) as " + staged + "\n"), diagnostics());
        assertTrue(Files.isRegularFile(cache.resolve(staged)), "the prolog's copy in the host's cache");
        assertTrue(out.contains("[testhost/w1] prolog ran with SCOOP_SSH_ENV=a b\n"), diagnostics());
        assertTrue(out.contains("[testhost/w2] prolog ran with SCOOP_SSH_ENV=a b\n"), diagnostics());
    }

    /**
     * --tunnel: workers on testhost dial a port the server forwards through the SSH connection, not the
     * broker's own port; the run works.
     */
    @Test
    void tunnel_workersDialTheForwardedPort() throws IOException {
        Path jar = AppJars.withMainClass(dir, SumApp.class);
        List<String> args = new ArrayList<>(List.of(
                "--ssh-config", server.sshConfig(dir).toString(),
                "--known-hosts", server.knownHosts(dir).toString(),
                "--remote-cache", dir.resolve("cache").toString(),
                "--java", LaunchPlan.javaExecutable(),
                "-v", "--tunnel", "--hosts", "testhost", "-n", "1", jar.toString(), "100", "1"));
        launcher = ForkedLauncher.start(args.toArray(String[]::new));

        assertEquals(0, launcher.awaitExit(RUN_DEADLINE), diagnostics());
        assertNothingLeft();
        assertTrue(launcher.out().contains("sum=338350\n"), diagnostics());
        Matcher m = Pattern.compile("scoop: testhost: --tunnel: workers there dial tcp://127\\.0\\.0\\.1:(\\d+),"
                + " forwarded through SSH to the broker at tcp://127\\.0\\.0\\.1:(\\d+)\n").matcher(launcher.err());
        assertTrue(m.find(), diagnostics());
        assertTrue(!m.group(1).equals(m.group(2)), "the forwarded port is not the broker's" + diagnostics());
    }

    /* ---------------- staging ---------------- */

    /** The first run copies every jar to the cache, named by hash; the second copies none. */
    /**
     * With a remote host the run uses CURVE by itself: the workers over SSH get the run's keys on their stdin,
     * through the SSH channel, and no process's command line shows them.
     */
    @Test
    void run_remoteHost_usesCurveWithKeysOnlyOnTheSshChannel() throws IOException {
        Path jar = AppJars.withMainClass(dir, CurveApp.class);
        start(dir.resolve("cache"), List.of(), "-v", "--hosts", "testhost", "testhost", "-n", "2", jar.toString(),
                "1000", "2");

        assertEquals(0, launcher.awaitExit(RUN_DEADLINE), diagnostics());
        assertNothingLeft();
        ScoopLauncherCurveTest.assertSecretKeptOff(launcher, "CURVE", 2);
        assertTrue(launcher.err().contains("scoop: CURVE: keys made for this run"), diagnostics());
    }

    @Test
    @Tag("slow") // over 10 s: run by .ci/run with the slow group
    void staging_secondRun_copiesNothing() throws IOException {
        Path jar = AppJars.withMainClass(dir, ExitApp.class);
        Path cache = dir.resolve("cache");
        start(cache, List.of(), "-v", "--hosts", "testhost", "-n", "1", jar.toString());
        assertEquals(3, launcher.awaitExit(RUN_DEADLINE), diagnostics());
        List<String> cached;
        try (Stream<Path> s = Files.list(cache)) {
            cached = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertTrue(cached.size() > 3 && cached.stream().allMatch(f -> f.matches("[0-9a-f]{64}\\.jar")),
                "the cache holds only complete, hash-named jars: " + cached);
        int n = cached.size();
        assertTrue(launcher.err().contains("scoop: testhost: " + n + " of " + n + " jars copied"), diagnostics());
        launcher.close();

        start(cache, List.of(), "-v", "--hosts", "testhost", "-n", "1", jar.toString());
        assertEquals(3, launcher.awaitExit(RUN_DEADLINE), diagnostics());
        assertTrue(launcher.err().contains("scoop: testhost: 0 of " + n + " jars copied (0 KiB) to " + cache + ", " + n
                + " already there"), diagnostics());
        assertTrue(launcher.out().contains("answer=42, exiting with 3"), diagnostics());
        assertNothingLeft();
    }

    /* ---------------- unreachable hosts ---------------- */

    /** With --on-host-failure=skip, a dead host is skipped with one line and the run goes on with testhost. */
    @Test
    void skip_deadHostAndGoodHost_runsOnTheGoodHost() throws IOException {
        int port = SshTestServer.closedPort();
        Path jar = AppJars.withMainClass(dir, SumApp.class);
        Path hosts = Files.write(dir.resolve("hosts.txt"), List.of("testhost 1", "deadhost 1"));
        start(dir.resolve("cache"), List.of("Host deadhost", "  HostName 127.0.0.1", "  Port " + port),
                "--on-host-failure=skip", "--hostfile", hosts.toString(), "-n", "2", jar.toString(), "100", "1");

        assertEquals(0, launcher.awaitExit(RUN_DEADLINE), diagnostics());
        assertNothingLeft();
        assertTrue(launcher.out().contains("sum=338350\n"), diagnostics());
        assertTrue(launcher.err().contains("scoop: skipping host deadhost (127.0.0.1:" + port + "): connection"
                + " refused;"), diagnostics());
        assertTrue(launcher.err().contains("scoop: skipped 1 host (deadhost), which removes 1 of 2 workers; going on"
                + " with 1 (--on-host-failure=skip)\n"), diagnostics());
    }

    /** With the default (stop), a dead host ends the run at once with one line, exit code 1, nothing left. */
    @Test
    void stop_deadHost_oneLineExitOne() throws IOException {
        int port = SshTestServer.closedPort();
        Path jar = AppJars.withMainClass(dir, SumApp.class);
        Path hosts = Files.write(dir.resolve("hosts.txt"), List.of("testhost 1", "deadhost 1"));
        start(dir.resolve("cache"), List.of("Host deadhost", "  HostName 127.0.0.1", "  Port " + port),
                "--hostfile", hosts.toString(), "-n", "2", jar.toString(), "100", "2");

        assertEquals(1, launcher.awaitExit(Duration.ofSeconds(30)), diagnostics());
        assertNothingLeft();
        assertEquals(List.of("scoop: host deadhost (127.0.0.1:" + port + "): connection refused; check that sshd runs"
                + " there and listens on port " + port + " (Port in " + dir.resolve("ssh_config") + "); nothing was"
                + " started (pass --on-host-failure=skip to go on without unreachable hosts)"),
                launcher.err().lines().toList(), diagnostics());
    }

    /* ---------------- lifetime ---------------- */

    /** A root that throws: the launcher exits with 1 and the remote worker is gone. */
    @Test
    void rootThrows_remoteWorkerEnds() throws IOException {
        Path jar = AppJars.withMainClass(dir, ThrowingApp.class);
        start(dir.resolve("cache"), List.of(), "--hosts", "testhost", "-n", "1", jar.toString());

        assertEquals(1, launcher.awaitExit(RUN_DEADLINE), diagnostics());
        assertNothingLeft();
        assertTrue(launcher.err().contains("ThrowingApp fails on purpose"), diagnostics());
    }

    /** SIGINT while a remote worker runs a task: launcher, root and the remote worker all end. */
    @Test
    void sigint_whileARemoteWorkerRuns_endsEveryProcess() throws IOException {
        Path jar = AppJars.withMainClass(dir, BlockingApp.class);
        start(dir.resolve("cache"), List.of(), "--hosts", "testhost", "-n", "1", jar.toString());
        launcher.awaitOutput("[testhost/w1] [task ", RUN_DEADLINE);
        launcher.awaitOutput("blocking task started", RUN_DEADLINE);
        assertEquals(3, launcher.markedAlive().size(), "launcher, root and one remote worker:\n"
                + launcher.describeMarkedAlive());

        launcher.signal("INT");

        assertEquals(130, launcher.awaitExit(Duration.ofSeconds(20)), diagnostics());
        assertNothingLeft();
    }
}
