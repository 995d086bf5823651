package io.scoop.launcher;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The launcher as a child process of the test JVM:
 * {@code java -Dscoop.run=MARKER -cp <test classpath> io.scoop.launcher.ScoopLauncher ...}, with the same
 * marker passed to every worker ({@code --jvm-opt}) and to the root ({@code --root-jvm-opt}), so that every
 * JVM of the run can be found by its command line, and none may be left alive after it.
 *
 * <p>Its standard output and error are collected as they come. {@link #close()} kills whatever of the run
 * is still alive, so a failing test leaves nothing behind either.
 */
final class ForkedLauncher implements AutoCloseable {
    /** Options that make the many short-lived JVMs of a test boot faster on a small machine. */
    static final List<String> FAST_JVM = List.of("-XX:TieredStopAtLevel=1", "-Xshare:auto", "-XX:+UseSerialGC");

    private final String marker;
    private final Process process;
    private final StringBuffer out = new StringBuffer();
    private final StringBuffer err = new StringBuffer();

    private ForkedLauncher(List<String> launcherArgs, Map<String, String> env) {
        this.marker = "-Dscoop.run=launcher-test-" + UUID.randomUUID();
        List<String> cmd = new ArrayList<>();
        if (sigintIgnoredHere()) {
            // A JVM started with SIGINT ignored (as a shell starts background jobs, and as children inherit)
            // keeps it ignored and installs no handler: give the launcher the default disposition, as a
            // terminal would, so that the Ctrl-C test can test something.
            cmd.addAll(List.of("env", "--default-signal=INT"));
        }
        cmd.add(LaunchPlan.javaExecutable());
        cmd.add(marker);
        cmd.addAll(FAST_JVM);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ScoopLauncher.class.getName());
        for (String o : FAST_JVM) {
            cmd.add("--jvm-opt=" + o);
            cmd.add("--root-jvm-opt=" + o);
        }
        cmd.add("--jvm-opt=" + marker);
        cmd.add("--root-jvm-opt=" + marker);
        cmd.addAll(launcherArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        // A test describes its batch job itself: none of the machine's own (if CI runs inside one) leaks in.
        pb.environment().keySet().removeIf(k -> k.startsWith("SLURM_") || k.startsWith("PBS_")
                || k.equals("PE_HOSTFILE") || k.equals("NSLOTS"));
        pb.environment().putAll(env);
        try {
            this.process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not fork the launcher: " + cmd, e);
        }
        pump(process.getInputStream(), out, "out");
        pump(process.getErrorStream(), err, "err");
    }

    /** Starts the launcher with these arguments (after the marker and fast-JVM options). */
    static ForkedLauncher start(String... launcherArgs) {
        return new ForkedLauncher(List.of(launcherArgs), Map.of());
    }

    /** Starts the launcher with these environment variables added (a batch job's, say). */
    static ForkedLauncher startWithEnv(Map<String, String> env, String... launcherArgs) {
        return new ForkedLauncher(List.of(launcherArgs), env);
    }

    long pid() {
        return process.pid();
    }

    String out() {
        return out.toString();
    }

    String err() {
        return err.toString();
    }

    /** Waits for the launcher to exit, at most {@code deadline}; returns its exit code. */
    int awaitExit(Duration deadline) {
        try {
            await("launcher pid " + process.pid() + " exits").atMost(deadline).pollInterval(Duration.ofMillis(100))
                    .until(() -> !process.isAlive());
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("the launcher did not exit within " + deadline + "; live processes of the run:\n"
                    + describeMarkedAlive() + "\nout:\n" + out + "\nerr:\n" + err, e);
        }
        return process.exitValue();
    }

    /** Waits until the launcher's standard output holds {@code text}. */
    void awaitOutput(String text, Duration deadline) {
        try {
            await("launcher output contains '" + text + "'").atMost(deadline).pollInterval(Duration.ofMillis(100))
                    .until(() -> out.indexOf(text) >= 0 || !process.isAlive());
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("the launcher did not print '" + text + "' within " + deadline + "; out:\n" + out
                    + "\nerr:\n" + err, e);
        }
        if (out.indexOf(text) < 0) {
            throw new AssertionError("the launcher exited with code " + process.exitValue() + " before printing '"
                    + text + "'; out:\n" + out + "\nerr:\n" + err);
        }
    }

    /** Sends a signal with the real {@code kill}, e.g. {@code INT}. */
    void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
            if (kill.waitFor() != 0) {
                throw new AssertionError("kill -" + name + " " + process.pid() + " failed with code " + kill.exitValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while sending SIG" + name, e);
        }
    }

    /** Every live process of this run (launcher, root, workers), by its marked command line. */
    List<ProcessHandle> markedAlive() {
        return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
                .filter(p -> commandLine(p).map(c -> c.contains(marker)).orElse(false)).toList();
    }

    /** Waits until no process of this run is left. */
    void awaitNoMarkedProcess(Duration deadline) {
        try {
            await("no process with " + marker + " is alive").atMost(deadline).pollInterval(Duration.ofMillis(100))
                    .until(() -> markedAlive().isEmpty());
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("processes of the run still alive after " + deadline + ":\n"
                    + describeMarkedAlive(), e);
        }
    }

    /** Describes the live processes of this run, for failure messages. */
    String describeMarkedAlive() {
        return markedAlive().stream().map(p -> p.pid() + ": " + commandLine(p).orElse("?"))
                .collect(Collectors.joining("\n"));
    }

    /** Whether this JVM was started with SIGINT ignored (bit 2 of SigIgn in /proc/self/status). */
    private static boolean sigintIgnoredHere() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("SigIgn:")) {
                    return (Long.parseLong(line.substring(7).strip(), 16) & 0b10) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return false;
        }
        return false;
    }

    private static Optional<String> commandLine(ProcessHandle p) {
        Path proc = Path.of("/proc", Long.toString(p.pid()), "cmdline");
        try {
            if (Files.isReadable(proc)) {
                return Optional.of(new String(Files.readAllBytes(proc), StandardCharsets.UTF_8).replace('\0', ' '));
            }
        } catch (IOException e) {
            return Optional.empty(); // it has just exited
        }
        return p.info().commandLine();
    }

    private static void pump(InputStream in, StringBuffer to, String name) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    to.append(line).append('\n');
                }
            } catch (IOException e) {
                // the launcher is gone
            }
        }, "forked-launcher-" + name);
        t.setDaemon(true);
        t.start();
    }

    /** Kills every process of this run that is still alive: the launcher, its root and its workers. */
    @Override
    public void close() {
        for (ProcessHandle p : markedAlive()) {
            p.destroyForcibly();
        }
        process.destroyForcibly();
        await("every process with " + marker + " is killed").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100)).until(() -> !process.isAlive() && markedAlive().isEmpty());
    }
}
