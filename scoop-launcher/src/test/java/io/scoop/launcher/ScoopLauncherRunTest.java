package io.scoop.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole runs of the launcher as a real child process ({@link ForkedLauncher}), with a real broker, worker JVMs
 * and a root JVM running one of the test apps: tasks reach the workers, output is prefixed, exit codes
 * propagate, and no process of the run survives it, after a normal exit, a throwing root, or SIGINT.
 */
class ScoopLauncherRunTest {
    /*
     * Every JVM of a run carries a unique -Dscoop.run marker on its command line (launcher, root, workers), so
     * "nothing is left" is checked by scanning all processes for it. JVM starts dominate the run time on a
     * two-core machine: the runs use one or two workers and fast-boot JVM options.
     */

    private static final Duration RUN_DEADLINE = Duration.ofSeconds(60);
    private static final Pattern WORKER_TASK_LINE = Pattern.compile(
            "^\\[(w\\d+)\\] \\[task \\d+\\] task \\d+ ran in pid (\\d+)$", Pattern.MULTILINE);

    @TempDir
    Path dir;

    private ForkedLauncher launcher;

    @AfterEach
    void endEveryProcess() {
        if (launcher != null) {
            launcher.close();
        }
    }

    private String diagnostics() {
        return "\nlauncher out:\n" + launcher.out() + "\nlauncher err:\n" + launcher.err();
    }

    private void assertNothingLeft() {
        assertTrue(launcher.markedAlive().isEmpty(), "processes of the run outlived the launcher:\n"
                + launcher.describeMarkedAlive() + diagnostics());
    }

    /* ---------------- a normal run ---------------- */

    /**
     * With -n 2 the root's tasks run on the launcher's two workers (not in the root, which starts no process),
     * the workers' output carries their [w1]/[w2] prefix, the launcher exits with 0, and nothing is left.
     */
    @Test
    void run_twoWorkers_tasksRunOnTheLaunchersWorkersWithPrefixedOutput() throws IOException {
        Path jar = AppJars.withMainClass(dir, SumApp.class);
        launcher = ForkedLauncher.start("-n", "2", jar.toString(), "1000", "2");

        assertEquals(0, launcher.awaitExit(RUN_DEADLINE), diagnostics());
        assertNothingLeft();

        String out = launcher.out();
        assertTrue(out.contains("sum=333833500\n"), "the sum of squares 1..1000" + diagnostics());
        Map<String, Set<Long>> pidsByWorker = new HashMap<>();
        Matcher m = WORKER_TASK_LINE.matcher(out);
        while (m.find()) {
            pidsByWorker.computeIfAbsent(m.group(1), k -> new HashSet<>()).add(Long.parseLong(m.group(2)));
        }
        assertEquals(Set.of("w1", "w2"), pidsByWorker.keySet(), "workers that printed a prefixed line" + diagnostics());
        Set<Long> workerPids = pidsByWorker.values().stream().flatMap(Set::stream).collect(Collectors.toSet());
        Set<Long> rootSeen = pidsOnLine(out, "pids=");
        assertEquals(2, rootSeen.size(), "distinct pids the root's tasks ran in" + diagnostics());
        assertEquals(workerPids, rootSeen, "the pids the root saw are those of the prefixed workers" + diagnostics());
        long rootPid = Long.parseLong(valueOf(out, "root pid="));
        assertFalse(rootSeen.contains(rootPid), "a task ran in the root" + diagnostics());
        assertNotEquals(launcher.pid(), rootPid);
        assertEquals("0", valueOf(out, "root children="), "the root started processes of its own" + diagnostics());
    }

    /**
     * A hostfile of "localhost 2" with -n 2 runs for real: the plan (-v) names the hostfile, and the root's
     * tasks run on the two workers w1 and w2, leaving nothing behind.
     */
    @Test
    void run_hostfileWithLocalhostTwo_runsOnItsTwoWorkers() throws IOException {
        Path jar = AppJars.withMainClass(dir, SumApp.class);
        Path hosts = Files.write(dir.resolve("hosts.txt"), List.of("# this machine, two workers", "localhost 2"));
        launcher = ForkedLauncher.start("-v", "--hostfile", hosts.toString(), "-n", "2", jar.toString(), "100", "2");

        assertEquals(0, launcher.awaitExit(RUN_DEADLINE), diagnostics());
        assertNothingLeft();
        assertTrue(launcher.out().contains("sum=338350\n"), "the sum of squares 1..100" + diagnostics());
        String err = launcher.err();
        assertTrue(err.contains("  hosts:     hostfile " + hosts + "\n"), diagnostics());
        assertTrue(err.contains("  workers:   2 workers, 1 task thread each (-n 2)\n"), diagnostics());
        assertTrue(err.contains("    localhost -> 2   (slots: 2)\n"), diagnostics());
        Set<String> workers = new HashSet<>();
        Matcher m = WORKER_TASK_LINE.matcher(launcher.out());
        while (m.find()) {
            workers.add(m.group(1));
        }
        assertEquals(Set.of("w1", "w2"), workers, "workers that ran a task" + diagnostics());
    }

    /* ---------------- exit codes ---------------- */

    /** A root that calls System.exit(3) makes the launcher exit with 3, leaving nothing behind. */
    @Test
    void run_rootExitsWithThree_launcherExitsWithThree() throws IOException {
        Path jar = AppJars.withMainClass(dir, ExitApp.class);
        launcher = ForkedLauncher.start("-n", "1", jar.toString());

        assertEquals(3, launcher.awaitExit(RUN_DEADLINE), diagnostics());
        assertNothingLeft();
        assertTrue(launcher.out().contains("answer=42, exiting with 3"), diagnostics());
    }

    /** A root whose main throws makes the launcher exit non-zero, its exception on stderr, nothing left. */
    @Test
    void run_rootThrows_launcherExitsNonZeroWithTheException() throws IOException {
        Path jar = AppJars.withMainClass(dir, ThrowingApp.class);
        launcher = ForkedLauncher.start("-n", "1", jar.toString());

        assertEquals(1, launcher.awaitExit(RUN_DEADLINE), diagnostics());
        assertNothingLeft();
        assertTrue(launcher.err().contains("Exception in thread \"main\" java.lang.IllegalStateException: ThrowingApp"
                + " fails on purpose after the answer 42"), diagnostics());
    }

    /**
     * Inside a Slurm job the launcher needs neither a hostfile nor -n: the hosts and the worker count come
     * from the job's variables (here a one-node allocation of this machine, with 2 tasks).
     */
    @Test
    void run_insideASlurmJob_takesHostsAndWorkersFromTheJob() throws IOException {
        Path jar = AppJars.withMainClass(dir, SumApp.class);
        launcher = ForkedLauncher.startWithEnv(Map.of("SLURM_JOB_NODELIST", "localhost", "SLURM_TASKS_PER_NODE",
                "2", "SLURM_NTASKS", "2"), "-v", jar.toString(), "100", "2");

        assertEquals(0, launcher.awaitExit(RUN_DEADLINE), diagnostics());
        assertNothingLeft();
        assertTrue(launcher.out().contains("sum=338350\n"), "the sum of squares 1..100" + diagnostics());
        String err = launcher.err();
        assertTrue(err.contains("  hosts:     Slurm allocation (SLURM_JOB_NODELIST=localhost)"), diagnostics());
        assertTrue(err.contains("  workers:   2 workers, 1 task thread each (default: SLURM_NTASKS=2)"), diagnostics());
        assertTrue(err.contains("started workers localhost: w1 (pid "), diagnostics());
    }

    /** A worker that dies while the root runs is replaced on its host; the task it held runs on the new one. */
    @Test
    void run_workerDies_launcherStartsAnotherInItsPlace() throws IOException {
        Path jar = AppJars.withMainClass(dir, CrashOnceApp.class);
        launcher = ForkedLauncher.start("-n", "1", jar.toString(), dir.resolve("crashed-once").toString());

        assertEquals(0, launcher.awaitExit(RUN_DEADLINE), diagnostics());
        assertNothingLeft();
        Matcher m = Pattern.compile("second attempt ran in pid (\\d+), first in (\\d+)").matcher(launcher.out());
        assertTrue(m.find(), diagnostics());
        assertNotEquals(m.group(1), m.group(2), "the task ran again in another worker JVM");
        assertTrue(launcher.err().contains("scoop: started worker w2 on "), diagnostics());
        assertTrue(launcher.err().contains(" in place of w1"), diagnostics());
    }

    /**
     * -q: the same crash and replacement, and only errors on stderr: the worker's death (trouble), not the
     * replacement the launcher made by itself nor the broker's requeue line; the program's output is untouched.
     */
    @Test
    void run_quiet_printsErrorsOnly() throws IOException {
        Path jar = AppJars.withMainClass(dir, CrashOnceApp.class);
        launcher = ForkedLauncher.start("-q", "-n", "1", jar.toString(), dir.resolve("crashed-once").toString());

        assertEquals(0, launcher.awaitExit(RUN_DEADLINE), diagnostics());
        assertNothingLeft();
        assertTrue(launcher.out().contains("second attempt ran in pid "), diagnostics());
        assertFalse(launcher.err().contains(" in place of w1"), diagnostics());
        assertFalse(launcher.err().contains("requeued"), diagnostics());
    }

    /**
     * A long invokeAll under the launcher, stderr a pipe: progress lines (done of submitted, failed, in flight,
     * rate); with -q, none.
     */
    @Test
    @Tag("slow") // over 10 s: run by .ci/run with the slow group
    void run_longInvokeAll_progressLinesInAPipe_noneWithQuiet() throws IOException {
        Path jar = AppJars.withMainClass(dir, ProgressApp.class);
        launcher = ForkedLauncher.start("-n", "2", "--root-jvm-opt=-Dscoop.progress.interval=1", jar.toString());
        assertEquals(0, launcher.awaitExit(RUN_DEADLINE), diagnostics());
        assertNothingLeft();
        assertTrue(launcher.out().contains("sum=45 progress=10"), diagnostics());
        assertTrue(Pattern.compile("(?m)^scoop: progress: \\d+ of 10 done, 0 failed, \\d+ in flight, [0-9.]+/s")
                .matcher(launcher.err()).find(), diagnostics());

        launcher = ForkedLauncher.start("-q", "-n", "2", "--root-jvm-opt=-Dscoop.progress.interval=1", jar.toString());
        assertEquals(0, launcher.awaitExit(RUN_DEADLINE), diagnostics());
        assertNothingLeft();
        assertTrue(launcher.out().contains("sum=45 progress=10"), diagnostics());
        assertFalse(launcher.err().contains("scoop: progress:"), diagnostics());
    }

    /**
     * Workers that cannot start (a bad JVM option) are replaced with a backoff until five in a row have exited
     * before joining; then their host is given up, and with no host left the root's task fails saying why.
     */
    @Test
    void run_workersCannotStart_hostGivenUpAndTheTaskFailsSayingWhy() throws IOException {
        Path jar = AppJars.withMainClass(dir, ThrowingApp.class);
        launcher = ForkedLauncher.start("-n", "1", "--jvm-opt=-XX:+ScoopNoSuchOption", jar.toString());

        assertNotEquals(0, launcher.awaitExit(RUN_DEADLINE), diagnostics());
        assertNothingLeft();
        String err = launcher.err();
        assertTrue(err.contains("scoop: no longer replacing dead workers on localhost: 5 of its workers in a row"
                + " exited before joining the broker"), diagnostics());
        assertTrue(err.contains("no worker is left and none can be started: localhost:"), diagnostics());
        assertTrue(err.contains("Unrecognized VM option 'ScoopNoSuchOption'"), diagnostics());
    }

    /* ---------------- run-wide options ---------------- */

    /**
     * One run with every run-wide option, read back by OptionsApp: the prolog's exported variable, both --env
     * variables (a value with a space, and one passed through from the launcher's environment) and the
     * niceness reach a task on a worker; a class found only in the second -cp entry (a class directory
     * compiled here) loads in the root and on the worker; with --max-attempts 1 a task that halts its worker
     * fails with WorkerLostException after one attempt; with --task-timeout 2s a sleeping task fails with
     * TaskTimeoutException; -vv shows the worker command lines and connections, and --log has them too.
     */
    @Test
    void options_allRunWideOptions_reachRootAndWorkers() throws IOException {
        Path appJar = AppJars.withMainClass(dir, OptionsApp.class);
        Path extra = compileExtraClass(dir.resolve("extra-classes"));
        Path prolog = Files.writeString(dir.resolve("prolog.sh"), "# as a cluster's module loads would\n"
                + "SCOOP_PROLOG_VAR=sourced\nexport SCOOP_PROLOG_VAR\necho prolog ran\n");
        Path log = dir.resolve("logs").resolve("run.log");
        launcher = ForkedLauncher.startWithEnv(Map.of("SCOOP_TEST_PASSED", "from the launcher"), "-vv", "--log",
                log.toString(), "-n", "2", "--prolog", prolog.toString(), "--env", "SCOOP_TEST_ENV=hello world",
                "--env", "SCOOP_TEST_PASSED", "--nice", "7", "--max-attempts", "1", "--task-timeout", "2s", "-cp",
                appJar + ":" + extra, OptionsApp.class.getName(), dir.resolve("halts").toString());

        assertEquals(0, launcher.awaitExit(RUN_DEADLINE), diagnostics());
        assertNothingLeft();
        String out = launcher.out();
        String extraClass = "Extra says hi@" + extra.toUri().toURL();
        assertTrue(out.contains("root saw env=hello world extra=" + extraClass + "\n"), extraClass + diagnostics());
        int nice = Math.min(19, OptionsApp.nice() + 7); // nice -n adds to the launcher's own niceness
        assertTrue(out.contains("task saw prolog=sourced env=hello world passed=from the launcher nice=" + nice
                + " extra=" + extraClass + "\n"), diagnostics());
        assertTrue(Pattern.compile("^\\[w\\d\\] prolog ran$", Pattern.MULTILINE).matcher(out).find(), diagnostics());
        assertTrue(out.contains("halt: WorkerLostException\nhalt attempts=1\n"), diagnostics());
        Matcher sleep = Pattern.compile("^sleep: TaskTimeoutException after (\\d+) s$", Pattern.MULTILINE).matcher(out);
        assertTrue(sleep.find() && Integer.parseInt(sleep.group(1)) < 30, diagnostics());

        String err = launcher.err();
        assertTrue(err.contains("  worker setup: prolog " + prolog + ", nice 7, env SCOOP_TEST_ENV, SCOOP_TEST_PASSED"
                + " (the variables are the root's too)\n"), diagnostics());
        assertTrue(err.contains(" -Dscoop.maxAttempts=1 -Dscoop.taskTimeout=2s "), diagnostics());
        Matcher command = Pattern.compile("^scoop: worker w1 on localhost command: sh -c .*exec nice -n 7 .* --name w1 .*"
                + "; with --env SCOOP_TEST_ENV, SCOOP_TEST_PASSED$", Pattern.MULTILINE).matcher(err);
        assertTrue(command.find(), diagnostics());
        assertFalse(err.contains("hello world"), "-vv shows the names of --env variables, not their values"
                + diagnostics());
        assertTrue(err.contains("scoop: worker w2 connected to the broker at tcp://127.0.0.1:"), diagnostics());
        assertTrue(err.contains("scoop: the root connected to the broker at tcp://127.0.0.1:"), diagnostics());

        List<String> logLines = Files.readAllLines(log);
        Pattern stamped = Pattern.compile("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z .*");
        assertTrue(logLines.stream().allMatch(l -> stamped.matcher(l).matches()), "every log line has its time: "
                + logLines);
        assertTrue(logLines.stream().noneMatch(l -> l.contains("hello world")), "the log shows --env values: "
                + logLines);
        for (String expected : List.of(" scoop: scoop-launcher --jvm-opt=", " --env SCOOP_TEST_ENV=... --env"
                + " SCOOP_TEST_PASSED --nice 7 ", " scoop: started workers localhost: w1 (pid ",
                " scoop: worker w1 on localhost command: sh -c ", " scoop: worker w1 connected to the broker at ",
                " scoop: started root (pid ", " scoop: stopped in ", "  worker setup: prolog ")) {
            assertTrue(logLines.stream().anyMatch(l -> l.contains(expected)), "the log lacks '" + expected + "': "
                    + logLines);
        }
    }

    /**
     * A prolog that fails (exit 3) on the only host: the launcher says which prolog failed on which host, with
     * its last words, starts no more workers, and ends the run with exit code 1, leaving nothing behind.
     */
    @Test
    void options_failingProlog_endsTheRunNamingPrologAndHost() throws IOException {
        Path jar = AppJars.withMainClass(dir, SumApp.class);
        Path prolog = Files.writeString(dir.resolve("bad-prolog.sh"), "echo 'module: no such module: foo' >&2\n"
                + "exit 3\n");
        launcher = ForkedLauncher.start("-n", "2", "--prolog", prolog.toString(), jar.toString(), "10", "2");

        assertEquals(1, launcher.awaitExit(RUN_DEADLINE), diagnostics());
        assertNothingLeft();
        String err = launcher.err();
        Matcher m = Pattern.compile("^scoop: the prolog " + Pattern.quote(prolog.toString()) + " failed on localhost"
                + " \\(this machine\\), so worker w\\d did not start: worker w\\d \\(pid \\d+\\) exited with code 97;"
                + " its last words: module: no such module: foo \\| scoop: the prolog " + Pattern.quote(prolog.toString())
                + " failed on localhost \\(exit code 3\\): the worker JVM was not started$", Pattern.MULTILINE)
                .matcher(err);
        assertTrue(m.find(), diagnostics());
        assertTrue(err.contains("scoop: no longer starting workers on localhost: its prolog fails (fix it, or leave out"
                + " --prolog)\n"), diagnostics());
        assertTrue(err.contains("scoop: the prolog failed on every host: ending the run (exit code 1)\n"), diagnostics());
        assertFalse(launcher.out().contains("sum="), diagnostics());
    }

    /** Compiles {@value OptionsApp#EXTRA}, whose greeting() says "Extra says hi", into {@code classes}. */
    static Path compileExtraClass(Path classes) throws IOException {
        Path src = dir(classes.resolveSibling("extra-src").resolve("scooptest").resolve("extra"));
        Path java = Files.writeString(src.resolve("Extra.java"), "package scooptest.extra;\n"
                + "public final class Extra {\n"
                + "    public static String greeting() {\n"
                + "        return \"Extra says hi\";\n"
                + "    }\n"
                + "}\n");
        Files.createDirectories(classes);
        javax.tools.JavaCompiler javac = javax.tools.ToolProvider.getSystemJavaCompiler();
        int code = javac.run(null, null, null, "-d", classes.toString(), java.toString());
        assertEquals(0, code, "javac of " + java);
        return classes;
    }

    private static Path dir(Path p) throws IOException {
        return Files.createDirectories(p);
    }

    /* ---------------- Ctrl-C ---------------- */

    /** SIGINT to the launcher while its root waits on a running task ends the launcher, root and workers. */
    @Test
    void sigint_whileTheRootRuns_endsEveryProcess() throws IOException {
        Path jar = AppJars.withMainClass(dir, BlockingApp.class);
        launcher = ForkedLauncher.start("-n", "1", jar.toString());
        launcher.awaitOutput("blocking task started", RUN_DEADLINE);
        assertEquals(3, launcher.markedAlive().size(), "launcher, root and one worker:\n"
                + launcher.describeMarkedAlive());

        launcher.signal("INT");

        assertEquals(130, launcher.awaitExit(Duration.ofSeconds(20)), diagnostics());
        launcher.awaitNoMarkedProcess(Duration.ofSeconds(10));
        assertTrue(launcher.err().contains("scoop: the launcher was stopped (SIGINT or SIGTERM): ending the root"),
                diagnostics());
    }

    /** kill -9 of the launcher while its root waits on a running task: root and workers end by themselves. */
    @Test
    void kill9_ofTheLauncher_rootAndWorkersEndByThemselves() throws IOException {
        Path jar = AppJars.withMainClass(dir, BlockingApp.class);
        launcher = ForkedLauncher.start("-n", "1", jar.toString());
        launcher.awaitOutput("blocking task started", RUN_DEADLINE);
        assertEquals(3, launcher.markedAlive().size(), launcher.describeMarkedAlive());

        launcher.signal("KILL");

        launcher.awaitNoMarkedProcess(Duration.ofSeconds(15));
    }

    /* ---------------- helpers ---------------- */

    private static String valueOf(String out, String prefix) {
        return out.lines().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length())).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting with '" + prefix + "' in:\n" + out));
    }

    private static Set<Long> pidsOnLine(String out, String prefix) {
        String list = valueOf(out, prefix);
        List<String> items = Arrays.asList(list.substring(1, list.length() - 1).split(",\\s*"));
        return items.stream().map(Long::parseLong).collect(Collectors.toSet());
    }
}
