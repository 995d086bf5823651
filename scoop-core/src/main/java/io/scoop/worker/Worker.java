package io.scoop.worker;

import io.scoop.internal.Log;
import io.scoop.RunKeys;
import io.scoop.internal.Blocking;
import io.scoop.internal.Hosts;
import io.scoop.internal.Link;
import io.scoop.internal.RateLimitedLog;
import io.scoop.internal.Sockets;
import io.scoop.root.RootClient;
import io.scoop.wire.Command;
import io.scoop.wire.Hello;
import io.scoop.wire.MalformedMessageException;
import io.scoop.wire.Messages;
import io.scoop.wire.ResultItem;
import io.scoop.wire.Status;
import io.scoop.wire.TaskItem;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.zeromq.ZContext;

/**
 * A worker: receives tasks from the broker, runs them on its task threads, sends the results back.
 *
 * <pre>
 *   rx thread     DISPATCH -> jobs + local queue      CANCEL -> drop from queue, or interrupt
 *                 SHUTDOWN -> exit                     silence past the expiry -> exit (broker gone)
 *   task threads  queue -> {@link TaskRunner#run} (decode, call, encode) -> outbox -> flush
 * </pre>
 *
 * <p><b>Credit.</b> The worker asks for {@code threads + prefetch} tasks; every result it sends returns one
 * credit, and it sends CREDIT deltas when the prefetch it wants changes. The prefetch adapts to task length:
 * about 250 µs of queued work, at least 1 (which hides the round trip) and at most 255 (tiny tasks travel
 * in batches).
 *
 * <p><b>Giving back.</b> A prefetched task must not wait behind a long one while other workers idle. When
 * every task thread has been busy (not waiting on a child) for longer than {@code max(20 ms, 4 × the average task)} and tasks wait
 * in the local queue, the worker drops its prefetch to zero and returns the waiting tasks to the broker
 * (status RETURNED), which queues them for whoever is free. The prefetch comes back as tasks complete.
 *
 * <p><b>Results</b> are flushed when the local queue is empty, when the task that just ended ran longer than
 * 50 µs, or when the oldest unflushed result is 200 µs old: a burst of tiny tasks shares messages, and a
 * long task's result (and its credit) goes back at once.
 *
 * <p><b>Who sends.</b> A short task's thread sends its own result (no hand-off: lowest latency). A task that
 * ran longer than {@value #HANDOFF_NANOS} ns hands its result to the sender thread instead. This works around
 * a race in JeroMQ 0.6.0's {@code zmq.Signaler}: a sender writes the I/O thread's wake-up byte before it counts
 * the command, and the I/O thread, when it runs in between, finds nothing to read and spins in
 * {@code epoll_wait} until the sender runs again. A CPU-bound task thread is exactly the thread the scheduler
 * preempts for the woken I/O thread, which then spun for a whole time slice (2-4 ms, 16% of a core in W3 of
 * scoop-bench). The sender thread is mostly asleep, so the scheduler lets it finish its send.
 *
 * <p><b>Cancel, then kill.</b> {@code cancel(true)} interrupts a running task. A task that is still running
 * {@code scoop.killAfterMillis} (a system property of the worker JVM; default 5000, 0 = never) after its
 * interrupt ignores interrupts, as tight numeric loops do: the worker then ends its own JVM with exit code
 * {@value #KILLED_EXIT_CODE}, since a Java thread cannot be stopped any other way. The broker requeues the
 * worker's other tasks, and whoever started the worker starts a new one.
 *
 * <p><b>Blocking.</b> A task that waits on another task's future lends its slot: the worker starts one more
 * task thread and lends the broker a slot (LEND: one more credit, and a thread the broker counts as idle when it
 * steals held children), and takes both back when the wait ends (see {@link Blocking}). So recursive trees of
 * tasks run on a single worker without deadlock. A parent whose thread stays parked outside such a wait (a plain
 * {@code CompletableFuture} of its children) lends its slot the same way after {@link #COMPENSATE_AFTER_NANOS}.
 */
public final class Worker {
    private static final long FLUSH_AGE_NANOS = 200_000;
    private static final long LONG_TASK_NANOS = 50_000;
    private static final long PREFETCH_TARGET_NANOS = 250_000;
    private static final int MAX_PREFETCH = 255;
    private static final long HANDOFF_NANOS = 1_000_000;

    private final String name;
    private final String brokerAddress;
    private final int threads;
    private final long heartbeatNanos;
    private final long expiryNanos;
    private final ZContext ctx;
    private final RateLimitedLog badInput = new RateLimitedLog("scoop worker");
    private final RunKeys keys;
    private final Link link;
    private final LinkedBlockingDeque<Job> queue = new LinkedBlockingDeque<>();
    private final Map<Long, Job> jobs = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<ResultItem> outbox = new ConcurrentLinkedQueue<>();
    private final TaskRunner runner;
    private final Object threadLock = new Object();
    private int allowedThreads;
    /** The most bytes of results put in one message (read once: flush is on the hot path). */
    private final long batchBytes = Sockets.batchBytes();
    /** Task threads that wait on a future now (their slot lent; see lendSlot), with how many waits deep. */
    private final Map<Thread, Integer> lending = new ConcurrentHashMap<>();
    /** LEND steps of the worker's loop not sent yet (loop thread only). */
    private int loopLends;
    private int liveThreads;
    private int threadSeq;
    private volatile long oldestUnflushed;
    private volatile boolean running = true;
    private volatile boolean sendWanted;
    private final Thread sender = new Thread(this::sendLoop, "scoop-sender");
    private volatile RootClient nestedClient;
    private static final long GIVE_BACK_MIN_NANOS = 20_000_000;
    /** The exit code of a worker that ended itself to stop a cancelled task that ignored its interrupt. */
    public static final int KILLED_EXIT_CODE = 86;
    /** The exit code of a worker that ran out of memory outside a task (its ZeroMQ I/O thread, its own loops). */
    public static final int OUT_OF_MEMORY_EXIT_CODE = 87;
    /** The exit code of a worker one of whose own threads failed with an unexpected error. */
    public static final int THREAD_FAILED_EXIT_CODE = 88;
    static final long KILL_AFTER_MILLIS = Long.getLong("scoop.killAfterMillis", 5000);
    private static final long KILL_AFTER_NANOS = TimeUnit.MILLISECONDS.toNanos(KILL_AFTER_MILLIS);
    /** Cancelled running tasks, with the time by which they must have ended. Receiving thread only. */
    private final Map<Job, Long> killDeadlines = new java.util.HashMap<>();
    /** Shared values asked of the broker and not yet received, by key. */
    private final Map<String, java.util.concurrent.CompletableFuture<byte[]>> fetching = new ConcurrentHashMap<>();
    /** How long a task waits for a shared value from the broker. */
    private static final long FETCH_TIMEOUT_MILLIS = 120_000;
    /** Running tasks with a time limit. */
    private final Set<Job> timedJobs = ConcurrentHashMap.newKeySet();
    private static final ThreadLocal<Job> CURRENT_JOB = new ThreadLocal<>();

    private final Map<Job, Boolean> runningJobs = new ConcurrentHashMap<>();
    private int prefetch = 1;
    private double avgTaskNanos = -1;

    public Worker(String brokerAddress, String name, int threads, long heartbeatMillis, long expiryMillis) {
        this(brokerAddress, name, threads, heartbeatMillis, expiryMillis, null);
    }

    /**
     * A worker of a broker with CURVE or a token, when {@code keys} (the run's member keys) are not null; its
     * nested tasks' connection uses them too.
     */
    public Worker(String brokerAddress, String name, int threads, long heartbeatMillis, long expiryMillis,
            RunKeys keys) {
        this.name = name;
        this.keys = keys;
        this.brokerAddress = brokerAddress;
        this.threads = threads;
        this.heartbeatNanos = TimeUnit.MILLISECONDS.toNanos(heartbeatMillis);
        this.expiryNanos = TimeUnit.MILLISECONDS.toNanos(expiryMillis);
        this.ctx = Sockets.context();
        // A message too large for this heap fails in ZeroMQ's I/O thread, which would then die alone (or, with
        // Sockets' guard, refuse the frame) and leave a deaf worker to be expired. Say so, and end the JVM: the
        // broker hears of it with these last words.
        Sockets.onAllocationFailure(what -> outOfMemory("receiving " + what));
        ctx.setUncaughtExceptionHandler((t, e) -> {
            if (causedByOutOfMemory(e)) {
                dropReserve();
                try {
                    outOfMemory("in ZeroMQ's thread " + t.getName() + " (" + e.getMessage() + ")",
                            "a message too large for this worker's maximum heap, or a task that used the heap up");
                } finally {
                    Runtime.getRuntime().halt(OUT_OF_MEMORY_EXIT_CODE);
                }
            }
            Log.error(Log.WORKER, "scoop worker " + describe() + ": ZeroMQ's thread " + t.getName() + " failed: " + e, e);
        });
        this.link = new Link(ctx, brokerAddress, name, (int) Math.min(heartbeatMillis, 50), keys);
        link.onRelease(this::flush);
        this.runner = new TaskRunner(this);
        this.allowedThreads = threads;
    }

    public String name() {
        return name;
    }

    /** A message too large for this worker's memory: says so with the heap size, and ends this JVM. */
    private void outOfMemory(String where) {
        outOfMemory(where, "a message too large for this worker's maximum heap");
    }

    /**
     * Heap kept free for the last words of a worker out of memory: when a task fills the heap, even the string
     * constants of a cold error path cannot be allocated. Dropped by whoever says the last words.
     */
    private static volatile byte[] reserve = new byte[256 << 10];

    /** Frees the reserve (allocates nothing), so that the next allocation's collection finds room. */
    static void dropReserve() {
        reserve = null;
    }

    /**
     * Says where this worker ran out of memory, and why, with the heap size, and ends this JVM with
     * {@value #OUT_OF_MEMORY_EXIT_CODE}; it ends even if saying so runs out of memory too (a caller that builds
     * {@code where} when the heap may be full halts in a {@code finally} of its own).
     */
    void outOfMemory(String where, String why) {
        dropReserve();
        try {
            Log.error(Log.WORKER, "scoop worker " + describe() + ": out of memory " + where + ": " + why + " (-Xmx "
                    + (Runtime.getRuntime().maxMemory() >> 20) + " MiB); exiting. Give workers more heap"
                    + " (jvmOptions(\"-Xmx...\")) or send smaller tasks");
            System.err.flush();
        } catch (Throwable e) {
            // nothing more can be said
        } finally {
            Runtime.getRuntime().halt(OUT_OF_MEMORY_EXIT_CODE);
        }
    }

    /**
     * For the worker's own threads: one that an error ends (out of memory outside a task) would leave its task, or
     * its results, waiting forever; the worker ends instead, and the broker requeues or fails its tasks.
     */
    void threadDied(Thread t, Throwable e) {
        int code = e instanceof OutOfMemoryError ? OUT_OF_MEMORY_EXIT_CODE : THREAD_FAILED_EXIT_CODE;
        try {
            dropReserve();
            if (causedByOutOfMemory(e)) {
                code = OUT_OF_MEMORY_EXIT_CODE;
                outOfMemory("in its thread " + t.getName(), "a task most likely used the heap up");
            }
            Log.error(Log.WORKER, "scoop worker " + describe() + ": its thread " + t.getName() + " failed: " + e
                    + "; exiting", e);
        } catch (OutOfMemoryError again) {
            code = OUT_OF_MEMORY_EXIT_CODE;
        } finally {
            Runtime.getRuntime().halt(code);
        }
    }

    /** Whether {@code e} is an OutOfMemoryError, or was caused by one (a library may wrap it). */
    static boolean causedByOutOfMemory(Throwable e) {
        for (int depth = 0; e != null && depth < 16; e = e.getCause(), depth++) {
            if (e instanceof OutOfMemoryError) {
                return true;
            }
        }
        return false;
    }

    /** {@code name (pid N on host)}: how failures name this worker. */
    public String describe() {
        return name + " (pid " + Hosts.pid() + " on " + Hosts.localName() + ")";
    }

    /**
     * Connects, starts the task threads and runs the receive loop until told to stop or the broker is lost.
     *
     * @return true if the broker told the worker to shut down, false if the broker was lost
     */
    public boolean run(long connectTimeoutMillis) {
        link.handshake(new Hello(Hello.WORKER, name, threads, threads + prefetch, Hosts.pid(), Hosts.localName()),
                connectTimeoutMillis);
        sender.setDaemon(true);
        sender.setUncaughtExceptionHandler(this::threadDied);
        sender.start();
        synchronized (threadLock) {
            for (int i = 0; i < threads; i++) {
                startTaskThread();
            }
        }
        long lastHeard = System.nanoTime();
        long nextHeartbeat = lastHeard + heartbeatNanos;
        boolean shutdown = false;
        while (running) {
            byte[] body = link.receive();
            long now = System.nanoTime();
            if (body != null) {
                lastHeard = now;
                Command c = Command.of(body);
                try {
                    if (c == Command.DISPATCH) {
                        onDispatch(Messages.readDispatch(body));
                    } else if (c == Command.CANCEL) {
                        onCancel(Messages.readCancel(body));
                    } else if (c == Command.FETCH) {
                        Messages.Fetched answer = Messages.readFetched(body);
                        // Answered: out of the map, and every task thread that waits for it has it.
                        java.util.concurrent.CompletableFuture<byte[]> f = fetching.remove(answer.key());
                        if (f != null) {
                            f.complete(answer.bytes());
                        }
                    } else if (c == Command.SHUTDOWN) {
                        shutdown = true;
                        break;
                    }
                } catch (MalformedMessageException e) {
                    badInput.log("dropped a malformed " + c + " message from the broker at " + brokerAddress + ": "
                            + e.getMessage());
                }
            }
            if (now - nextHeartbeat >= 0) {
                nextHeartbeat = now + heartbeatNanos;
                Sockets.checkIo(ctx, "worker " + describe());
                link.beat(Messages.workerHeartbeat(name, load()));
                if (now - lastHeard > expiryNanos) {
                    Log.error(Log.WORKER, "scoop worker " + describe() + ": lost the broker at " + brokerAddress
                            + " (no message for " + TimeUnit.NANOSECONDS.toMillis(now - lastHeard) + " ms); exiting");
                    break;
                }
            }
            if (!outbox.isEmpty() && now - oldestUnflushed > FLUSH_AGE_NANOS) {
                flush();
            }
            if (!timedJobs.isEmpty()) {
                stopOverdue(now);
            }
            if (!killDeadlines.isEmpty()) {
                killIfIgnoredCancel(now);
            }
            if (!runningJobs.isEmpty()) {
                compensateParked(now);
            }
            if (loopLends != 0) {
                flushLoopLends();
            }
            if (!queue.isEmpty()) {
                giveBackIfStuck(now);
            }
        }
        running = false;
        return shutdown;
    }

    /** Stops the loop from another thread (tests, shutdown hooks). */
    public void stop() {
        running = false;
    }

    private void onDispatch(List<TaskItem> items) {
        for (TaskItem item : items) {
            Job j = new Job(item.id(), item.priority(), item.attempt(), item.payload());
            jobs.put(j.id, j);
            queue.add(j);
        }
    }

    private void onCancel(Messages.Cancel cancel) {
        boolean interrupt = cancel.interrupt();
        for (long id : cancel.ids()) {
            Job j = jobs.get(id);
            if (j == null) {
                continue;
            }
            if (queue.remove(j)) {
                jobs.remove(j.id);
                reply(new ResultItem(j.id, Status.CANCELLED, 0, new byte[0]), true);
            } else if (interrupt) {
                j.interrupt();
                if (KILL_AFTER_NANOS > 0) {
                    killDeadlines.putIfAbsent(j, System.nanoTime() + KILL_AFTER_NANOS);
                }
            }
        }
    }

    /**
     * The bytes of a shared value, from the broker (null if it has none); asked once however many task threads
     * want it at the same time. The request stays until the broker answers it, or until a thread that waits for
     * it gives up after {@value #FETCH_TIMEOUT_MILLIS} ms, which fails every thread that waits for it: a thread
     * that leaves earlier (interrupted: its task cancelled, or past its time limit) leaves it to the others.
     *
     * @throws IllegalStateException if the broker does not answer in time, or this thread is interrupted
     */
    public byte[] fetchShared(String key) {
        // The future is in the map before the FETCH goes out: an answer that came back while it was still
        // being added (inside computeIfAbsent) would find nothing to complete, and the task would wait.
        java.util.concurrent.CompletableFuture<byte[]> mine = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.CompletableFuture<byte[]> f = fetching.putIfAbsent(key, mine);
        if (f == null) {
            f = mine;
            link.send(Messages.fetch(name, key));
        }
        try {
            return f.get(FETCH_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            // Not removed: other threads may wait for the same answer, which removes it when it comes.
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while fetching it from the broker");
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            String why = "the broker at " + brokerAddress + " did not send it within " + FETCH_TIMEOUT_MILLIS / 1000
                    + " s";
            // Unanswered: every thread that waits for it fails now, and the next one to want it asks again.
            if (fetching.remove(key, f)) {
                f.completeExceptionally(new IllegalStateException(why));
            }
            throw new IllegalStateException(e instanceof java.util.concurrent.ExecutionException x
                    && x.getCause() != null ? x.getCause().getMessage() : why);
        }
    }

    /** Registers a running task's time limit: called on its task thread, once it is known. */
    void limitTime(Job j, long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        j.deadline = deadline == 0 ? 1 : deadline;
        j.timeoutNanos = timeoutNanos;
        timedJobs.add(j);
    }

    /**
     * Fails each running task past its time limit: sends its failure now (so that the broker does not run it
     * again if this worker must end), interrupts it, and gives it the kill delay to stop.
     */
    private void stopOverdue(long now) {
        for (Job j : timedJobs) {
            if (!runningJobs.containsKey(j)) {
                timedJobs.remove(j);
            } else if (now - j.deadline >= 0) {
                timedJobs.remove(j);
                if (j.claimAnswer()) {
                    reply(runner.timedOut(j), true);
                    j.interrupt();
                    if (KILL_AFTER_NANOS > 0) {
                        killDeadlines.putIfAbsent(j, now + KILL_AFTER_NANOS);
                    }
                }
            }
        }
    }

    private void killIfIgnoredCancel(long now) {
        killDeadlines.keySet().removeIf(j -> !runningJobs.containsKey(j));
        for (Map.Entry<Job, Long> e : killDeadlines.entrySet()) {
            if (now - e.getValue() >= 0) {
                Log.warn(Log.WORKER, "scoop worker " + describe() + ": a " + (e.getKey().timeoutNanos != 0
                        ? "task past its timeout" : "cancelled task") + " (id " + e.getKey().id
                        + ") ignored its interrupt for " + TimeUnit.NANOSECONDS.toMillis(KILL_AFTER_NANOS)
                        + " ms; ending this worker JVM to stop it (its other tasks are requeued; a task that should"
                        + " stop on cancel(true) checks Thread.interrupted() in its loops)");
                System.out.flush();
                System.err.flush();
                Runtime.getRuntime().halt(KILLED_EXIT_CODE);
            }
        }
    }

    private void giveBackIfStuck(long now) {
        long threshold;
        synchronized (this) {
            threshold = Math.max(GIVE_BACK_MIN_NANOS, (long) (4 * Math.max(0, avgTaskNanos)));
        }
        int busy = 0;
        for (Job j : runningJobs.keySet()) {
            if (!j.blocked && !j.compensated && now - j.startedAt > threshold) {
                busy++;
            }
        }
        if (busy < threads) {
            return;
        }
        synchronized (this) {
            if (prefetch > 0) {
                link.send(Messages.credit(name, -prefetch));
                prefetch = 0;
            }
        }
        Job j;
        while ((j = queue.pollLast()) != null) {
            jobs.remove(j.id);
            reply(new ResultItem(j.id, Status.RETURNED, 0, new byte[0]), false);
        }
        flush();
    }

    /* ---------------- task threads ---------------- */

    private void startTaskThread() {
        liveThreads++;
        Thread t = new Thread(this::taskLoop, "scoop-task-" + (++threadSeq));
        t.setDaemon(true);
        t.setUncaughtExceptionHandler(this::threadDied);
        t.start();
    }

    private void taskLoop() {
        Blocking.install(new Blocking.Hook() {
            @Override
            public void begin() {
                lendSlot();
            }

            @Override
            public void end() {
                reclaimSlot();
            }
        });
        try {
            while (running) {
                Job j = queue.poll(200, TimeUnit.MILLISECONDS);
                if (j != null) {
                    long start = System.nanoTime();
                    j.startedAt = start;
                    runningJobs.put(j, Boolean.TRUE);
                    CURRENT_JOB.set(j);
                    ResultItem result;
                    try {
                        result = runner.run(j);
                    } finally {
                        runningJobs.remove(j);
                        CURRENT_JOB.remove();
                    }
                    RootClient nested = nestedClient;
                    if (nested != null) {
                        nested.spillMine(); // children it left unwaited for go out now, not when they age
                    }
                    endCompensation(j, false);
                    jobs.remove(j.id);
                    long took = System.nanoTime() - start;
                    adaptPrefetch(took);
                    if (!j.claimAnswer()) {
                        // past its time limit: its failure was sent when the limit passed
                    } else if (took > HANDOFF_NANOS) {
                        replyFromSender(result);
                    } else {
                        reply(result, queue.isEmpty() || took > LONG_TASK_NANOS);
                    }
                }
                synchronized (threadLock) {
                    if (liveThreads > allowedThreads) {
                        liveThreads--;
                        return;
                    }
                }
            }
        } catch (InterruptedException e) {
            // the worker is stopping
        }
    }

    /** Queues a result for the sender thread, which sends it at once. */
    private void replyFromSender(ResultItem item) {
        enqueue(item);
        sendWanted = true;
        LockSupport.unpark(sender);
    }

    private void enqueue(ResultItem item) {
        if (outbox.isEmpty()) {
            oldestUnflushed = System.nanoTime();
        }
        outbox.add(item);
    }

    private void sendLoop() {
        while (running) {
            if (!sendWanted) {
                LockSupport.parkNanos(this, 50_000_000);
            }
            sendWanted = false;
            flush();
        }
    }

    private void reply(ResultItem item, boolean flushNow) {
        enqueue(item);
        if (flushNow || outbox.size() >= 256) {
            flush();
        }
    }

    private void flush() {
        while (!outbox.isEmpty()) {
            if (!link.trySendBatch(sender -> {
                // Cut on the whole item (payload, output files, output tails), before the batch would pass
                // the bound: a message then holds one item of at most the payload limit, or items of at most
                // the bound, and fits in a frame (a larger one would drop the connection, and the results).
                List<ResultItem> batch = new ArrayList<>();
                long bytes = 0;
                long bound = batchBytes;
                ResultItem r;
                while ((r = outbox.poll()) != null) {
                    long size = r.wireBytes();
                    if (!batch.isEmpty() && bytes + size > bound) {
                        sender.send(Messages.results(name, batch));
                        batch = new ArrayList<>();
                        bytes = 0;
                    }
                    batch.add(r);
                    bytes += size;
                }
                if (!batch.isEmpty()) {
                    sender.send(Messages.results(name, batch));
                }
            })) {
                return;
            }
        }
    }

    private synchronized void adaptPrefetch(long took) {
        avgTaskNanos = avgTaskNanos < 0 ? took : avgTaskNanos * 0.9 + took * 0.1;
        int want = (int) Math.max(1, Math.min(MAX_PREFETCH, PREFETCH_TARGET_NANOS / Math.max(1.0, avgTaskNanos)));
        if (prefetch == 0 || want >= prefetch * 2 || want * 2 <= prefetch) {
            link.send(Messages.credit(name, want - prefetch));
            prefetch = want;
        }
    }

    private void lendSlot() {
        RootClient nested = nestedClient;
        if (nested != null) {
            nested.spillMine(); // what this thread holds unsent may be what it is about to wait for
        }
        Job j = CURRENT_JOB.get();
        if (j != null) {
            j.blocked = true;
        }
        lending.merge(Thread.currentThread(), 1, Integer::sum); // the thread, whichever job (an inline child's) waits
        synchronized (threadLock) {
            allowedThreads++;
            if (liveThreads < allowedThreads) {
                startTaskThread();
            }
        }
        link.send(Messages.lend(name, 1));
    }

    /**
     * How long a parent task's thread may stay parked in a wait the worker cannot see (a plain
     * {@code CompletableFuture} of its children, {@code allOf(...).join()}, a latch) before its slot is lent, as
     * a wait on a future lends it at once: the children it waits for may need that very slot (one worker of one
     * thread, or every thread waiting so). A task that never submitted a task is never compensated: its wait
     * (a sleep, I/O) is its own work.
     */
    static final long COMPENSATE_AFTER_NANOS = TimeUnit.MILLISECONDS.toNanos(
            Long.getLong("scoop.compensateAfterMillis", 50));

    /**
     * From the worker's loop: lends the slot of each running parent whose thread has been parked (not runnable)
     * for {@link #COMPENSATE_AFTER_NANOS}, outside a wait on a future, and takes it back when the thread runs
     * again (or the task ends).
     */
    private void compensateParked(long now) {
        for (Job j : runningJobs.keySet()) {
            if (!j.forked && !j.compensated) {
                continue; // not a parent: never compensated (the common case, looked at on every message)
            }
            Thread t = j.thread();
            boolean parked = t != null && j.forked && !j.blocked && !lending.containsKey(t)
                    && t.getState() != Thread.State.RUNNABLE;
            if (!parked) {
                j.parkedSince = -1;
                if (j.compensated) {
                    endCompensation(j, true);
                }
            } else if (j.parkedSince < 0) {
                j.parkedSince = now;
            } else if (now - j.parkedSince >= COMPENSATE_AFTER_NANOS && !j.compensated) {
                startCompensation(j);
            }
        }
    }

    /** Worker loop only. */
    private void startCompensation(Job j) {
        synchronized (threadLock) {
            if (j.compensated || !runningJobs.containsKey(j)) {
                return; // it ended meanwhile: its end would never take the slot back
            }
            j.compensated = true;
            allowedThreads++;
            if (liveThreads < allowedThreads) {
                startTaskThread();
            }
        }
        lendFromLoop(1);
    }

    /**
     * Takes back a compensated job's slot: from the worker's loop ({@code fromLoop}) or its task thread at its end.
     * Always under the lock: the loop may be starting the compensation (it saw the job running) just as the task
     * ends, and a look without the lock could miss it and leave the slot lent for good.
     */
    private void endCompensation(Job j, boolean fromLoop) {
        synchronized (threadLock) {
            if (!j.compensated) {
                return;
            }
            j.compensated = false;
            allowedThreads--;
        }
        if (fromLoop) {
            lendFromLoop(-1);
        } else {
            link.send(Messages.lend(name, -1));
        }
    }

    /**
     * The worker's loop says LEND on rx, as heartbeats go, so that it never waits for the tx lock behind a task
     * thread encoding a large result; a step that cannot be queued at once is sent on a later pass.
     */
    private void lendFromLoop(int step) {
        loopLends += step;
        flushLoopLends();
    }

    private void flushLoopLends() {
        while (loopLends != 0) {
            int step = Integer.signum(loopLends);
            if (!link.beat(Messages.lend(name, step))) {
                return;
            }
            loopLends -= step;
        }
    }

    private void reclaimSlot() {
        Job j = CURRENT_JOB.get();
        if (j != null) {
            j.blocked = false;
        }
        lending.computeIfPresent(Thread.currentThread(), (t, n) -> n == 1 ? null : n - 1);
        synchronized (threadLock) {
            allowedThreads--;
        }
        link.send(Messages.lend(name, -1));
    }

    /* ---------------- nested tasks ---------------- */

    /** The connection tasks on this worker use to submit tasks of their own; made on first use. */
    public RootClient nestedClient() {
        RootClient c = nestedClient;
        if (c == null) {
            synchronized (this) {
                c = nestedClient;
                if (c == null) {
                    c = new RootClient(ctx, brokerAddress, name + "/root", heartbeatNanos / 1_000_000,
                            expiryNanos / 1_000_000, 10_000, keys);
                    if (LOCAL_CHILDREN) {
                        c.runLocally(this::runInline);
                    }
                    c.onFork(() -> {
                        Job j = CURRENT_JOB.get();
                        if (j != null && !j.forked) {
                            j.forked = true;
                        }
                    });
                    nestedClient = c;
                }
            }
        }
        return c;
    }

    /**
     * Whether a task's plain children may run on the thread that waits for them (see
     * {@link RootClient#runLocally}); the worker JVM's system property {@code scoop.localChildren}, default true.
     */
    static final boolean LOCAL_CHILDREN = !"false".equals(System.getProperty("scoop.localChildren"));

    /**
     * Runs a child task on this task thread, which waits for it: as a task from the broker runs (the same
     * decode, call, encode, failure and output capture), inside its parent's run, whose job, output capture
     * and interrupt state it then restores.
     */
    private ResultItem runInline(long id, int priority, byte[] payload) {
        Job parent = CURRENT_JOB.get();
        TaskOutput.Capture outer = TaskOutput.current();
        Job j = new Job(id, priority, 0, payload);
        j.startedAt = System.nanoTime();
        CURRENT_JOB.set(j);
        try {
            ResultItem r = runner.run(j);
            // what the broker adds to a result it relays: where it ran (it waited in no queue)
            return r.run() == null ? r : new ResultItem(r.id(), r.status(), r.nanos(), r.payload(),
                    r.run().fromWorker(name, Hosts.localName(), Hosts.pid(), 0));
        } finally {
            CURRENT_JOB.set(parent);
            TaskOutput.restore(outer);
            Thread.interrupted(); // a cancel of the child that came as it ended
            if (parent != null && parent.wasInterrupted()) {
                Thread.currentThread().interrupt(); // the parent's own cancel, which the child's end cleared
            }
        }
    }

    private static final java.lang.management.OperatingSystemMXBean OS = java.lang.management.ManagementFactory
            .getOperatingSystemMXBean();

    /**
     * What the heartbeat tells the broker's status page: this process's CPU load, its heap, and the tasks
     * running (a few reads, once a heartbeat).
     */
    private Messages.WorkerLoad load() {
        int cpu = -1;
        if (OS instanceof com.sun.management.OperatingSystemMXBean os) {
            double load = os.getProcessCpuLoad();
            cpu = load < 0 || Double.isNaN(load) ? -1 : (int) Math.round(load * 1000);
        }
        Runtime rt = Runtime.getRuntime();
        java.util.List<Messages.RunningTask> running = new java.util.ArrayList<>();
        for (Job j : runningJobs.keySet()) {
            if (running.size() == Messages.MAX_RUNNING) {
                break;
            }
            String label = j.label;
            running.add(new Messages.RunningTask(j.id, label == null ? ""
                    : label.length() <= 100 ? label : label.substring(0, 100)));
        }
        return new Messages.WorkerLoad(cpu, rt.totalMemory() - rt.freeMemory(), rt.maxMemory(), running);
    }

    /** A task the worker holds: queued, then running on one task thread. */
    static final class Job {
        final long id;
        final int priority;
        /** Attempts made before this one. */
        final int attempt;
        final byte[] payload;
        volatile long startedAt;
        /** When a task with a time limit must have ended ({@code System.nanoTime}), or 0 for none. */
        volatile long deadline;
        volatile long timeoutNanos;
        /** When it reached this worker. */
        final long receivedAt = System.nanoTime();
        /** Its output, once it runs; bytes its thread allocated, or -1. */
        volatile TaskOutput.Capture output;
        volatile long allocated = -1;
        /** The files it wrote for the root, once it ended. */
        volatile OutputFiles files;
        volatile String label;
        /** Set by whichever answers first for a task with a time limit: its end, or its timeout. */
        private final java.util.concurrent.atomic.AtomicBoolean answered = new java.util.concurrent.atomic.AtomicBoolean();
        /** True while the task waits on another task's future (its slot is lent out). */
        volatile boolean blocked;
        /** True once the task has submitted a task of its own (it is a parent). */
        volatile boolean forked;
        /** True while its slot is lent because its thread stays parked (see compensateParked; set under threadLock). */
        volatile boolean compensated;
        /** When the worker's loop first saw its thread parked, or -1 (the loop's own). */
        long parkedSince = -1;
        private Thread thread;
        private boolean interrupted;

        Job(long id, int priority, int attempt, byte[] payload) {
            this.id = id;
            this.priority = priority;
            this.attempt = attempt;
            this.payload = payload;
        }

        /** Whether the answer of a task with a time limit was claimed (by its timeout, before it ran). */
        boolean answered() {
            return deadline != 0 && answered.get();
        }

        /** Claims the one answer of a task with a time limit; true for the first caller. */
        boolean claimAnswer() {
            return deadline == 0 || answered.compareAndSet(false, true);
        }

        synchronized void started() {
            thread = Thread.currentThread();
            if (interrupted) {
                thread.interrupt();
            }
        }

        synchronized void finished() {
            thread = null;
            Thread.interrupted();
        }

        synchronized Thread thread() {
            return thread;
        }

        synchronized boolean wasInterrupted() {
            return interrupted;
        }

        synchronized void interrupt() {
            interrupted = true;
            if (thread != null) {
                thread.interrupt();
            }
        }
    }
}
