package io.scoop.root;

import io.scoop.internal.Log;
import io.scoop.ClusterBrokenException;
import io.scoop.ResultNotSerializableException;
import io.scoop.RootDroppedException;
import io.scoop.RunKeys;
import io.scoop.WorkerLostException;
import io.scoop.internal.Hosts;
import io.scoop.internal.Link;
import io.scoop.internal.RateLimitedLog;
import io.scoop.internal.Sockets;
import io.scoop.wire.Command;
import io.scoop.wire.Hello;
import io.scoop.wire.KryoCodec;
import io.scoop.wire.MalformedMessageException;
import io.scoop.wire.Messages;
import io.scoop.wire.ResultItem;
import io.scoop.wire.Status;
import io.scoop.wire.TaskFailure;
import io.scoop.wire.TaskItem;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.zeromq.ZContext;

/**
 * A root's connection to the broker: sends tasks, receives results, completes futures.
 *
 * <pre>
 *   submit(f, payload)  any thread: f -> pending; TaskItem -> outbox; flush()
 *   flush()             whoever gets the tx lock sends everything queued, up to BATCH items a message
 *   rx thread           RESULTS -> completer queue;  HEARTBEAT -> cluster size;  sends our heartbeats
 *                       silence past the expiry, or DROPPED from the broker -> every pending future fails
 *   completer thread    RESULTS -> decode -> pending.remove(id).settle(...), in the order they arrived
 * </pre>
 *
 * <p>The rx thread does no user work and no decoding, so neither a blocking callback nor a large result can
 * stop the heartbeats (see {@link Completer}).
 *
 * <p>Several executors may share one client (inside a worker, every {@code new DistributedExecutor()} uses
 * the worker's). Task ids are unique per client; a result whose id is no longer pending (cancelled, or
 * already completed by an earlier attempt) is dropped.
 *
 * <p>Non-async dependent stages of a future run on the completer thread, as they run on whichever thread
 * completes a {@code CompletableFuture}: use the {@code *Async} variants for stages that block long, which
 * otherwise delay the completions behind them by the completer's stall limit.
 */
public final class RootClient implements AutoCloseable {
    private static final int BATCH = 512;
    private static final int BATCH_BYTES = 1 << 20;
    private static final AtomicLong CLIENTS = new AtomicLong();

    private final Link link;
    private final String name;
    private final long heartbeatNanos;
    private final long expiryNanos;
    private final Map<Long, RemoteFuture<?>> pending = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<TaskItem> outbox = new ConcurrentLinkedQueue<>();
    private final Map<Long, CompletableFuture<long[]>> revokeReplies = new ConcurrentHashMap<>();
    private final Map<Long, CompletableFuture<List<Messages.WorkerEntry>>> workerReplies = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<String>> shareReplies = new ConcurrentHashMap<>();
    /** Shared values this root holds at the broker, with how many holds each (guarded by itself). */
    private final Map<String, Integer> sharedHolds = new java.util.HashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final Thread rxThread;
    private final Completer completer;
    /** The command of the last message from the broker, and when it came: what "lost" messages report. */
    private volatile Command lastCommand = Command.HEARTBEAT;
    /** For a broker in this JVM: whether its thread still runs (then silence means busy, not lost). */
    private volatile java.util.function.BooleanSupplier brokerInThisJvm;
    private volatile int clusterWorkers;
    private volatile int clusterThreads;
    private volatile ClusterBrokenException broken;
    private volatile boolean closing;
    private final List<Runnable> brokenListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ZContext ctx;
    private final RateLimitedLog badInput = new RateLimitedLog("scoop root");
    /** On a worker's nested client: runs a task on the calling thread; else null (every task is sent). */
    private volatile LocalRunner localRunner;
    /** On a worker's nested client: told on the submitting thread of every child task; else null. */
    private volatile Runnable forkListener;
    /** Tasks held here, unsent, oldest first (entries already run or spilled are skipped; see forkedById). */
    private final java.util.concurrent.ConcurrentLinkedDeque<Forked> forked = new java.util.concurrent.ConcurrentLinkedDeque<>();
    private final Map<Long, Forked> forkedById = new ConcurrentHashMap<>();
    /** Tasks running here on the thread that waits for them, by id: what a cancel interrupts. */
    private final Map<Long, Inline> inline = new ConcurrentHashMap<>();
    /** The threads that have held children here (task threads of this worker), with how many each holds now. */
    private final Map<Thread, java.util.concurrent.atomic.AtomicInteger> forkers = new ConcurrentHashMap<>();
    private volatile Thread spiller;
    private volatile boolean spillerIdle;
    /** Whether the broker has been told (HOLD) that this client holds children, and has not asked for them since. */
    private volatile boolean announced;
    private long announcedAt;
    /** How often a HOLD is said again while children stay held and no STEAL came. */
    private static final long REHOLD_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /**
     * Connects to the broker at {@code address} and waits for its answer.
     *
     * @param namePrefix the start of this client's name, e.g. {@code root} or {@code w3/root}
     * @throws ClusterBrokenException if no broker answers within {@code connectTimeoutMillis}
     */
    public RootClient(ZContext ctx, String address, String namePrefix, long heartbeatMillis, long expiryMillis,
            long connectTimeoutMillis) {
        this(ctx, address, namePrefix, heartbeatMillis, expiryMillis, connectTimeoutMillis, null);
    }

    /**
     * Connects to the broker at {@code address}, presenting {@code keys} (CURVE or a token) unless they are
     * null, and waits for its answer.
     *
     * @param namePrefix the start of this client's name, e.g. {@code root} or {@code w3/root}
     * @param keys       the run's member keys, for a broker with CURVE or a token; null for a plain one
     * @throws ClusterBrokenException if no broker answers within {@code connectTimeoutMillis}, or it refuses
     *                                the keys
     */
    public RootClient(ZContext ctx, String address, String namePrefix, long heartbeatMillis, long expiryMillis,
            long connectTimeoutMillis, RunKeys keys) {
        this.name = namePrefix + "-" + Hosts.pid() + "-" + CLIENTS.incrementAndGet();
        this.ctx = ctx;
        this.heartbeatNanos = TimeUnit.MILLISECONDS.toNanos(heartbeatMillis);
        this.expiryNanos = TimeUnit.MILLISECONDS.toNanos(expiryMillis);
        this.link = new Link(ctx, address, name, (int) Math.min(heartbeatMillis, 250), keys);
        link.onRelease(this::flush);
        byte[] first;
        try {
            first = link.handshake(new Hello(Hello.ROOT, name, 0, 0, Hosts.pid(), Hosts.localName()),
                    connectTimeoutMillis);
        } catch (RuntimeException e) {
            link.close();
            link.closeReceiver();
            throw e;
        }
        onHeartbeat(first);
        this.completer = new Completer(name, Thread.currentThread().getContextClassLoader());
        this.rxThread = new Thread(null, this::receiveLoop, "scoop-root-rx " + name, 0, false);
        rxThread.setDaemon(true);
        rxThread.setContextClassLoader(Thread.currentThread().getContextClassLoader());
        rxThread.start();
    }

    public String name() {
        return name;
    }

    public String address() {
        return link.address();
    }

    /** Worker threads in the cluster, as of the broker's last heartbeat. */
    public int clusterThreads() {
        return clusterThreads;
    }

    public int clusterWorkers() {
        return clusterWorkers;
    }

    public int pendingCount() {
        return pending.size();
    }

    /**
     * Runs one task on the calling thread, as a worker runs a task from the broker (decode, call, encode the
     * result or the failure): what a worker's nested client uses to run a child where its parent waits.
     */
    public interface LocalRunner {
        ResultItem run(long id, int priority, byte[] payload);
    }

    /** A task held here unsent: run by the thread that waits for it, or sent to the broker (see runLocally). */
    private record Forked(TaskItem item, long at, Thread by, java.util.concurrent.atomic.AtomicInteger byHolds) {
    }

    /** Removes the held task {@code id}; returns it, or null if it was not held (run, sent or cancelled). */
    private Forked unhold(long id) {
        Forked fk = forkedById.remove(id);
        if (fk != null) {
            fk.byHolds().decrementAndGet();
        }
        return fk;
    }

    /** A task running on the thread that waits for it. */
    private static final class Inline {
        private final Thread thread = Thread.currentThread();
        private boolean over;

        synchronized void interrupt() {
            if (!over) {
                thread.interrupt();
            }
        }

        synchronized void end() {
            over = true;
        }
    }

    /**
     * How long a child task is held here, unsent, before this client tells the broker it holds some (HOLD), so
     * that a task thread with nothing to do elsewhere may have it (the broker answers STEAL when one is idle, and
     * the oldest held children, in a tree the largest, go out). Children whose parent waits for them sooner cost
     * a method call and a copy instead of a round trip through the broker: as in a work-stealing pool, a busy
     * thread runs its own tasks, and only an idle thread takes the oldest of them. A hand-over through the broker
     * costs 1-3 ms on a loaded 2-core machine, so younger children are better run here: measured on scoop-bench's
     * W6 (probe runs of 2026-12-02, 2 workers, 12 trees after 25 s of warm-up, medians), 3 ms gave a 2,047-node
     * tree in 5.1 ms and a 16,383-node one in 28 ms, 1 ms 8.5 and 38 ms, 100 us 9.4 and 32 ms.
     */
    static final long HOLD_AFTER_NANOS = TimeUnit.MICROSECONDS.toNanos(
            Long.getLong("scoop.holdAfterMicros", 3000));

    /**
     * How long a child may be held here while the thread that holds it is parked or blocked (not runnable): it may
     * be waiting for that child in a way the worker cannot see (a plain CompletableFuture of it, a lock, a sleep),
     * and the broker counts the thread as busy, so the child goes out for any thread to take.
     */
    static final long PARKED_SPILL_AFTER_NANOS = TimeUnit.MICROSECONDS.toNanos(
            Long.getLong("scoop.parkedSpillAfterMicros", 1000));

    /**
     * How long a child may be held here at most, stolen or not, whatever its thread does: a guard for a parent
     * that polls for its children while running ({@code isDone()} in a loop), which neither the worker nor the
     * thread's state shows.
     */
    static final long SPILL_AFTER_NANOS = TimeUnit.MICROSECONDS.toNanos(
            Long.getLong("scoop.spillAfterMicros", 200_000));

    /**
     * Runs {@code listener} on the submitting thread for every task submitted through this client: a worker's
     * nested client tells its worker which running tasks are parents (see {@code Worker}'s compensation).
     */
    public void onFork(Runnable listener) {
        this.forkListener = listener;
    }

    /**
     * Keeps this client's plain child tasks here until their parent waits for them, to run them on its thread
     * ({@link #runHere}), or until the broker asks for them for an idle thread (HOLD, STEAL), their thread parks
     * ({@link #PARKED_SPILL_AFTER_NANOS}) or they are {@link #SPILL_AFTER_NANOS} old, when they go to it. For a
     * worker's nested client: its tasks' children; a worker that dies takes their parent with it, and the
     * broker runs the parent again, which submits them again.
     */
    public void runLocally(LocalRunner runner) {
        this.localRunner = runner;
        Thread t = new Thread(this::spillLoop, "scoop-spill " + name);
        t.setDaemon(true);
        spiller = t;
        t.start();
    }

    /**
     * Runs {@code f}'s task on this thread if it is held here unsent, and completes {@code f}; false if it was
     * sent (or was never this client's to hold).
     */
    public boolean runHere(RemoteFuture<?> f) {
        LocalRunner runner = localRunner;
        Forked fk = runner == null ? null : unhold(f.id());
        if (fk == null) {
            return false;
        }
        TaskItem t = fk.item();
        Inline running = new Inline();
        inline.put(t.id(), running);
        ResultItem result;
        try {
            result = runner.run(t.id(), t.priority(), t.payload());
        } catch (RuntimeException e) {
            // The runner names every failure of the task itself; this one is ours: the future still ends.
            pending.remove(t.id());
            f.completeExceptionally(e);
            return true;
        } catch (Error e) {
            pending.remove(t.id());
            f.completeExceptionally(e);
            throw e; // the heap is full, or worse: the worker's handler ends the worker, saying why
        } finally {
            running.end();
            inline.remove(t.id());
        }
        complete(result);
        return true;
    }

    /** Sends the tasks this thread holds here unsent (it is about to wait for something else). */
    public void spillMine() {
        if (!forkedById.isEmpty()) {
            Thread me = Thread.currentThread();
            spill(Integer.MAX_VALUE, 0, fk -> fk.by() == me);
        }
    }

    /**
     * Sends at most {@code max} held tasks, oldest first, of those at least {@code minAge} ns old that
     * {@code which} picks; returns how many it sent.
     */
    private int spill(int max, long minAge, java.util.function.Predicate<Forked> which) {
        int sent = 0;
        long now = System.nanoTime();
        for (java.util.Iterator<Forked> it = forked.iterator(); it.hasNext() && sent < max; ) {
            Forked fk = it.next();
            if (forkedById.get(fk.item().id()) != fk) {
                it.remove(); // run here, cancelled, or spilled already
                continue;
            }
            if (now - fk.at() < minAge) {
                break; // the rest are younger (ages compared by difference: nanoTime values may be negative)
            }
            if (which.test(fk) && forkedById.remove(fk.item().id(), fk)) {
                fk.byHolds().decrementAndGet();
                it.remove();
                outbox.add(fk.item());
                sent++;
            }
        }
        if (sent > 0) {
            flush();
        }
        return sent;
    }

    private void spillLoop() {
        while (!closing) {
            Forked head = forked.peekFirst();
            if (head == null) {
                spillerIdle = true;
                if (forked.isEmpty() && !closing) {
                    LockSupport.park(this);
                }
                spillerIdle = false;
                continue;
            }
            if (forkedById.get(head.item().id()) != head) {
                forked.remove(head);
                continue;
            }
            long now = System.nanoTime();
            long age = now - head.at();
            int held = forkedById.size(); // 0 if the head was run meanwhile: then there is nothing to say
            if ((!announced || now - announcedAt > REHOLD_NANOS) && age >= HOLD_AFTER_NANOS && clusterThreads > 1
                    && held > 0) {
                // Said until a STEAL comes, and again now and then: a broker that lost track asks again.
                announced = true;
                announcedAt = now;
                link.send(Messages.hold(name, held));
            }
            if (age >= PARKED_SPILL_AFTER_NANOS) {
                spillStalled(now);
            }
            long wait = !announced && clusterThreads > 1 ? HOLD_AFTER_NANOS - age : PARKED_SPILL_AFTER_NANOS;
            LockSupport.parkNanos(this, Math.max(10_000, Math.min(wait, PARKED_SPILL_AFTER_NANOS)));
        }
    }

    /**
     * Sends the held children that no thread will run soon: those older than {@link #PARKED_SPILL_AFTER_NANOS}
     * whose holding thread is parked or blocked, and any older than {@link #SPILL_AFTER_NANOS}.
     */
    private void spillStalled(long now) {
        Forked head = forked.peekFirst();
        if (head != null && now - head.at() >= SPILL_AFTER_NANOS) {
            spill(Integer.MAX_VALUE, SPILL_AFTER_NANOS, fk -> true);
        }
        // By thread, not by child: a parent that forked 100,000 children is looked at once, not 100,000 times;
        // and the held children are walked once for all the parked threads.
        java.util.Set<Thread> parked = null;
        for (Map.Entry<Thread, java.util.concurrent.atomic.AtomicInteger> e : forkers.entrySet()) {
            Thread t = e.getKey();
            if (e.getValue().get() <= 0) {
                if (!t.isAlive()) {
                    forkers.remove(t, e.getValue());
                }
            } else if (t.getState() != Thread.State.RUNNABLE) {
                if (parked == null) {
                    parked = new java.util.HashSet<>();
                }
                parked.add(t);
            }
        }
        if (parked != null) {
            java.util.Set<Thread> these = parked;
            spill(Integer.MAX_VALUE, PARKED_SPILL_AFTER_NANOS, fk -> these.contains(fk.by()));
        }
    }

    /** The broker's STEAL: sends the {@code n} oldest held children, and says again if some are still held. */
    private void onSteal(int n) {
        spill(n, HOLD_AFTER_NANOS, fk -> true); // not one its parent is about to wait for: only those said held
        announced = false;
        Thread t = spiller;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Sends one task; {@code payload} is its Kryo encoding. Completes {@code f} at once if the cluster broke. */
    public void submit(RemoteFuture<?> f, byte[] payload, int priority) {
        enqueue(f, payload, priority);
        flush();
    }

    /** Queues a task without sending; call {@link #flush} after the last one, so they share messages. */
    public void enqueue(RemoteFuture<?> f, byte[] payload, int priority) {
        TaskPolicy p = f.policy();
        enqueue(f, payload, priority, 0, p == null ? 0 : p.maxAttempts(), p == null ? "" : p.target());
    }

    /**
     * Queues a task that has had {@code earlierAttempts} attempts already, with its own attempt limit (0 for the
     * broker's).
     */
    private void enqueue(RemoteFuture<?> f, byte[] payload, int priority, int earlierAttempts, int maxAttempts,
            String target) {
        long id = ids.incrementAndGet();
        f.markSent(id);
        ClusterBrokenException b = broken;
        if (b != null) {
            f.settle(null, b, null, 0);
            return;
        }
        pending.put(id, f);
        Runnable fl = forkListener;
        if (fl != null) {
            fl.run();
        }
        TaskItem item = new TaskItem(id, priority, earlierAttempts, maxAttempts, target, payload);
        if (localRunner != null && earlierAttempts == 0 && maxAttempts == 0 && target.isEmpty()
                && f.policy() == null && !(f.task() instanceof MapChunk)) {
            Thread me = Thread.currentThread();
            java.util.concurrent.atomic.AtomicInteger holds = forkers.get(me);
            if (holds == null) {
                holds = forkers.computeIfAbsent(me, t -> new java.util.concurrent.atomic.AtomicInteger());
            }
            holds.incrementAndGet();
            Forked fk = new Forked(item, System.nanoTime(), me, holds);
            forkedById.put(id, fk);
            forked.addLast(fk);
            if (spillerIdle) {
                LockSupport.unpark(spiller);
            }
        } else {
            outbox.add(item);
        }
        if (broken != null) {
            failAll(broken);
        }
    }

    /** Sends everything queued, unless another thread is already doing so (it will send ours too). */
    public void flush() {
        while (!outbox.isEmpty()) {
            if (!link.trySendBatch(this::drain)) {
                return;
            }
        }
    }

    private void drain(Link.Sender sender) {
        List<TaskItem> batch = new ArrayList<>(Math.min(BATCH, 64));
        int bytes = 0;
        TaskItem t;
        while ((t = outbox.poll()) != null) {
            batch.add(t);
            bytes += t.payload().length;
            if (batch.size() >= BATCH || bytes >= BATCH_BYTES) {
                sender.send(Messages.tasks(name, batch));
                batch = new ArrayList<>(64);
                bytes = 0;
            }
        }
        if (!batch.isEmpty()) {
            sender.send(Messages.tasks(name, batch));
        }
    }

    /** Asks the broker to drop or interrupt these tasks. They are no longer pending here. */
    public void cancel(List<RemoteFuture<?>> futures, boolean interrupt) {
        long[] idArray = new long[futures.size()];
        int sent = 0;
        for (RemoteFuture<?> f : futures) {
            long id = f.id();
            pending.remove(id);
            if (unhold(id) != null) {
                continue; // held here: it will not run
            }
            Inline running = inline.get(id);
            if (running != null) {
                if (interrupt) {
                    running.interrupt();
                }
                continue;
            }
            idArray[sent++] = id;
        }
        if (sent > 0) {
            link.send(Messages.cancel(name, 0, java.util.Arrays.copyOf(idArray, sent), interrupt));
        }
    }

    /**
     * Cancels these tasks and returns the ids of those the broker still held in its queue, so had never
     * started; waits at most {@code timeoutMillis} for the broker's answer (then returns none).
     */
    public long[] revoke(List<RemoteFuture<?>> futures, long timeoutMillis) {
        List<Long> heldHere = new ArrayList<>();
        List<Long> sent = new ArrayList<>();
        for (RemoteFuture<?> f : futures) {
            pending.remove(f.id());
            (unhold(f.id()) != null ? heldHere : sent).add(f.id());
        }
        long[] idArray = sent.stream().mapToLong(Long::longValue).toArray();
        if (idArray.length == 0) {
            return heldHere.stream().mapToLong(Long::longValue).toArray();
        }
        long tag = ids.incrementAndGet();
        CompletableFuture<long[]> reply = new CompletableFuture<>();
        revokeReplies.put(tag, reply);
        link.send(Messages.cancel(name, tag, idArray, true));
        long[] revoked;
        try {
            revoked = reply.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            revoked = new long[0];
        } finally {
            revokeReplies.remove(tag);
        }
        if (heldHere.isEmpty()) {
            return revoked;
        }
        long[] all = java.util.Arrays.copyOf(revoked, revoked.length + heldHere.size());
        for (int i = 0; i < heldHere.size(); i++) {
            all[revoked.length + i] = heldHere.get(i);
        }
        return all;
    }

    /**
     * Hands the broker a shared value's bytes to keep for the run, and waits at most {@code timeoutMillis} for it
     * to say it keeps them.
     *
     * @throws IllegalStateException  if the broker refuses them (the reason is the message)
     * @throws ClusterBrokenException if it does not answer in time, or the cluster broke
     */
    public void share(String key, byte[] bytes, long timeoutMillis) {
        if (holdShared(key)) {
            return;
        }
        CompletableFuture<String> reply = new CompletableFuture<>();
        CompletableFuture<String> earlier = shareReplies.putIfAbsent(key, reply);
        if (earlier != null) {
            reply = earlier;
        } else {
            link.send(Messages.share(name, key, bytes));
        }
        String refusal;
        try {
            refusal = reply.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterBrokenException("interrupted while sharing a value with the broker at " + link.address());
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            ClusterBrokenException b = broken;
            throw b != null ? b : new ClusterBrokenException("the broker at " + link.address() + " did not take a"
                    + " shared value of " + bytes.length + " bytes within " + timeoutMillis + " ms");
        } finally {
            shareReplies.remove(key, reply);
        }
        if (!refusal.isEmpty()) {
            throw new IllegalStateException("the broker refused to keep a shared value of " + bytes.length
                    + " bytes: " + refusal);
        }
        synchronized (sharedHolds) {
            sharedHolds.merge(key, 1, Integer::sum);
        }
    }

    /** Takes one more hold on a value the broker keeps for this root; false if this root holds it no more. */
    public boolean holdShared(String key) {
        synchronized (sharedHolds) {
            Integer holds = sharedHolds.get(key);
            if (holds == null) {
                return false;
            }
            sharedHolds.put(key, holds + 1);
            return true;
        }
    }

    /** Gives up one hold on a shared value; the broker lets it go when this root holds it no more. */
    public void unshare(String key) {
        synchronized (sharedHolds) {
            Integer holds = sharedHolds.get(key);
            if (holds == null) {
                return;
            }
            if (holds > 1) {
                sharedHolds.put(key, holds - 1);
                return;
            }
            sharedHolds.remove(key);
            // Sent under the lock: a share of the same value that finds no hold after this goes out after this
            // release, never before it (the broker would drop the value that share just kept).
            link.send(Messages.share(name, key, new byte[0]));
        }
    }

    /**
     * The workers in the run now, as the broker knows them; waits at most {@code timeoutMillis} for its answer.
     *
     * @throws ClusterBrokenException if the broker does not answer in time, or the cluster broke
     */
    public List<Messages.WorkerEntry> workers(long timeoutMillis) {
        long tag = ids.incrementAndGet();
        CompletableFuture<List<Messages.WorkerEntry>> reply = new CompletableFuture<>();
        workerReplies.put(tag, reply);
        link.send(Messages.workersQuery(name, tag));
        try {
            return reply.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterBrokenException("interrupted while asking the broker at " + link.address()
                    + " for its workers");
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            ClusterBrokenException b = broken;
            throw b != null ? b : new ClusterBrokenException("the broker at " + link.address() + " did not say"
                    + " which workers it has within " + timeoutMillis + " ms");
        } finally {
            workerReplies.remove(tag);
        }
    }

    /**
     * Tells this client that its broker runs in this JVM (the embedded default), and how to see that its thread
     * still runs: then a silence past the expiry is the broker busy with a large message, not lost, and the
     * futures keep waiting.
     */
    public void brokerInThisJvm(java.util.function.BooleanSupplier running) {
        this.brokerInThisJvm = running;
    }

    /** Runs {@code listener} once if this client loses its broker (after every pending future has failed). */
    public void onBroken(Runnable listener) {
        brokenListeners.add(listener);
        if (broken != null) {
            listener.run();
        }
    }

    /** Says goodbye to the broker and stops the rx thread. Pending futures fail. */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        Thread t = spiller;
        if (t != null) {
            LockSupport.unpark(t);
        }
        link.send(Messages.named(Command.BYE, name));
        failAll(new ClusterBrokenException("the executor's connection to " + link.address() + " was closed"));
        completer.close();
        link.close();
        if (Thread.currentThread() != rxThread) {
            try {
                rxThread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /* ---------------- receiving ---------------- */

    private void receiveLoop() {
        long lastHeard = System.nanoTime();
        long nextHeartbeat = lastHeard + heartbeatNanos;
        long stallNanos = Math.max(heartbeatNanos, TimeUnit.SECONDS.toNanos(1));
        try {
            while (!closing) {
                byte[] body = link.receive();
                long now = System.nanoTime();
                if (body != null) {
                    lastHeard = now;
                    handle(body);
                }
                if (now - nextHeartbeat >= 0) {
                    nextHeartbeat = now + heartbeatNanos;
                    Sockets.checkIo(ctx, "root " + name);
                    link.beat(Messages.peerHeartbeat(name, Hello.ROOT));
                    completer.checkStalled(now, stallNanos);
                    java.util.function.BooleanSupplier local = brokerInThisJvm;
                    if (now - lastHeard > expiryNanos && broken == null
                            && (local == null || !local.getAsBoolean())) {
                        breakWith(new ClusterBrokenException("lost the broker at " + link.address()
                                + ": no message from it for " + TimeUnit.NANOSECONDS.toMillis(now - lastHeard)
                                + " ms, past the heartbeat expiry of " + TimeUnit.NANOSECONDS.toMillis(expiryNanos)
                                + " ms (the last was a " + lastCommand + "; this root kept sending heartbeats every "
                                + TimeUnit.NANOSECONDS.toMillis(heartbeatNanos) + " ms). The broker process (the"
                                + " launcher, or the embedded executor that ran it) has ended or stalled, or the"
                                + " network to it is down"));
                    }
                }
            }
        } catch (RuntimeException e) {
            if (!closing) {
                breakWith(e instanceof ClusterBrokenException cbe ? cbe : new ClusterBrokenException(
                        "the connection to the broker at " + link.address() + " failed: " + e));
            }
        } finally {
            link.closeReceiver();
        }
    }

    private void handle(byte[] body) {
        Command c = Command.of(body);
        if (c == null) {
            return;
        }
        lastCommand = c;
        try {
            switch (c) {
                // Decoded on the completion thread too: copying a large result must not delay heartbeats.
                case RESULTS -> completer.execute(new ResultBatch(body));
                case HEARTBEAT -> onHeartbeat(body);
                case STEAL -> {
                    int n = Messages.readSteal(body);
                    if (localRunner != null && n > 0) {
                        onSteal(n);
                    }
                }
                case SHARE -> {
                    Messages.Shared answer = Messages.readShared(body);
                    CompletableFuture<String> reply = shareReplies.get(answer.key());
                    if (reply != null) {
                        reply.complete(answer.refusal());
                    }
                }
                case WORKERS -> {
                    Messages.Workers answer = Messages.readWorkers(body);
                    CompletableFuture<List<Messages.WorkerEntry>> reply = workerReplies.get(answer.tag());
                    if (reply != null) {
                        reply.complete(answer.workers());
                    }
                }
                case DROPPED -> {
                    String reason = Messages.readDropped(body);
                    breakWith(new RootDroppedException("the broker at " + link.address() + " dropped this root ("
                            + name + "): " + reason + ". Its tasks were cancelled; submit them again on a new"
                            + " executor. A root is dropped when the broker hears nothing from it for the heartbeat"
                            + " expiry: a JVM stalled that long (garbage collection, a suspended process), or an"
                            + " expiry too short for this machine (DistributedExecutor.Builder.heartbeat)"));
                }
                case CANCEL -> {
                    Messages.Cancel cancel = Messages.readCancel(body);
                    CompletableFuture<long[]> reply = revokeReplies.get(cancel.tag());
                    if (reply != null) {
                        reply.complete(cancel.ids());
                    }
                }
                default -> {
                }
            }
        } catch (MalformedMessageException e) {
            badInput.log("dropped a malformed " + c + " message from the broker at " + link.address() + ": "
                    + e.getMessage());
        }
    }

    private void onHeartbeat(byte[] body) {
        Messages.ClusterSize size = Messages.readBrokerHeartbeat(body);
        clusterWorkers = size.workers();
        clusterThreads = size.threads();
    }

    /**
     * The results of one RESULTS message, completed in order. Resumable: one whose decoding stalls (it runs user
     * code, which may hang) does not hold back the others of its message, which the next completion thread takes.
     */
    private final class ResultBatch implements Completer.Resumable {
        private final byte[] body;
        private final java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        private volatile List<ResultItem> items;

        ResultBatch(byte[] body) {
            this.body = body;
        }

        @Override
        public void run() {
            List<ResultItem> list = items;
            if (list == null) {
                try {
                    list = Messages.readResults(body).items();
                } catch (MalformedMessageException e) {
                    badInput.log("dropped a malformed RESULTS message from the broker at " + link.address() + ": "
                            + e.getMessage());
                    list = List.of();
                }
                items = list;
            }
            // One result that cannot be completed must not take the rest of its message with it (see complete).
            for (int i = next.getAndIncrement(); i < list.size(); i = next.getAndIncrement()) {
                complete(list.get(i));
            }
        }

        @Override
        public boolean hasMore() {
            List<ResultItem> list = items;
            return list != null && next.get() < list.size();
        }
    }

    private void complete(ResultItem item) {
        RemoteFuture<?> f = pending.remove(item.id());
        if (f == null) {
            return;
        }
        try {
            complete(f, item);
        } catch (RuntimeException | Error e) {
            // A bug of ours, or an error thrown while completing: the future still ends, named, and the results
            // after this one in its message are still completed.
            Log.error(Log.ROOT, "scoop root " + name + ": task " + item.id() + " could not be completed: " + e, e);
            if (!f.isDone()) {
                ResultNotSerializableException failure = new ResultNotSerializableException("the outcome of task "
                        + item.id() + " (" + TaskPolicy.describe(f) + ") could not be completed on the root: " + e, e);
                try {
                    f.settle(null, failure, null, item.nanos());
                } catch (RuntimeException | Error again) {
                    f.completeExceptionally(failure);
                }
            }
        }
    }

    private void complete(RemoteFuture<?> f, ResultItem item) {
        if (item.run() != null) {
            f.ran(item.run(), item.payload().length);
        }
        switch (item.status()) {
            case Status.OK -> {
                Object value;
                try {
                    value = KryoCodec.decode(item.payload());
                } catch (RuntimeException | Error e) {
                    // Error too: a result whose own decoding overflows the stack or runs out of memory (its
                    // readObject or Kryo read recursing, allocating) fails its future, not the completion thread.
                    f.settle(null, new ResultNotSerializableException("the result of task " + item.id() + " ("
                            + TaskPolicy.describe(f) + ") could not be decoded on the root: " + e, e), null,
                            item.nanos());
                    return;
                }
                f.settle(value, null, null, item.nanos());
            }
            case Status.FAILED -> {
                TaskFailure tf;
                try {
                    tf = (TaskFailure) KryoCodec.decode(item.payload());
                } catch (RuntimeException | Error e) {
                    f.settle(null, new ResultNotSerializableException("the failure of task " + item.id() + " ("
                            + TaskPolicy.describe(f) + ") could not be decoded on the root: " + e, e), null,
                            item.nanos());
                    return;
                }
                Throwable error = Failures.toThrowable(tf, item.id());
                TaskPolicy policy = f.policy();
                byte[] again = policy == null ? null : policy.retryPayload(tf, error);
                if (again != null && !f.isDone()) {
                    // An exception the task's options retry on, with attempts left: send it again.
                    enqueue(f, again, policy.priority(), tf.attempt + 1, policy.maxAttempts(), policy.target());
                    flush();
                    return;
                }
                f.settle(null, error, tf.worker, item.nanos());
            }
            case Status.LOST -> f.settle(null, new WorkerLostException("task " + item.id() + " failed: "
                    + new String(item.payload(), StandardCharsets.UTF_8)), null, 0);
            default -> f.settle(null, new ClusterBrokenException("task " + item.id() + " cannot run: "
                    + new String(item.payload(), StandardCharsets.UTF_8)), null, 0);
        }
    }

    private void failAll(ClusterBrokenException e) {
        List<RemoteFuture<?>> failed = new ArrayList<>();
        for (Long id : new ArrayList<>(pending.keySet())) {
            RemoteFuture<?> f = pending.remove(id);
            if (f != null) {
                failed.add(f);
            }
        }
        outbox.clear();
        forkedById.clear();
        forked.clear();
        forkers.clear();
        if (!failed.isEmpty()) {
            completer.execute(() -> failed.forEach(f -> f.settle(null, e, null, 0)));
        }
    }

    private void breakWith(ClusterBrokenException e) {
        if (broken != null) {
            return;
        }
        broken = e;
        failAll(e);
        completer.execute(() -> brokenListeners.forEach(Runnable::run));
    }

    @Override
    public String toString() {
        return "RootClient[" + name + " -> " + link.address() + ", pending = " + pending.size() + ", workers = "
                + clusterWorkers + (broken != null ? ", broken" : "") + "]";
    }
}
