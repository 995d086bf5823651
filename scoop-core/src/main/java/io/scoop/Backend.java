package io.scoop;

import io.scoop.internal.Log;
import io.scoop.broker.Broker;
import io.scoop.internal.LocalWorkers;
import io.scoop.internal.Respawner;
import io.scoop.internal.Sockets;
import io.scoop.root.RootClient;
import io.scoop.worker.TaskContext;
import io.scoop.worker.Worker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.zeromq.ZContext;

/**
 * Where an executor's tasks go, what it started to get there, and in which order that is closed: one of the
 * three start-ups of {@link DistributedExecutor}. The executor holds one and sends through its
 * {@link #client()}; it calls {@link #close()} once, when it terminates.
 */
abstract class Backend {
    private static final AtomicBoolean LAUNCHER_WATCHED = new AtomicBoolean();
    /** The launcher's status page URL, which it hands to the root (an environment variable: this user's only). */
    static final String STATUS_URL_ENV = "SCOOP_STATUS_URL";

    /** The connection tasks are sent through. */
    abstract RootClient client();

    /** Whether this backend opened its connection (and so the executor must close it, and keep the JVM up). */
    abstract boolean ownsClient();

    /** Whether the broker is this backend's own (the embedded default), which applies the builder's maxAttempts. */
    boolean ownsBroker() {
        return false;
    }

    /** For {@code toString}: "embedded, 2 local workers, token", "connected to …", "nested on w1". */
    abstract String mode();

    /** Whether this executor submits from a task on a worker (its children may run on that very worker). */
    boolean nested() {
        return false;
    }

    /** The broker address tasks go to. */
    String brokerAddress() {
        return client().address();
    }

    /** The live status page's URL with its token, or null when there is none. */
    String statusUrl() {
        return null;
    }

    /** How many workers this backend starts itself (the embedded default), or 0 if it starts none. */
    int startedWorkers() {
        return 0;
    }

    /** Worker JVMs connected to the broker, as of its last heartbeat. */
    int workerCount() {
        return client().clusterWorkers();
    }

    /** Closes, in order, what this backend started. Called once. */
    abstract void close();

    /**
     * The backend the builder asks for: nested on this worker (a task that makes an executor), connected (an
     * address, or the launcher's broker from the environment), or the embedded default.
     *
     * @param brokenListener told when the cluster can run no more tasks (the embedded workers cannot be
     *                       replaced); the executor shuts down
     */
    static Backend open(DistributedExecutor.Builder b, Runnable brokenListener) {
        Worker worker = TaskContext.processWorker();
        String address = b.address != null ? b.address : launcherAddress();
        RunKeys keys = b.keys != null || b.address != null ? b.keys : launcherKeys();
        if (b.address == null && worker != null) {
            return new Nested(worker);
        }
        if (address != null) {
            return new Connected(b, address, keys);
        }
        return new Embedded(b, keys, brokenListener);
    }

    /* ---------------- nested: a task on a worker submits through the worker's connection ---------------- */

    private static final class Nested extends Backend {
        private final RootClient client;
        private final String mode;

        Nested(Worker worker) {
            this.client = worker.nestedClient();
            this.mode = "nested on " + worker.name();
        }

        @Override
        RootClient client() {
            return client;
        }

        @Override
        boolean ownsClient() {
            return false;
        }

        @Override
        String mode() {
            return mode;
        }

        @Override
        boolean nested() {
            return true;
        }

        @Override
        void close() {
            // The worker's connection outlives this executor.
        }
    }

    /* ---------------- connected: to the launcher's broker, or an address given ---------------- */

    private static final class Connected extends Backend {
        private final ZContext context = Sockets.context();
        private final RootClient client;
        private final String mode;
        /** The launcher's status page, when it is the launcher's broker we connect to. */
        private final String statusUrl;

        Connected(DistributedExecutor.Builder b, String address, RunKeys keys) {
            try {
                this.client = new RootClient(context, address, "root", b.heartbeatMillis, b.expiryMillis,
                        b.connectTimeoutMillis, keys == null ? null : keys.forMembers());
            } catch (RuntimeException e) {
                context.close();
                throw e;
            }
            this.mode = "connected to " + address + (keys == null ? "" : keys.isCurve() ? " with CURVE" : " with a token");
            String url = b.address == null ? System.getenv(STATUS_URL_ENV) : null;
            this.statusUrl = url == null || url.isBlank() ? null : url;
            watchLauncher();
        }

        @Override
        RootClient client() {
            return client;
        }

        @Override
        boolean ownsClient() {
            return true;
        }

        @Override
        String mode() {
            return mode;
        }

        @Override
        String statusUrl() {
            return statusUrl;
        }

        @Override
        void close() {
            client.close();
            Sockets.close(context);
        }
    }

    /* ---------------- embedded: a broker in this JVM and worker JVMs forked here ---------------- */

    /**
     * The embedded default: a broker bound to loopback with a token, and local worker JVMs that are replaced
     * when they die. Close order: the root's connection, the replacement timer, the workers, the broker.
     */
    private static final class Embedded extends Backend {
        private final Broker broker;
        /** How many workers it starts (and keeps, replacing the dead). */
        private final int started;
        private final LocalWorkers workers;
        /** When dead workers are replaced, and when that stops (see Respawner). */
        private final Respawner respawner;
        /** Starts the replacements, after the respawner's delay. */
        private final ScheduledExecutorService respawnTimer;
        private final RootClient client;
        private final Runnable brokenListener;
        private final String mode;
        private volatile boolean closed;
        private volatile String gaveUpReason;

        Embedded(DistributedExecutor.Builder b, RunKeys keys, Runnable brokenListener) {
            this.brokenListener = brokenListener;
            // Secure by default: without keys of the caller's, a token made for this executor keeps other users
            // of the machine off the loopback port. The root needs none: it is on inproc.
            RunKeys secret = keys != null ? keys : RunKeys.token();
            String classpath = b.classpath(); // before anything starts: it may fail, saying what to set
            // No "no worker left" timeout: dead workers are replaced here, and the broker is told when none will
            // come (workerExited).
            Broker.Builder bb = Broker.builder().heartbeat(b.heartbeatMillis, b.expiryMillis).maxAttempts(b.maxAttempts)
                    .noWorkerTimeout(Long.MAX_VALUE).secure(secret);
            if (b.statusBind != null) {
                bb.statusPage(b.statusBind, 0);
            }
            this.broker = bb.start();
            int n = b.workers > 0 ? b.workers : Runtime.getRuntime().availableProcessors();
            this.started = n;
            this.respawner = new Respawner(b.maxFailedStarts);
            this.respawnTimer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "scoop-respawn");
                t.setDaemon(true);
                return t;
            });
            this.workers = new LocalWorkers(new LocalWorkers.Spec(broker.address(), classpath, b.jvmOptions,
                    b.threadsPerWorker, b.heartbeatMillis, b.expiryMillis, "w", System.out, System.err, secret),
                    this::workerExited).shareClassData();
            try {
                workers.start(n).forEach(respawner::started);
                this.client = new RootClient(broker.context(), broker.inprocAddress(), "root", b.heartbeatMillis,
                        b.expiryMillis, b.connectTimeoutMillis);
                // The broker is in this JVM: while its thread runs, its silence is work (a large message), not loss.
                client.brokerInThisJvm(broker::isRunning);
            } catch (IOException e) {
                respawnTimer.shutdownNow();
                workers.close();
                broker.close();
                throw new UncheckedIOException("could not start " + n + " local worker JVMs: " + e.getMessage(), e);
            }
            this.mode = "embedded, " + n + " local workers" + (secret.isCurve() ? ", CURVE" : ", token");
        }

        @Override
        RootClient client() {
            return client;
        }

        @Override
        boolean ownsClient() {
            return true;
        }

        @Override
        String mode() {
            return mode;
        }

        @Override
        int startedWorkers() {
            return started;
        }

        @Override
        boolean ownsBroker() {
            return true;
        }

        @Override
        String statusUrl() {
            return broker.statusUrl();
        }

        @Override
        String brokerAddress() {
            return broker.address();
        }

        /** Exact: the broker is in this JVM. */
        @Override
        int workerCount() {
            return broker.stats().workers();
        }

        @Override
        void close() {
            closed = true;
            client.close();
            respawnTimer.shutdownNow();
            // Idle workers exit on their own once stdin closes, but HotSpot's exit waits up to 300 ms for threads
            // blocked in native code (JeroMQ's poller); nothing is left to lose by then.
            workers.close(50);
            broker.close();
        }

        /**
         * A worker exited by itself: its tasks go to the others now, and a replacement starts after the
         * {@link Respawner}'s delay, for as long as replacements start. Tasks wait for a worker meanwhile: only
         * when replacing has stopped (workers that exit before joining, {@code maxFailedStarts} in a row, or a
         * start command that cannot be run) and the last worker is gone do the pending tasks fail, with the
         * reason.
         */
        private void workerExited(String name, int exitCode, String why, int remaining) {
            Log.warn(Log.ROOT, "scoop: " + why);
            broker.workerLost(name, why);
            if (closed) {
                return;
            }
            long delay = respawner.exited(name, exitCode, broker.hasJoined(name));
            if (delay >= 0) {
                try {
                    respawnTimer.schedule(() -> replace(name), delay, TimeUnit.MILLISECONDS);
                    return;
                } catch (RejectedExecutionException e) {
                    return; // closing
                }
            }
            giveUpIfNoWorker(remaining, "replacing dead workers stopped after " + respawner.failedStarts()
                    + " workers in a row exited before joining the broker; the last: " + why + "; the worker command: "
                    + workers.commandLine(name) + ". Run it by hand to see why it fails (jvmOptions and classpath"
                    + " are the usual suspects)");
        }

        private void giveUpIfNoWorker(int remaining, String reason) {
            if (gaveUpReason == null) {
                gaveUpReason = reason;
                Log.error(Log.ROOT, "scoop: " + reason);
            }
            if (remaining == 0) {
                broker.workerLost("*", "no worker is left and none can be started: " + gaveUpReason);
                brokenListener.run();
            }
        }

        private void replace(String name) {
            if (closed) {
                return;
            }
            try {
                List<String> started = workers.start(1);
                respawner.started(started.get(0));
                Log.info(Log.ROOT, "scoop: started worker " + started.get(0) + " in place of " + name);
            } catch (IOException e) {
                respawner.giveUp();
                giveUpIfNoWorker(workers.alive(), "could not start a worker in place of " + name + ": "
                        + e.getMessage());
            }
        }
    }

    /* ---------------- the launcher's environment ---------------- */

    private static String launcherAddress() {
        String a = System.getProperty("scoop.broker");
        return a != null && !a.isBlank() ? a : blankToNull(System.getenv("SCOOP_BROKER"));
    }

    /**
     * Under the launcher ({@code SCOOP_LAUNCHER_PID} set), ends this root JVM when the launcher process
     * ends, even by {@code kill -9}: nothing the launcher started may outlive it.
     */
    private static void watchLauncher() {
        String pid = blankToNull(System.getenv("SCOOP_LAUNCHER_PID"));
        if (pid == null || !LAUNCHER_WATCHED.compareAndSet(false, true)) {
            return;
        }
        try {
            ProcessHandle.of(Long.parseLong(pid.trim())).ifPresentOrElse(h -> h.onExit().thenRun(() -> {
                Log.warn(Log.ROOT, "scoop: the launcher (pid " + pid + ") has ended; ending this root JVM");
                Runtime.getRuntime().halt(143);
            }), () -> Runtime.getRuntime().halt(143));
        } catch (NumberFormatException e) {
            Log.warn(Log.ROOT, "scoop: ignoring SCOOP_LAUNCHER_PID='" + pid + "': not a process id");
        }
    }

    /**
     * The run's keys (CURVE keys or a token) from {@value RunKeys#ENV}, or null if it is not set.
     *
     * @throws IllegalArgumentException if it is set but malformed
     */
    private static RunKeys launcherKeys() {
        String line = blankToNull(System.getenv(RunKeys.ENV));
        if (line == null) {
            return null;
        }
        try {
            return RunKeys.parse(line);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("environment variable " + RunKeys.ENV + ": " + e.getMessage()
                    + " (the launcher sets it for the root of each run; unset it to connect plain)", e);
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
