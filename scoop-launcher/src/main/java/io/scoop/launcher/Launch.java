package io.scoop.launcher;

import io.scoop.RunKeys;
import io.scoop.broker.Broker;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Carries out one {@link LaunchPlan}: starts the broker, the workers of every host and the root, waits for
 * the root, and ends everything it started, also when the launcher is stopped with Ctrl-C (SIGINT) or
 * SIGTERM. {@link #run()} returns the root's exit code.
 */
final class Launch {
    /*
     * Implementation notes.
     *
     * The pipeline, in run():  broker -> workers, host by host -> root -> wait for the root -> stop()
     *
     * Workers start host by host in the plan's order, hosts with no worker skipped. All local hosts share one
     * LocalSpawner (they are the same machine, whatever name the hostfile gives them), so worker names stay
     * unique: "localhost 2" and "127.0.0.1 2" give w1, w2, then w3, w4. Remote hosts are refused by the
     * launcher before a Launch is made; Spawner.forHost refuses them here too.
     *
     * States, all changed under the lock on this object:
     *   STARTING  run() starts the processes, one step at a time, each under the lock
     *   RUNNING   the main thread waits for the root, outside the lock
     *   STOPPING  stop(): root (if still alive), then workers, then broker
     *   STOPPED   stop() has finished; a second call returns at once
     * STARTING|RUNNING -> STOPPING on the root's exit (main thread), on a start failure (main thread), or on
     * SIGINT/SIGTERM (the shutdown hook). Each start step checks the state under the lock, so nothing can be
     * started after stop() began: a Ctrl-C during start-up leaves nothing behind either.
     *
     * Why each process ends:
     *   root     by itself; if still alive at stop(): SIGTERM to it and its descendants, SIGKILL after
     *            ROOT_GRACE_MILLIS
     *   workers  their stdin pipe closes: Spawner.close(), or the death of this JVM (kill -9 included)
     *   broker   a thread of this JVM: closed last, and gone with the JVM in any case
     *
     * CURVE (--curve, or any remote host in the plan): keys are made for this run (RunKeys.generate()) and
     * never leave this JVM but as the member line, which has no broker secret: on each worker's stdin
     * (LocalWorkers writes it to the pipe it keeps anyway; WorkerMain --keys-stdin reads it) and in the
     * root's environment (RunKeys.ENV). Not on any command line and in no file: a process's environment is
     * readable by its user and the superuser only, the same people who could read a 0600 file, and nothing
     * is left on disk if this JVM is killed. Without CURVE, RunKeys.ENV is removed from the root's environment
     * in case our own environment has one.
     *
     * A worker that exits while we run is reported to the broker at once, so that its tasks are requeued
     * now rather than at the heartbeat expiry; when none is left, the broker fails every pending task with
     * one named reason instead of letting the root wait forever.
     */

    /** Heartbeat interval of broker and workers (they must agree). */
    static final long HEARTBEAT_MILLIS = 1000;
    /** Silence after which broker and workers give each other up. */
    static final long EXPIRY_MILLIS = 5000;
    /** How long workers get to exit after their stdin closes before they are killed. */
    static final long WORKER_GRACE_MILLIS = 3000;
    /** How long the root gets to exit after SIGTERM before SIGKILL. */
    static final long ROOT_GRACE_MILLIS = 3000;
    /** The exit code when the launcher is stopped before the root finishes, as a shell reports SIGINT. */
    static final int STOPPED_EXIT_CODE = 130;

    private enum State { STARTING, RUNNING, STOPPING, STOPPED }

    private final LaunchPlan plan;
    private final PrintWriter log;
    private final boolean verbose;
    private final PrintStream workerOut;
    private final PrintStream workerErr;
    private final boolean curve;
    private final List<Spawner> spawners = new CopyOnWriteArrayList<>();
    private volatile State state = State.STARTING;
    private volatile Broker broker;
    private Process root;

    /**
     * @param plan      what to start
     * @param log       where the launcher's own messages go (standard error)
     * @param verbose   whether to report each step, not only trouble
     * @param workerOut where workers' standard output is forwarded
     * @param workerErr where workers' standard error is forwarded
     */
    Launch(LaunchPlan plan, PrintWriter log, boolean verbose, PrintStream workerOut, PrintStream workerErr) {
        this(plan, log, verbose, workerOut, workerErr, false);
    }

    /**
     * @param curve whether the broker uses CURVE with keys made for this run even when every host is this
     *              machine; a plan with a remote host always does
     */
    Launch(LaunchPlan plan, PrintWriter log, boolean verbose, PrintStream workerOut, PrintStream workerErr,
            boolean curve) {
        this.curve = curve || !plan.remoteHosts().isEmpty();
        this.plan = plan;
        this.log = log;
        this.verbose = verbose;
        this.workerOut = workerOut;
        this.workerErr = workerErr;
    }

    /**
     * Runs the plan to its end.
     *
     * @return the root's exit code, or {@value #STOPPED_EXIT_CODE} if the launcher was stopped first
     * @throws IOException if a worker or the root cannot be started; whatever was started is ended
     */
    int run() throws IOException {
        Thread hook = new Thread(() -> stop("the launcher was stopped (SIGINT or SIGTERM)"), "scoop-launcher-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            Process p = start();
            if (p == null) {
                return STOPPED_EXIT_CODE;
            }
            int code = waitFor(p);
            if (state == State.RUNNING) {
                say("root (pid " + p.pid() + ") exited with code " + code);
            }
            return code;
        } finally {
            stop("the launcher is ending");
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // The JVM is shutting down: the hook is running or has run, and there is nothing to remove.
            }
        }
    }

    /* ---------------- starting ---------------- */

    /** Starts broker, workers and root; returns the root, or null if stop() came first. */
    private Process start() throws IOException {
        Broker b;
        RunKeys keys = curve ? RunKeys.generate() : null;
        synchronized (this) {
            if (state != State.STARTING) {
                return null;
            }
            Broker.Builder bb = Broker.builder().bind(plan.brokerBind()).heartbeat(HEARTBEAT_MILLIS, EXPIRY_MILLIS);
            if (keys != null) {
                bb.curve(keys);
            }
            b = bb.start();
            broker = b;
        }
        if (verbose) {
            log.print(plan.describe(b.address()));
            log.flush();
        }
        if (keys != null) {
            say("CURVE: keys made for this run; workers read them on stdin, the root in " + RunKeys.ENV);
        }
        WorkerSpec spec = new WorkerSpec(b.address(), plan.classpath(), plan.workerJvmOptions(),
                plan.threadsPerWorker(), HEARTBEAT_MILLIS, EXPIRY_MILLIS, workerOut, workerErr, keys);
        Spawner local = null;
        for (LaunchPlan.HostShare share : plan.hosts()) {
            if (share.workers() == 0) {
                continue;
            }
            synchronized (this) {
                if (state != State.STARTING) {
                    return null;
                }
                Spawner s;
                boolean again = share.host().isLocal() && local != null;
                if (again) {
                    // Every local host is this machine: one spawner numbers all of its workers (w1, w2, ...),
                    // so that no two workers of the run share a name, whatever the names of the local hosts.
                    s = local;
                } else {
                    try {
                        s = Spawner.forHost(share.host(), spec, this::workerExited);
                    } catch (IllegalArgumentException e) {
                        throw new IOException(e.getMessage(), e);
                    }
                    spawners.add(s);
                    if (share.host().isLocal()) {
                        local = s;
                    }
                }
                List<String> names;
                try {
                    names = s.start(share.workers());
                } catch (IOException e) {
                    throw new IOException("could not start " + share.workers() + " worker JVMs on "
                            + share.host().name() + (spec.jvmOptions().isEmpty() ? ""
                                    : " with " + LaunchPlan.join(spec.jvmOptions())) + ": " + e.getMessage(), e);
                }
                say(again ? "started workers " + String.join(", ", names) + " on " + share.host().name()
                        + " (this machine, as " + s.host() + ")" : "started workers " + s);
            }
        }
        ProcessBuilder pb = new ProcessBuilder(plan.rootCommand()).inheritIO();
        pb.environment().put(LaunchPlan.BROKER_ENV, b.address());
        if (keys != null) {
            pb.environment().put(RunKeys.ENV, keys.memberLine());
        } else {
            pb.environment().remove(RunKeys.ENV);
        }
        // The root ends itself when this JVM ends, even by kill -9 (DistributedExecutor watches this pid).
        pb.environment().put("SCOOP_LAUNCHER_PID", Long.toString(ProcessHandle.current().pid()));
        synchronized (this) {
            if (state != State.STARTING) {
                return null;
            }
            try {
                root = pb.start();
            } catch (IOException e) {
                throw new IOException("could not start the root JVM (" + plan.rootCommand().get(0) + "): "
                        + e.getMessage(), e);
            }
            state = State.RUNNING;
            say("started root (pid " + root.pid() + "): " + plan.mainClass());
            return root;
        }
    }

    private static int waitFor(Process p) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return p.waitFor();
                } catch (InterruptedException e) {
                    // Only stop() ends the root; an interrupt of this thread does not.
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A worker exited by itself: tell the broker at once, so its tasks go elsewhere (or fail if none is left). */
    private void workerExited(String worker, String why) {
        Broker b = broker;
        if (state == State.STOPPING || state == State.STOPPED || b == null) {
            return;
        }
        synchronized (log) {
            log.println("scoop: " + why);
            log.flush();
        }
        int left = spawners.stream().mapToInt(Spawner::alive).sum();
        if (left == 0) {
            b.workerLost("*", "every worker has exited; the last: " + why);
        } else {
            b.workerLost(worker, why);
        }
    }

    /* ---------------- stopping ---------------- */

    /** Ends everything that was started, root first, broker last. Idempotent; safe from any thread. */
    private synchronized void stop(String why) {
        if (state == State.STOPPING || state == State.STOPPED) {
            return;
        }
        state = State.STOPPING;
        long t0 = System.nanoTime();
        int workers = spawners.stream().mapToInt(Spawner::alive).sum();
        if (root != null && root.isAlive()) {
            synchronized (log) {
                log.println("scoop: " + why + ": ending the root (pid " + root.pid() + ") and " + workers
                        + (workers == 1 ? " worker" : " workers"));
                log.flush();
            }
            endRoot(root);
        } else {
            say("stopping " + workers + (workers == 1 ? " worker" : " workers") + " and the broker");
        }
        for (Spawner s : spawners) {
            s.close(WORKER_GRACE_MILLIS);
        }
        if (broker != null) {
            broker.close();
        }
        state = State.STOPPED;
        say("stopped in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms");
    }

    /** SIGTERM to the root and its descendants, SIGKILL to whatever is left after the grace period. */
    private static void endRoot(Process p) {
        List<ProcessHandle> descendants = new ArrayList<>(p.descendants().toList());
        descendants.forEach(ProcessHandle::destroy);
        p.destroy();
        try {
            if (!p.waitFor(ROOT_GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(ROOT_GRACE_MILLIS, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    private void say(String message) {
        if (verbose) {
            synchronized (log) {
                log.println("scoop: " + message);
                log.flush();
            }
        }
    }
}
