package io.scoop.launcher;

import io.scoop.RunKeys;
import io.scoop.broker.Broker;
import io.scoop.internal.Respawner;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Carries out one {@link LaunchPlan}: starts the broker, the workers of every host and the root, waits for
 * the root, and ends everything it started, also when the launcher is stopped with Ctrl-C (SIGINT) or
 * SIGTERM. {@link #run()} returns the root's exit code.
 */
final class Launch {
    /*
     * Implementation notes.
     *
     * The pipeline, in run():
     *   broker -> remote hosts: connect (and forward a port, with --tunnel) and stage jars, all hosts in parallel
     *   -> workers, host by host -> root -> wait for the root -> stop()
     *
     * Remote hosts are prepared before any worker starts, so that with --on-host-failure=stop a host that
     * cannot be reached stops the run with nothing started but the broker (which stop() closes). With skip,
     * the failed hosts are left out and the run goes on with the workers of the others.
     *
     * Workers start host by host in the plan's order, hosts with no worker skipped. All local hosts share one
     * LocalSpawner (they are the same machine, whatever name the hostfile gives them), so worker names stay
     * unique: "localhost 2" and "127.0.0.1 2" give w1, w2, then w3, w4. Remote workers are named after their
     * host: node07/w1, node07/w2.
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
     * Keys: every run has its own, of one of two kinds (RunKeys).
     *   CURVE (--curve, or any remote host in the plan): keys made by RunKeys.generate(); traffic encrypted.
     *   a token (otherwise: every host is this machine, and the broker binds loopback): RunKeys.token(),
     *          presented as the ZeroMQ PLAIN password once per connection; loopback traffic is readable by
     *          no other non-root user, and messages cost nothing more than plain TCP.
     * Either way they never leave this JVM but as the member line, which has no broker secret: on each
     * worker's stdin (LocalWorkers writes it to the pipe it keeps anyway; WorkerMain --keys-stdin reads it)
     * and in the root's environment (RunKeys.ENV). Not on any command line and in no file: a process's
     * environment is readable by its user and the superuser only, the same people who could read a 0600 file,
     * and nothing is left on disk if this JVM is killed.
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
    /** The root's variable with this launcher's pid: the root ends when the launcher does (scoop-core reads it). */
    static final String LAUNCHER_PID_ENV = "SCOOP_LAUNCHER_PID";

    private enum State { STARTING, RUNNING, STOPPING, STOPPED }

    /** What to do when a remote host cannot be reached or logged in to. */
    enum OnHostFailure {
        /** End the run before any worker starts: exit code 1 with the reason. */
        stop,
        /** Go on with the other hosts, saying which were skipped and how many workers that removed. */
        skip
    }

    /**
     * How remote hosts are reached.
     *
     * @param options   the SSH options of the command line
     * @param config    the parsed ssh configuration
     * @param onFailure what an unreachable host does to the run
     */
    record Remote(SshOptions options, SshConfig config, OnHostFailure onFailure) {
    }

    private final LaunchPlan plan;
    private final LauncherLog log;
    private final PrintStream workerOut;
    private final PrintStream workerErr;
    private final Remote remote;
    private final boolean curve;
    private final List<Spawner> spawners = new CopyOnWriteArrayList<>();
    /** The name of every worker started, replacements included (for -vv). */
    private final List<String> startedWorkers = new CopyOnWriteArrayList<>();
    /** When each host's dead workers are replaced, and when that stops (see Respawner): one per spawner. */
    private final Map<Spawner, Respawner> respawners = new java.util.concurrent.ConcurrentHashMap<>();
    /** Starts replacements after their delay. */
    private final java.util.concurrent.ScheduledExecutorService respawnTimer =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "scoop-respawn");
                t.setDaemon(true);
                return t;
            });
    /** The exit code when the run cannot go on (a prolog failed on every host). */
    static final int FATAL_EXIT_CODE = 1;

    private volatile State state = State.STARTING;
    /** Why the run was ended by the launcher itself, or null. */
    private volatile String fatal;
    /** Hears about the workers of every spawner. */
    private final Spawner.Listener listener = new Spawner.Listener() {
        @Override
        public void exited(Spawner spawner, String worker, String why) {
            workerExited(spawner, worker, why);
        }

        @Override
        public void prologFailed(Spawner spawner, String worker, String why) {
            Launch.this.prologFailed(spawner, worker, why);
        }
    };
    private volatile Broker broker;
    /** Where the broker serves its status page, or null for none (--no-status). */
    private String statusBind = "127.0.0.1";
    /** The environment variable that hands the status page's URL to the root (DistributedExecutor.statusPageUrl). */
    static final String STATUS_URL_ENV = "SCOOP_STATUS_URL";
    private Process root;
    /** The root JVM's class-data sharing archive (null if none), and whether this run's root makes it. */
    private io.scoop.internal.CdsArchive rootArchive;
    private boolean rootMakesArchive;

    /**
     * @param plan      what to start
     * @param log       where the launcher's own messages go (standard error, and the --log file), at the
     *                  verbosity asked for
     * @param workerOut where workers' standard output is forwarded
     * @param workerErr where workers' standard error is forwarded
     * @param remote    how remote hosts are reached; may be null when every host is local
     * @param curve     whether the broker uses CURVE with keys made for this run even when every host is this
     *                  machine; a plan with a remote host always does
     */
    /** Serves the status page on {@code bindAddress}, or none for null (default: 127.0.0.1). */
    Launch statusPage(String bindAddress) {
        this.statusBind = bindAddress;
        return this;
    }

    Launch(LaunchPlan plan, LauncherLog log, PrintStream workerOut, PrintStream workerErr, Remote remote,
            boolean curve) {
        this.curve = curve || !plan.remoteHosts().isEmpty();
        this.plan = plan;
        this.remote = remote;
        this.log = log;
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
                return fatal != null ? FATAL_EXIT_CODE : STOPPED_EXIT_CODE;
            }
            int code = waitFor(p);
            if (rootMakesArchive) {
                rootArchive.made(code);
            }
            if (fatal != null) {
                return FATAL_EXIT_CODE;
            }
            if (state != State.RUNNING) {
                // Stopped by a signal: the root ended because our hook sent it SIGTERM, so its code (143) is
                // ours, not its own; and a JVM that is shutting down may take this code over the signal's.
                return STOPPED_EXIT_CODE;
            }
            say("root (pid " + p.pid() + ") exited with code " + code);
            return code;
        } finally {
            if (rootMakesArchive) {
                // A root that never started, or was stopped: its claim on making the archive is let go.
                Process r = root;
                rootArchive.made(r == null || r.isAlive() ? -1 : r.exitValue());
            }
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
        RunKeys keys = curve ? RunKeys.generate() : RunKeys.token();
        synchronized (this) {
            if (state != State.STARTING) {
                return null;
            }
            // No "no worker left" timeout: dead workers are replaced, and workerExited tells the broker when
            // none will come.
            Broker.Builder bb = Broker.builder().bind(plan.brokerBind()).heartbeat(HEARTBEAT_MILLIS, EXPIRY_MILLIS)
                    .secure(keys).noWorkerTimeout(Long.MAX_VALUE);
            if (statusBind != null) {
                bb.statusPage(statusBind, 0);
            }
            try {
                b = bb.start();
            } catch (java.io.UncheckedIOException e) {
                // The broker closed itself: only the status page could not bind (a bad --status-bind).
                throw new IOException(e.getMessage() + " (--status-bind " + statusBind + "; 127.0.0.1 is this"
                        + " machine only, or --no-status for none)", e);
            }
            broker = b;
        }
        log.infoBlock(plan.describe(b.address()));
        say(keys.isCurve() ? "CURVE: keys made for this run; workers read them on stdin, the root in " + RunKeys.ENV
                : "token: made for this run (every host is this machine); workers read it on stdin, the root in "
                        + RunKeys.ENV);
        String localAddress = LaunchPlan.localDial(b.address());
        WorkerSpec spec = new WorkerSpec(localAddress, plan.classpath(), plan.workerJvmOptions(),
                plan.threadsPerWorker(), HEARTBEAT_MILLIS, EXPIRY_MILLIS, workerOut, workerErr, keys, plan.setup());
        // With --tunnel, each remote host gets a port on its loopback forwarded to the broker's local address.
        String remoteAddress = plan.tunnel() ? localAddress : plan.remoteDial(b.address());
        SpawnChoice through = plan.spawn();
        Map<Host, SshSpawner> remoteSpawners = through.method().viaScheduler() ? Map.of()
                : prepareRemoteHosts(spec, remoteAddress);
        if (remoteSpawners == null) {
            return null;
        }
        Spawner local = null;
        for (LaunchPlan.HostShare share : plan.hosts()) {
            boolean scheduled = through.method().viaScheduler();
            if (share.workers() == 0 || (!scheduled && !share.host().isLocal()
                    && !remoteSpawners.containsKey(share.host()))) {
                continue;
            }
            synchronized (this) {
                if (state != State.STARTING) {
                    return null;
                }
                Spawner s;
                boolean again = !scheduled && share.host().isLocal() && local != null;
                if (scheduled) {
                    // Every node, this one included, gets its workers through the scheduler (srun -w NODE): the
                    // job's accounting, limits and clean-up cover them, and no address decides what is "here".
                    s = new SchedulerSpawner(through.method(), through.executable(), share.host().name(), spec,
                            share.host().isLocal() || remoteAddress == null ? localAddress : remoteAddress, listener);
                    spawners.add(s);
                } else if (again) {
                    // Every local host is this machine: one spawner numbers all of its workers (w1, w2, ...),
                    // so that no two workers of the run share a name, whatever the names of the local hosts.
                    s = local;
                } else if (!share.host().isLocal()) {
                    s = remoteSpawners.get(share.host());
                } else {
                    s = Spawner.forHost(share.host(), spec, listener, null);
                    spawners.add(s);
                    local = s;
                }
                List<String> names;
                try {
                    names = s.start(share.workers());
                    Respawner r = respawners.computeIfAbsent(s, k -> new Respawner(Respawner.DEFAULT_MAX_FAILED_STARTS));
                    names.forEach(r::started);
                    startedWorkers.addAll(names);
                } catch (IOException e) {
                    throw new IOException("could not start " + share.workers() + " worker JVMs on "
                            + share.host().name() + (spec.jvmOptions().isEmpty() ? ""
                                    : " with " + LaunchPlan.join(spec.jvmOptions())) + ": " + e.getMessage(), e);
                }
                say(again ? "started workers " + String.join(", ", names) + " on " + share.host().name()
                        + " (this machine, as " + s.host() + ")" : "started workers " + s);
                debugCommands(s, names);
            }
        }
        if (b.statusUrl() != null) {
            // Once the workers are starting (a run that stops before, on an unreachable host, has nothing to watch).
            log.notice("status page at " + b.statusUrl());
        }
        // The root JVM maps a class-data sharing archive of its classes, which its first run makes as it ends.
        List<String> rootCommand = new ArrayList<>(plan.rootCommand());
        rootArchive = io.scoop.internal.CdsArchive.forJvm("root", plan.classpath(), plan.rootJvmOptions());
        List<String> sharing = rootArchive == null ? List.of() : rootArchive.nextOptions();
        rootMakesArchive = io.scoop.internal.CdsArchive.makes(sharing);
        rootCommand.addAll(1, sharing);
        ProcessBuilder pb = new ProcessBuilder(rootCommand).inheritIO();
        pb.environment().putAll(plan.setup().env());
        pb.environment().put(LaunchPlan.BROKER_ENV, localAddress);
        pb.environment().put(RunKeys.ENV, keys.memberLine());
        if (b.statusUrl() != null) {
            pb.environment().put(STATUS_URL_ENV, b.statusUrl());
        }
        // The root ends itself when this JVM ends, even by kill -9 (DistributedExecutor watches this pid).
        pb.environment().put(LAUNCHER_PID_ENV, Long.toString(ProcessHandle.current().pid()));
        if (!log.quiet()) {
            // A long map or invokeAll shows its progress: a bar on a terminal, a line now and then elsewhere.
            pb.environment().putIfAbsent(io.scoop.internal.ProgressDisplay.ENV, "auto");
        }
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
            log.debug("root (pid " + root.pid() + ") command: " + LaunchPlan.join(plan.rootCommand())
                    + (plan.setup().env().isEmpty() ? "" : "; with --env " + String.join(", ",
                            plan.setup().env().keySet())));
            if (log.debug()) {
                watchConnections(b);
            }
            return root;
        }
    }

    /**
     * Connects to every remote host that gets workers and stages the jars there, all hosts at once. A host
     * that fails stops the run (an IOException with one line per failed host) or, with
     * {@link OnHostFailure#skip}, is left out with a message.
     *
     * @return the ready spawner of each remote host that goes on, or null if stop() came first
     * @throws IOException if a host failed and the policy is stop, or no host with workers is left
     */
    private Map<Host, SshSpawner> prepareRemoteHosts(WorkerSpec spec, String remoteAddress) throws IOException {
        List<LaunchPlan.HostShare> shares = plan.hosts().stream()
                .filter(s -> s.workers() > 0 && !s.host().isLocal()).toList();
        Map<Host, SshSpawner> ready = new LinkedHashMap<>();
        if (shares.isEmpty()) {
            return ready;
        }
        if (remote == null || remoteAddress == null) {
            throw new IOException("hosts " + LaunchPlan.names(shares.stream().map(LaunchPlan.HostShare::host)
                    .toList()) + " are remote, and no SSH settings or broker address were given to reach them");
        }
        SshSpawner.Context ctx = new SshSpawner.Context(remote.options(), remote.config(), remoteAddress,
                Path.of(System.getProperty("user.home")), log);
        Map<Host, SshSpawner> all = new LinkedHashMap<>();
        synchronized (this) {
            if (state != State.STARTING) {
                return null;
            }
            for (LaunchPlan.HostShare share : shares) {
                SshSpawner s = (SshSpawner) Spawner.forHost(share.host(), spec, listener, ctx);
                spawners.add(s);
                all.put(share.host(), s);
            }
        }
        say("connecting to " + LaunchPlan.names(List.copyOf(all.keySet())) + " over SSH, in parallel (at most "
                + remote.options().timeoutMillis() + " ms each to log in)");
        SshSpawner.JarSupplier jars = localJars(spec.classpath());
        Map<Host, CompletableFuture<Void>> work = new LinkedHashMap<>();
        for (Map.Entry<Host, SshSpawner> e : all.entrySet()) {
            SshSpawner s = e.getValue();
            work.put(e.getKey(), CompletableFuture.runAsync(() -> {
                try {
                    s.connect();
                    s.stage(jars);
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            }, r -> {
                Thread t = new Thread(r, "scoop-ssh-prepare-" + e.getKey().name());
                t.setDaemon(true);
                t.start();
            }));
        }
        List<String> failures = new ArrayList<>();
        List<Host> skipped = new ArrayList<>();
        int removed = 0;
        for (LaunchPlan.HostShare share : shares) {
            try {
                work.get(share.host()).join();
                ready.put(share.host(), all.get(share.host()));
            } catch (RuntimeException ex) {
                Throwable c = ex.getCause() instanceof UncheckedIOException u ? u.getCause() : ex.getCause();
                String line = c instanceof SshSpawner.SshHostException ? c.getMessage()
                        : "host " + share.host().name() + ": " + (c == null ? ex : c).getMessage();
                failures.add(line);
                skipped.add(share.host());
                removed += share.workers();
                all.get(share.host()).close(0);
            }
        }
        if (failures.isEmpty()) {
            return ready;
        }
        if (remote.onFailure() == OnHostFailure.stop) {
            throw new IOException(String.join(System.lineSeparator() + "scoop: ", failures)
                    + (failures.size() == 1 ? "" : System.lineSeparator() + "scoop: " + failures.size()
                            + " hosts could not be reached")
                    + "; nothing was started (pass --on-host-failure=skip to go on without unreachable hosts)");
        }
        int left = plan.totalWorkers() - removed;
        for (String f : failures) {
            log.warn("skipping " + f);
        }
        log.warn("skipped " + skipped.size() + (skipped.size() == 1 ? " host (" : " hosts (")
                + LaunchPlan.names(skipped) + "), which removes " + removed + " of " + plan.totalWorkers()
                + " workers; going on with " + left + " (--on-host-failure=skip)");
        if (left == 0) {
            throw new IOException("no host with workers is left after skipping " + LaunchPlan.names(skipped)
                    + "; fix the hosts above or add reachable ones");
        }
        return ready;
    }

    /** The worker classpath as jars hashed for staging: computed once, on first use, then shared by all hosts. */
    private static SshSpawner.JarSupplier localJars(String classpath) {
        return new SshSpawner.JarSupplier() {
            private List<StagedJars.LocalJar> jars;

            @Override
            public synchronized List<StagedJars.LocalJar> get() throws IOException {
                if (jars == null) {
                    Path dir = Files.createTempDirectory("scoop-staging-");
                    List<Path> entries = Stream.of(classpath.split(Pattern.quote(File.pathSeparator)))
                            .filter(e -> !e.isEmpty()).map(Path::of).toList();
                    jars = StagedJars.prepare(entries, dir);
                    deleteOnExit(dir);
                }
                return jars;
            }
        };
    }

    /** Marks a flat directory and its files for deletion when the launcher exits. */
    private static void deleteOnExit(Path dir) throws IOException {
        dir.toFile().deleteOnExit();
        try (Stream<Path> s = Files.list(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().deleteOnExit());
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

    /**
     * A worker exited by itself: tell the broker at once, so its tasks go elsewhere, and start another on the
     * same host after its {@link Respawner}'s delay while the root runs. A host whose workers keep exiting
     * before they join the broker is given up, with a message; the others go on. Only when every host is
     * given up and no worker is left do the pending tasks fail, with the reason.
     */
    private void workerExited(Spawner spawner, String worker, String why) {
        Broker b = broker;
        if (state == State.STOPPING || state == State.STOPPED || b == null) {
            return;
        }
        log.error(why);
        b.workerLost(worker, why);
        Respawner r = respawners.computeIfAbsent(spawner, k -> new Respawner(Respawner.DEFAULT_MAX_FAILED_STARTS));
        boolean wasGivenUp = r.gaveUp();
        long delay = r.exited(worker, -1, b.hasJoined(worker));
        // While STARTING too: a worker whose JVM cannot start at all exits before the root is running.
        if (delay >= 0 && (state == State.STARTING || state == State.RUNNING)) {
            try {
                respawnTimer.schedule(() -> replace(spawner, worker), delay, TimeUnit.MILLISECONDS);
                return;
            } catch (java.util.concurrent.RejectedExecutionException e) {
                return;
            }
        }
        if (delay < 0 && !wasGivenUp) {
            giveUpHost(spawner, r.failedStarts() + " of its workers in a row exited before joining the broker;"
                    + " the last: " + why);
        }
        checkAnyWorkerLeft();
    }

    private final Map<Spawner, String> givenUp = new java.util.concurrent.ConcurrentHashMap<>();

    private void giveUpHost(Spawner spawner, String reason) {
        givenUp.put(spawner, reason);
        log.error("no longer replacing dead workers on " + spawner.host() + ": " + reason + " (the other hosts go on)");
    }

    /** When no worker is alive and none will be started, fails the pending tasks with the hosts' reasons. */
    private void checkAnyWorkerLeft() {
        Broker b = broker;
        int left = spawners.stream().mapToInt(Spawner::alive).sum();
        boolean anyHope = spawners.stream().anyMatch(s -> !givenUp.containsKey(s) && respawners.containsKey(s));
        if (left == 0 && !anyHope && b != null) {
            StringBuilder why = new StringBuilder("no worker is left and none can be started:");
            givenUp.forEach((s, reason) -> why.append(" ").append(s.host()).append(": ").append(reason).append(';'));
            b.workerLost("*", why.toString());
        }
    }

    private void replace(Spawner spawner, String worker) {
        String outcome;
        try {
            List<String> started;
            synchronized (this) {
                // stop() holds this lock too: a worker started here is one that stop() will end.
                if (state == State.STOPPING || state == State.STOPPED) {
                    return;
                }
                started = spawner.start(1);
            }
            Respawner r = respawners.get(spawner);
            if (r != null) {
                started.forEach(r::started);
            }
            startedWorkers.addAll(started);
            outcome = "started worker " + String.join(", ", started) + " on " + spawner.host() + " in place of "
                    + worker;
        } catch (IOException | RuntimeException e) {
            outcome = "could not start a worker on " + spawner.host() + " in place of " + worker + ": "
                    + e.getMessage();
            Respawner r = respawners.get(spawner);
            if (r != null) {
                r.giveUp();
            }
            giveUpHost(spawner, outcome);
            checkAnyWorkerLeft();
            return;
        }
        log.warn(outcome);
    }

    /* ---------------- stopping ---------------- */

    /** Ends everything that was started, root first, broker last. Idempotent; safe from any thread. */
    private synchronized void stop(String why) {
        if (state == State.STOPPING || state == State.STOPPED) {
            return;
        }
        state = State.STOPPING;
        respawnTimer.shutdownNow();
        long t0 = System.nanoTime();
        int workers = spawners.stream().mapToInt(Spawner::alive).sum();
        if (root != null && root.isAlive()) {
            log.error(why + ": ending the root (pid " + root.pid() + ") and " + workers
                    + (workers == 1 ? " worker" : " workers"));
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
        log.info(message);
    }

    /** With -vv: the command line of each worker just started. */
    private void debugCommands(Spawner s, List<String> names) {
        if (!log.debug()) {
            return;
        }
        for (String name : names) {
            String line = s.commandLine(name);
            if (line != null) {
                log.debug("worker " + name + " on " + s.host() + " command: " + line
                        + (plan.setup().env().isEmpty() ? "" : "; with --env "
                                + String.join(", ", plan.setup().env().keySet())));
            }
        }
    }

    /**
     * With -vv: a line when each worker joins the broker, and when the root connects (the broker has no
     * listener for these, so a daemon thread looks ten times a second while the run lasts).
     */
    private void watchConnections(Broker b) {
        Thread t = new Thread(() -> {
            java.util.Set<String> seen = new java.util.HashSet<>();
            int roots = 0;
            try {
                while (state == State.RUNNING || state == State.STARTING) {
                    for (String name : startedWorkers) {
                        if (!seen.contains(name) && b.hasJoined(name)) {
                            seen.add(name);
                            log.debug("worker " + name + " connected to the broker at " + b.address());
                        }
                    }
                    int r = b.stats().roots();
                    if (r > roots) {
                        log.debug("the root connected to the broker at " + b.address() + " (" + r
                                + (r == 1 ? " root connection)" : " root connections)"));
                    }
                    roots = r;
                    Thread.sleep(100);
                }
            } catch (InterruptedException | RuntimeException e) {
                // the run is over, or the broker closed under us: nothing more to report
            }
        }, "scoop-connections");
        t.setDaemon(true);
        t.start();
    }

    /**
     * A worker's prolog failed: its JVM never started, and another on the same host would fail the same way.
     * The host is given up at once, with the prolog's words; when no host is left, the run ends with exit code
     * {@value #FATAL_EXIT_CODE}.
     */
    private void prologFailed(Spawner spawner, String worker, String why) {
        Broker b = broker;
        if (state == State.STOPPING || state == State.STOPPED || b == null) {
            return;
        }
        b.workerLost(worker, why);
        Respawner r = respawners.computeIfAbsent(spawner, k -> new Respawner(Respawner.DEFAULT_MAX_FAILED_STARTS));
        if (givenUp.putIfAbsent(spawner, why) == null) {
            r.giveUp();
            log.error(why);
            log.error("no longer starting workers on " + spawner.host() + ": its prolog fails (fix it, or leave out"
                    + " --prolog)" + (spawners.size() > 1 ? "; the other hosts go on" : ""));
        }
        boolean anyHope = spawners.stream().anyMatch(s -> !givenUp.containsKey(s));
        synchronized (listener) {
            if (fatal != null || anyHope || spawners.stream().mapToInt(Spawner::alive).sum() > 0) {
                return;
            }
            fatal = why;
            b.workerLost("*", "no worker is left and none can be started: " + why);
            log.error("the prolog failed on every host: ending the run (exit code " + FATAL_EXIT_CODE + ")");
            Thread t = new Thread(() -> stop("the prolog failed on every host"), "scoop-launcher-stop");
            t.setDaemon(true);
            t.start();
        }
    }
}
