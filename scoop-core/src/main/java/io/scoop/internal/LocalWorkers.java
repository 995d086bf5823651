package io.scoop.internal;

import io.scoop.RunKeys;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * Forks worker JVMs on this machine and owns their lifetime.
 *
 * <p>Each worker's standard input is a pipe this object holds open: the worker exits
 * when it reads end-of-file, which happens when we {@link #close} it or when this JVM dies in any way,
 * {@code kill -9} included. Its stdout and stderr are forwarded line by line with a {@code [w1]} prefix
 * (the last lines of stderr are kept to explain an early exit). A worker that exits while we did not ask it
 * to is reported to the {@link Listener}, so the broker can requeue its tasks at once.
 *
 * <p>With {@linkplain Spec#keys() keys} (a broker with CURVE or a token), each worker is started with
 * {@code --keys-stdin} and the first and only thing written to its stdin is the run's key line: the keys are
 * on no command line, and the pipe is readable by this process and the worker only.
 */
public final class LocalWorkers implements AutoCloseable {
    /** Hears about workers that exit on their own. */
    public interface Listener {
        /**
         * @param name      the worker's name
         * @param exitCode  its exit code
         * @param why       a sentence: exit code and the last lines it wrote to stderr
         * @param remaining how many of our workers are still alive
         */
        void exited(String name, int exitCode, String why, int remaining);
    }

    /**
     * How to start the workers.
     *
     * @param keys the run's keys, for a broker with CURVE or a token; null for a plain broker
     */
    public record Spec(String brokerAddress, String classpath, List<String> jvmOptions, int threadsPerWorker,
            long heartbeatMillis, long expiryMillis, String namePrefix, PrintStream out, PrintStream err,
            RunKeys keys) {
        /** Keeps only what members need of the keys: never the broker's secret. */
        public Spec {
            keys = keys == null ? null : keys.forMembers();
        }

        /** A spec for a plain broker (no keys). */
        public Spec(String brokerAddress, String classpath, List<String> jvmOptions, int threadsPerWorker,
                long heartbeatMillis, long expiryMillis, String namePrefix, PrintStream out, PrintStream err) {
            this(brokerAddress, classpath, jvmOptions, threadsPerWorker, heartbeatMillis, expiryMillis, namePrefix,
                    out, err, null);
        }
    }

    private final Spec spec;
    private final Listener listener;
    private final Map<String, Process> processes = new ConcurrentHashMap<>();
    private final List<OutputStream> stdins = new ArrayList<>();
    private final AtomicInteger alive = new AtomicInteger();
    private volatile boolean closing;
    private int seq;

    private final Map<String, String> environment;
    private final UnaryOperator<List<String>> wrapper;
    private volatile CdsArchive cds;
    /** How long {@link #close} waits for the worker that makes the class-data sharing archive to write it. */
    static final long TRAINER_GRACE_MILLIS = 5_000;
    /** The worker that makes the class-data sharing archive, if one does, and whether close killed it. */
    private volatile Process trainer;
    private volatile boolean trainerKilled;
    /** Workers that write a class-data sharing archive as they exit: ours, or the user's own option. */
    private final java.util.Set<Process> archiving = ConcurrentHashMap.newKeySet();

    public LocalWorkers(Spec spec, Listener listener) {
        this(spec, listener, Map.of(), UnaryOperator.identity());
    }

    /**
     * Workers started with variables added to this JVM's environment, and with their command line passed
     * through {@code wrapper} (the launcher's {@code nice} and prolog shell: whatever it puts in front must end
     * by executing the JVM command, so that the process is the worker).
     */
    public LocalWorkers(Spec spec, Listener listener, Map<String, String> environment,
            UnaryOperator<List<String>> wrapper) {
        this.spec = spec;
        this.listener = listener;
        this.environment = Map.copyOf(environment);
        this.wrapper = wrapper;
    }

    /**
     * Starts the workers with a class-data sharing archive (made by the first run, see {@link CdsArchive}) where
     * one can be used; call before {@link #start}. Only for workers on this machine: the archive is a file here.
     */
    public LocalWorkers shareClassData() {
        this.cds = CdsArchive.forWorkers(spec.classpath(), spec.jvmOptions());
        return this;
    }

    /** The archive workers start with (or that the first of them makes), or null if none is used. */
    public java.nio.file.Path classDataArchive() {
        CdsArchive c = cds;
        return c == null ? null : c.path();
    }

    /** Starts {@code n} more workers; returns their names. */
    public synchronized List<String> start(int n) throws IOException {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String name = spec.namePrefix() + (++seq);
            CdsArchive archive = cds;
            List<String> sharing = archive == null ? List.of() : archive.nextOptions();
            List<String> cmd = sharing.isEmpty() ? command(name) : command(name, sharing);
            Process p;
            try {
                ProcessBuilder pb = new ProcessBuilder(cmd);
                pb.environment().putAll(environment);
                p = pb.start();
            } catch (IOException e) {
                if (CdsArchive.makes(sharing)) {
                    archive.made(-1);
                }
                throw new IOException("the worker command failed: " + String.join(" ", cmd) + ": " + e.getMessage(), e);
            }
            if (spec.keys() != null) {
                try {
                    spec.keys().writeMemberLine(p.getOutputStream());
                } catch (IOException e) {
                    // A worker whose command ends at once (a wrapper that gives up, a JVM that cannot start) closes
                    // its stdin before the keys are written: it is reported as any worker that exits, with its
                    // exit code and last words. Only a live worker that will not take its keys is an error here.
                    if (!exitsSoon(p)) {
                        p.destroyForcibly();
                        if (CdsArchive.makes(sharing)) {
                            archive.made(-1);
                        }
                        throw new IOException("could not hand the run's keys to worker " + name + " (pid " + p.pid()
                                + ") through its standard input: " + e.getMessage(), e);
                    }
                }
            }
            processes.put(name, p);
            stdins.add(p.getOutputStream());
            alive.incrementAndGet();
            Deque<String> tail = new ArrayDeque<>();
            pump(p.getInputStream(), spec.out(), "[" + name + "] ", null, name);
            Thread errPump = pump(p.getErrorStream(), spec.err(), "[" + name + "] ", tail, name);
            if (CdsArchive.makes(cmd)) {
                // This worker writes an archive as it exits (ours, or one its options ask for): close waits for it.
                archiving.add(p);
            }
            if (CdsArchive.makes(sharing)) {
                trainer = p;
                p.onExit().thenRun(() -> archive.made(p.exitValue(), trainerKilled));
            }
            p.onExit().thenRun(() -> exited(name, p, errPump, tail));
            names.add(name);
        }
        return names;
    }

    /**
     * The command line that starts a worker of this name, as one string for messages (the run's keys are not
     * on it: they go through stdin).
     */
    public String commandLine(String name) {
        return String.join(" ", command(name));
    }

    /** The command line that starts worker {@code name}, word by word (with the wrapper applied). */
    public List<String> command(String name) {
        return command(name, List.of());
    }

    /** As {@link #command(String)}, with {@code jvmOptions} first. */
    private List<String> command(String name, List<String> jvmOptions) {
        List<String> cmd = command(Path.of(System.getProperty("java.home"), "bin", "java").toString(), spec, name);
        cmd.addAll(1, jvmOptions);
        return wrapper.apply(cmd);
    }

    /**
     * The command line of one worker: {@code JAVA [JVM options] -cp CLASSPATH io.scoop.worker.WorkerMain
     * --broker ADDRESS --name NAME --threads N --heartbeat MS --expiry MS --watch-stdin}. Forked workers use
     * this JVM's {@code java}; a spawner on another host passes that host's {@code java}, and a spec with the
     * classpath and broker address as seen from there.
     *
     * @param java the java executable
     * @param spec the classpath, broker address, JVM options, threads and heartbeat (its prefix and streams are
     *             not used)
     * @param name the worker's name
     */
    public static List<String> command(String java, Spec spec, String name) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(JdkInternals.FLAGS); // plain lambdas and JDK task wrappers are read without sun.misc.Unsafe
        String limit = Sockets.messageLimitOption(spec.jvmOptions());
        if (limit != null) {
            cmd.add(limit); // workers accept what this JVM's broker and root accept
        }
        String logLevel = Log.levelOption(spec.jvmOptions());
        if (logLevel != null) {
            cmd.add(logLevel); // workers print what this JVM prints
        }
        cmd.addAll(spec.jvmOptions());
        cmd.add("-cp");
        cmd.add(spec.classpath());
        cmd.add("io.scoop.worker.WorkerMain");
        cmd.add("--broker");
        cmd.add(spec.brokerAddress());
        cmd.add("--name");
        cmd.add(name);
        cmd.add("--threads");
        cmd.add(Integer.toString(spec.threadsPerWorker()));
        cmd.add("--heartbeat");
        cmd.add(Long.toString(spec.heartbeatMillis()));
        cmd.add("--expiry");
        cmd.add(Long.toString(spec.expiryMillis()));
        cmd.add("--watch-stdin");
        if (spec.keys() != null) {
            cmd.add("--keys-stdin");
        }
        return cmd;
    }

    /** Whether {@code p} has exited, or does within a second. */
    private static boolean exitsSoon(Process p) {
        try {
            return p.waitFor(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !p.isAlive();
        }
    }

    private void exited(String name, Process p, Thread errPump, Deque<String> tail) {
        int remaining = alive.decrementAndGet();
        processes.remove(name);
        if (closing) {
            return;
        }
        try {
            errPump.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String last;
        synchronized (tail) {
            last = String.join(" | ", tail);
        }
        String why = "worker " + name + " (pid " + p.pid() + ") exited with code " + p.exitValue()
                + (last.isEmpty() ? "" : "; its last words: " + last);
        listener.exited(name, p.exitValue(), why, remaining);
    }

    /**
     * Forwards a worker's output to {@code to} line by line, each line after {@code prefix}, on a daemon
     * thread, keeping its last 5 lines in {@code tail} (if not null) to explain an early exit. Also used for
     * workers on other hosts, whose output comes through SSH.
     */
    public static Thread pump(InputStream in, PrintStream to, String prefix, Deque<String> tail, String name) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    to.println(prefix + line);
                    if (tail != null) {
                        synchronized (tail) {
                            tail.addLast(line);
                            if (tail.size() > 5) {
                                tail.removeFirst();
                            }
                        }
                    }
                }
            } catch (IOException e) {
                // the worker is gone
            }
        }, "scoop-output-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** The live worker processes, by name. */
    public Map<String, Process> processes() {
        return Map.copyOf(processes);
    }

    public int alive() {
        return alive.get();
    }

    /**
     * Ends every worker: closes their stdin (they exit at once), waits up to {@code graceMillis}, then
     * kills what is left.
     */
    public void close(long graceMillis) {
        closing = true;
        synchronized (this) {
            for (OutputStream s : stdins) {
                try {
                    s.close();
                } catch (IOException e) {
                    // already closed
                }
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
        // A worker that writes a class-data sharing archive writes it as it exits (about half a second here): it
        // gets that time, once per JDK, options and classpath.
        long trainerDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(graceMillis,
                TRAINER_GRACE_MILLIS));
        for (Process p : processes.values()) {
            try {
                long left = (archiving.contains(p) ? trainerDeadline : deadline) - System.nanoTime();
                if (left <= 0 || !p.waitFor(left, TimeUnit.NANOSECONDS)) {
                    if (p == trainer) {
                        trainerKilled = true;
                    }
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        for (Process p : processes.values()) {
            try {
                p.waitFor(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // Here, not only when its exit is seen on another thread: this JVM may end as soon as close returns.
        Process t = trainer;
        CdsArchive c = cds;
        if (t != null && c != null && !t.isAlive()) {
            c.made(t.exitValue(), trainerKilled);
        }
    }

    @Override
    public void close() {
        close(2000);
    }
}
