package io.scoop.broker;

import io.scoop.RunKeys;
import io.scoop.internal.Sockets;
import io.scoop.internal.Ticker;
import io.scoop.wire.Command;
import io.scoop.wire.Hello;
import io.scoop.wire.MalformedMessageException;
import io.scoop.wire.Messages;
import io.scoop.wire.ResultItem;
import io.scoop.wire.Status;
import io.scoop.wire.TaskItem;
import io.scoop.wire.WireReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Routes tasks from roots to workers and results back. It never decodes a payload: it needs no user class,
 * and a hostile payload cannot run code in it.
 *
 * <pre>
 * Overview
 *
 * One ROUTER socket, bound to a TCP endpoint and to an inproc endpoint, and one thread that owns it: a plain
 * blocking receive loop (measured faster here than a poller over two sockets). Each peer has two DEALER
 * sockets: "rx", whose routing id is the peer's name and which only receives, and "tx", which any of the
 * peer's threads may send on under a lock. Messages name their sender in the body, so the broker always
 * answers the peer's rx socket.
 *
 * Task states, and the event behind each transition:
 *
 *   QUEUED     --dispatch to a worker with credit-->                DISPATCHED
 *   DISPATCHED --result from the worker-->                          DONE (result routed to the root)
 *   DISPATCHED --worker lost (process gone, heartbeats stopped)-->  QUEUED again, or LOST after maxAttempts
 *   QUEUED | DISPATCHED --cancel from the root, or root gone-->     DONE (dropped; a running one is interrupted)
 *   any        --cluster broken (no worker left)-->                 DONE (BROKEN routed to the root)
 *
 * Worker states: READY (credit > 0) <-> BUSY (credit = 0) -> EXPIRED (no heartbeat for the expiry, or
 * reported lost by its spawner). A worker asks for credit in its HELLO and with CREDIT deltas; each
 * result it sends returns one credit. The broker never sends a worker more tasks than its credit, and
 * shares the queue among ready workers so that one prefetching worker cannot take it all.
 *
 * Root states: CONNECTED (from its HELLO) -> DROPPED (no heartbeat for the expiry: its queued tasks are
 * forgotten, its running ones interrupted, and it is told with a DROPPED message) or GONE (BYE). A root is
 * never registered again by a later message: TASKS or a heartbeat from a root the broker does not know is
 * answered with DROPPED, so its futures fail instead of waiting for tasks that were forgotten.
 *
 * After every burst of messages (up to BURST, read without blocking) the loop dispatches, flushes the
 * results it gathered per root, and, when due, sends heartbeats and purges silent peers (ppqueue's shape).
 * A burst that kept this thread busy longer than a heartbeat interval (copying a message of hundreds of
 * megabytes) is not counted against the peers, whose heartbeats wait unread behind it.
 * The loop ends on a STOP control message, never on Thread.interrupt (JeroMQ is not interrupt-safe).
 *
 * Security. Builder.secure(keys) demands the run's secret of every peer on the TCP endpoint, of one of two
 * kinds (RunKeys):
 *   CURVE keys  the ROUTER is a CURVE server: every TCP connection is encrypted, and a ZapHandler in the
 *               broker's context admits only peers presenting the run's member public key. For brokers
 *               that remote hosts reach.
 *   a token     the ROUTER is a PLAIN server: a peer sends user name and password once, in clear, when it
 *               connects, and the ZapHandler admits only user "scoop" with the token as password. Nothing
 *               is added per message. For brokers bound to loopback, whose traffic other non-root users
 *               cannot read: the default of the embedded executor and of the launcher's local runs.
 * Either way the handler is bound before the TCP endpoint and closed after the ROUTER, since JeroMQ admits
 * every CURVE or PLAIN client while no handler is bound. Without secure(keys) the TCP endpoint is plain
 * (test fixtures, and users who run their own broker). The inproc endpoint stays plain: it never leaves
 * this process.
 * </pre>
 */
public final class Broker implements AutoCloseable {
    private static final int BURST = 256;
    private static final int MAX_BATCH_BYTES = 4 << 20;
    private static final AtomicLong INSTANCES = new AtomicLong();

    private final ZContext ctx;
    private final boolean ownsContext;
    private final ZMQ.Socket router;
    private final String address;
    private final String inprocAddress;
    private final Ticker ticker;
    private final long heartbeatNanos;
    private final long expiryNanos;
    private final long noWorkerNanos;
    private final int maxAttempts;
    private final Thread thread;
    private final ReentrantLock controlLock = new ReentrantLock();
    private final ZapHandler zap;
    /** The run's secret the TCP endpoint demands, or null for a plain broker. */
    private final RunKeys keys;
    private ZMQ.Socket control;

    /* ---------------- state owned by the loop thread ---------------- */

    private final Map<String, WorkerState> workers = new LinkedHashMap<>();
    private final Map<String, RootState> roots = new HashMap<>();
    private final Map<Long, Task> tasks = new HashMap<>();
    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private final Map<String, List<ResultItem>> outgoing = new HashMap<>();
    private long nextTaskId = 1;
    private long nextHeartbeat;
    private long noWorkersSince = -1;
    private String brokenReason;
    private int rotation;
    private volatile boolean running = true;
    private volatile Stats stats = new Stats(0, 0, 0, 0);
    /** Names of the workers that ever said HELLO (read by spawners from other threads). */
    private final java.util.Set<String> joined = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private Broker(Builder b) {
        this.ctx = b.context != null ? b.context : Sockets.context();
        this.ownsContext = b.context == null;
        this.ticker = b.ticker;
        this.heartbeatNanos = b.heartbeatMillis * 1_000_000L;
        this.expiryNanos = b.expiryMillis * 1_000_000L;
        // noWorkerTimeout(Long.MAX_VALUE) disables the rule.
        this.noWorkerNanos = b.noWorkerMillis >= Long.MAX_VALUE / 1_000_000L ? Long.MAX_VALUE
                : b.noWorkerMillis * 1_000_000L;
        this.maxAttempts = b.maxAttempts;
        this.router = Sockets.create(ctx, SocketType.ROUTER, null);
        router.setRouterMandatory(true);
        // A peer that reconnects (Link.handshake does when its HELLO goes unanswered) keeps its routing id.
        router.setRouterHandover(true);
        // Never block the broker's only thread on one peer: a send to a peer whose pipe is not writable (a root
        // or worker closing its socket as we answer its BYE) fails at once instead of waiting for that pipe
        // forever. With no high-water mark, a live peer's pipe is always writable.
        router.setSendTimeOut(0);
        router.setReceiveTimeOut((int) Math.max(1, Math.min(b.heartbeatMillis, 250)));
        this.zap = b.keys == null ? null : secureServer(router, ctx, b.keys);
        this.keys = b.keys;
        try {
            if (b.bind.endsWith(":*")) {
                int port = router.bindToRandomPort(b.bind.substring(0, b.bind.length() - 2));
                this.address = b.bind.substring(0, b.bind.length() - 1) + port;
            } else {
                router.bind(b.bind);
                this.address = b.bind;
            }
        } catch (RuntimeException e) {
            router.close();
            if (zap != null) {
                zap.close();
            }
            if (ownsContext) {
                ctx.close();
            }
            throw e;
        }
        this.inprocAddress = "inproc://scoop-broker-" + INSTANCES.incrementAndGet();
        router.bind(inprocAddress);
        this.nextHeartbeat = ticker.nanos() + heartbeatNanos;
        this.thread = new Thread(this::run, "scoop-broker");
        thread.setDaemon(true);
        thread.start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Makes {@code router} a CURVE server with the broker's keys, or a PLAIN server for a token, behind a ZAP
     * handler that admits members only.
     */
    private static ZapHandler secureServer(ZMQ.Socket router, ZContext ctx, RunKeys keys) {
        ZapHandler handler;
        try {
            handler = new ZapHandler(ctx, keys);
        } catch (RuntimeException e) {
            router.close();
            throw e;
        }
        router.setZapDomain(ZapHandler.DOMAIN);
        if (keys.isCurve()) {
            router.setCurveServer(true);
            router.setCurvePublicKey(keys.brokerPublicKey());
            router.setCurveSecretKey(keys.brokerSecretKey());
        } else {
            router.setPlainServer(true);
        }
        return handler;
    }

    /** Whether the TCP endpoint requires CURVE and the run's keys. */
    public boolean isCurve() {
        return keys != null && keys.isCurve();
    }

    /** Whether the TCP endpoint requires the run's secret: CURVE keys or a token. */
    public boolean isSecure() {
        return zap != null;
    }

    /** How many connections the authentication (CURVE or token) has refused so far (0 for a plain broker). */
    public long refusals() {
        return zap == null ? 0 : zap.refusals();
    }

    /** The TCP endpoint workers and roots connect to, e.g. {@code tcp://127.0.0.1:40123}. */
    public String address() {
        return address;
    }

    /** The in-process endpoint, for a root in the same JVM (shares the broker's context). */
    public String inprocAddress() {
        return inprocAddress;
    }

    /** The ZeroMQ context the broker's sockets live in; a root in this JVM uses it for inproc. */
    public ZContext context() {
        return ctx;
    }

    /**
     * Tells the broker that a worker is gone (its process exited), so its tasks are requeued now instead of
     * after the heartbeat expiry. With name {@code "*"}, no worker is left at all: every task fails with
     * {@link Status#BROKEN} and {@code reason}. Safe from any thread.
     */
    public void workerLost(String name, String reason) {
        sendControl(Messages.lost(name, reason));
    }

    /**
     * Whether a worker of this name has ever said HELLO: a spawner tells a worker that could not start (it
     * died before joining) from one that ran and was lost. Safe from any thread.
     */
    public boolean hasJoined(String workerName) {
        return joined.contains(workerName);
    }

    /** Stops the loop, tells every worker to exit, and closes the socket. Idempotent. */
    @Override
    public void close() {
        if (!running) {
            return;
        }
        sendControl(Messages.bare(Command.STOP));
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        controlLock.lock();
        try {
            if (control != null) {
                control.close();
                control = null;
            }
        } finally {
            controlLock.unlock();
        }
        if (zap != null && !thread.isAlive()) {
            // Only now: while the ROUTER is open, it must not be left without its handler (see the overview).
            zap.close();
        }
        if (ownsContext) {
            ctx.close();
        }
    }

    private void sendControl(byte[] body) {
        controlLock.lock();
        try {
            if (!thread.isAlive()) {
                return;
            }
            if (control == null) {
                control = Sockets.create(ctx, SocketType.DEALER, null);
                control.connect(inprocAddress);
            }
            control.send(body, 0);
        } finally {
            controlLock.unlock();
        }
    }

    /** Whether the broker's loop still runs: it has not been closed and has not failed. */
    public boolean isRunning() {
        return running && thread.isAlive();
    }

    /** A snapshot of the broker's counts, taken after its last burst of messages. */
    public Stats stats() {
        return stats;
    }

    /**
     * Counts, for monitoring and tests.
     *
     * @param workers workers connected
     * @param queued  tasks waiting for a worker
     * @param tasks   tasks queued or running
     * @param roots   roots connected
     */
    public record Stats(int workers, int queued, int tasks, int roots) {
    }

    @Override
    public String toString() {
        Stats s = stats;
        return "Broker[" + address + (keys == null ? "" : keys.isCurve() ? " (CURVE)" : " (token)") + ", workers = "
                + s.workers() + ", queued = " + s.queued() + ", tasks = " + s.tasks() + ", roots = " + s.roots() + "]";
    }

    /* ---------------- the loop ---------------- */

    private void run() {
        try {
            while (running) {
                int handled = 0;
                int flags = 0;
                long busySince = 0;
                while (handled < BURST) {
                    byte[] identity = router.recv(flags);
                    if (identity == null) {
                        break;
                    }
                    if (handled == 0) {
                        busySince = ticker.nanos();
                    }
                    byte[] body = router.hasReceiveMore() ? router.recv(0) : null;
                    while (router.hasReceiveMore()) {
                        router.recv(0);
                    }
                    handle(body);
                    handled++;
                    flags = ZMQ.DONTWAIT;
                }
                long now = ticker.nanos();
                if (handled > 0 && now - busySince > heartbeatNanos) {
                    excuseStall(now - busySince);
                }
                if (now - nextHeartbeat >= 0) {
                    nextHeartbeat = now + heartbeatNanos;
                    purge(now);
                    sendHeartbeats();
                }
                dispatch();
                flushResults();
                stats = new Stats(workers.size(), queue.size(), tasks.size(), roots.size());
            }
            for (String w : workers.keySet()) {
                send(w, Messages.bare(Command.SHUTDOWN));
            }
        } catch (RuntimeException e) {
            if (running) {
                System.err.println("scoop broker: loop failed: " + e);
                e.printStackTrace();
            }
        } finally {
            running = false;
            router.close();
        }
    }

    private void handle(byte[] body) {
        Command c = Command.of(body);
        if (c == null) {
            return;
        }
        try {
            WireReader r = new WireReader(body).afterCommand();
            switch (c) {
                case HELLO -> onHello(Messages.readHello(body));
                case TASKS -> onTasks(r.string(), Messages.readTasks(r));
                case RESULTS -> onResults(r.string(), Messages.readResults(r));
                case CREDIT -> onCredit(r.string(), r.i32());
                case CANCEL -> onCancel(r);
                case HEARTBEAT -> seen(r.string(), r.u8());
                case BYE -> onBye(r.string());
                case LOST -> onLost(r.string(), r.string());
                case STOP -> running = false;
                default -> {
                }
            }
        } catch (MalformedMessageException e) {
            System.err.println("scoop broker: dropped a malformed " + c + " message: " + e.getMessage());
        }
    }

    private void onHello(Hello h) {
        long now = ticker.nanos();
        if (h.isWorker()) {
            WorkerState known = workers.get(h.name());
            if (known != null && known.pid == h.pid() && known.host.equals(h.host())) {
                // The same process said HELLO again because our answer was slow: answer again, nothing more.
                known.lastSeen = now;
                send(h.name(), Messages.brokerHeartbeat(workers.size(), totalThreads()));
                return;
            }
            WorkerState w = new WorkerState(h.name(), h.threads(), h.credit(), h.pid(), h.host(), now);
            joined.add(h.name());
            WorkerState old = workers.put(h.name(), w);
            if (old != null) {
                lose(old, "it reconnected");
            }
            noWorkersSince = -1;
            brokenReason = null;
        } else {
            roots.computeIfAbsent(h.name(), RootState::new).lastSeen = now;
        }
        send(h.name(), Messages.brokerHeartbeat(workers.size(), totalThreads()));
    }

    private void onTasks(String rootName, List<TaskItem> items) {
        RootState root = roots.get(rootName);
        if (root == null) {
            // Every root says HELLO before its first task: this one was dropped. Never take it back silently,
            // since its earlier tasks are gone: tell it, so its futures fail instead of waiting forever.
            send(rootName, Messages.dropped("the broker does not know this root (it was dropped earlier), so it"
                    + " refused " + items.size() + " tasks"));
            return;
        }
        root.lastSeen = ticker.nanos();
        for (TaskItem item : items) {
            if (brokenReason != null) {
                reply(rootName, new ResultItem(item.id(), Status.BROKEN, 0, utf8(brokenReason)));
                continue;
            }
            Task t = new Task(nextTaskId++, root, item.id(), item.priority(), item.payload());
            tasks.put(t.id, t);
            root.tasks.put(t.rootTaskId, t);
            queue.add(t);
        }
    }

    private void onResults(String workerName, List<ResultItem> items) {
        WorkerState w = workers.get(workerName);
        if (w == null) {
            // A worker we gave up on (its tasks went to others): it must not come back half-known.
            send(workerName, Messages.bare(Command.SHUTDOWN));
            return;
        }
        w.lastSeen = ticker.nanos();
        for (ResultItem item : items) {
            w.credit++;
            Task t = w.assigned.remove(item.id());
            if (t != null && item.status() == Status.RETURNED) {
                t.worker = null;
                t.attempts--;
                if (t.cancelled) {
                    forget(t);
                } else {
                    queue.add(t);
                }
                continue;
            }
            if (t == null || item.status() == Status.CANCELLED) {
                if (t != null) {
                    forget(t);
                }
                continue;
            }
            forget(t);
            reply(t.root.name, new ResultItem(t.rootTaskId, item.status(), item.nanos(), item.payload()));
        }
    }

    private void onCredit(String workerName, int delta) {
        WorkerState w = workers.get(workerName);
        if (w != null) {
            w.credit += delta;
            w.lastSeen = ticker.nanos();
        }
    }

    private void onCancel(WireReader r) {
        RootState root = roots.get(r.string());
        long tag = r.i64();
        int n = r.i32();
        List<Long> removed = new ArrayList<>();
        Map<WorkerState, List<Long>> forward = new HashMap<>();
        boolean interrupt = false;
        for (int i = 0; i < n; i++) {
            long rootTaskId = r.i64();
            interrupt |= r.u8() != 0;
            Task t = root == null ? null : root.tasks.get(rootTaskId);
            if (t == null) {
                continue;
            }
            if (t.worker == null) {
                queue.remove(t);
                forget(t);
                removed.add(rootTaskId);
            } else {
                t.cancelled = true;
                forward.computeIfAbsent(t.worker, k -> new ArrayList<>()).add(t.id);
            }
        }
        for (Map.Entry<WorkerState, List<Long>> e : forward.entrySet()) {
            send(e.getKey().name, Messages.cancel("", 0, toArray(e.getValue()), interrupt));
        }
        if (tag != 0 && root != null) {
            send(root.name, Messages.cancel("", tag, toArray(removed), false));
        }
    }

    private void onBye(String name) {
        WorkerState w = workers.get(name);
        if (w != null) {
            lose(w, "it said goodbye");
            return;
        }
        RootState root = roots.remove(name);
        if (root != null) {
            dropRoot(root);
        }
        // Answer, so that the peer's receiving thread wakes now instead of at its next receive timeout.
        send(name, Messages.bare(Command.BYE));
    }

    private void onLost(String name, String reason) {
        if ("*".equals(name)) {
            breakCluster(reason);
            return;
        }
        WorkerState w = workers.get(name);
        if (w != null) {
            lose(w, reason);
        }
    }

    private void seen(String name, int role) {
        long now = ticker.nanos();
        WorkerState w = workers.get(name);
        if (w != null) {
            w.lastSeen = now;
            return;
        }
        RootState root = roots.get(name);
        if (root != null) {
            root.lastSeen = now;
        } else if (role == Hello.ROOT) {
            send(name, Messages.dropped("the broker does not know this root (it was dropped earlier)"));
        } else if (role == Hello.WORKER) {
            // A worker we gave up on: its tasks went to others, so it must not come back half-known.
            send(name, Messages.bare(Command.SHUTDOWN));
        }
    }

    /* ---------------- dispatch ---------------- */

    private void dispatch() {
        if (queue.isEmpty() || workers.isEmpty()) {
            return;
        }
        List<WorkerState> ready = new ArrayList<>(workers.size());
        for (WorkerState w : workers.values()) {
            if (w.credit > 0) {
                ready.add(w);
            }
        }
        if (ready.isEmpty()) {
            return;
        }
        int start = Math.floorMod(rotation++, ready.size());
        while (!queue.isEmpty() && !ready.isEmpty()) {
            int share = Math.max(1, (queue.size() + ready.size() - 1) / ready.size());
            for (int k = 0; k < ready.size() && !queue.isEmpty(); k++) {
                WorkerState w = ready.get((start + k) % ready.size());
                int n = Math.min(w.credit, share);
                List<TaskItem> batch = new ArrayList<>(n);
                int bytes = 0;
                while (batch.size() < n && bytes < MAX_BATCH_BYTES && !queue.isEmpty()) {
                    Task t = queue.poll();
                    t.worker = w;
                    t.attempts++;
                    w.assigned.put(t.id, t);
                    batch.add(new TaskItem(t.id, t.priority, t.attempts - 1, t.payload));
                    bytes += t.payload.length;
                }
                w.credit -= batch.size();
                send(w.name, Messages.dispatch(batch));
            }
            ready.removeIf(w -> w.credit <= 0);
        }
    }

    private void reply(String rootName, ResultItem item) {
        outgoing.computeIfAbsent(rootName, k -> new ArrayList<>()).add(item);
    }

    private void flushResults() {
        if (outgoing.isEmpty()) {
            return;
        }
        for (Map.Entry<String, List<ResultItem>> e : outgoing.entrySet()) {
            send(e.getKey(), Messages.results("", e.getValue()));
        }
        outgoing.clear();
    }

    /* ---------------- liveness ---------------- */

    private void sendHeartbeats() {
        byte[] hb = Messages.brokerHeartbeat(workers.size(), totalThreads());
        for (String w : workers.keySet()) {
            send(w, hb);
        }
        for (String r : roots.keySet()) {
            send(r, hb);
        }
    }

    private void purge(long now) {
        List<WorkerState> expired = new ArrayList<>();
        for (WorkerState w : workers.values()) {
            if (now - w.lastSeen > expiryNanos) {
                expired.add(w);
            }
        }
        for (WorkerState w : expired) {
            lose(w, "no heartbeat for " + TimeUnit.NANOSECONDS.toMillis(now - w.lastSeen) + " ms");
        }
        for (Iterator<RootState> it = roots.values().iterator(); it.hasNext();) {
            RootState root = it.next();
            if (now - root.lastSeen > expiryNanos) {
                it.remove();
                int n = root.tasks.size();
                dropRoot(root);
                String why = "no heartbeat from it for " + TimeUnit.NANOSECONDS.toMillis(now - root.lastSeen)
                        + " ms, past the expiry of " + TimeUnit.NANOSECONDS.toMillis(expiryNanos) + " ms; its " + n
                        + " tasks were cancelled";
                System.err.println("scoop broker: dropped root " + root.name + ": " + why);
                send(root.name, Messages.dropped(why));
            }
        }
        if (workers.isEmpty() && noWorkersSince >= 0 && now - noWorkersSince > noWorkerNanos && !tasks.isEmpty()) {
            breakCluster("no worker left: the last one was lost "
                    + TimeUnit.NANOSECONDS.toMillis(now - noWorkersSince) + " ms ago and none joined since");
        }
    }

    /**
     * This thread was busy for {@code nanos} with one burst (copying a message of hundreds of megabytes, on a
     * loaded machine): the peers' heartbeats of that time are still unread behind it, so the time does not
     * count against them.
     */
    private void excuseStall(long nanos) {
        for (WorkerState w : workers.values()) {
            w.lastSeen += nanos;
        }
        for (RootState r : roots.values()) {
            r.lastSeen += nanos;
        }
    }

    /** Removes a worker and requeues what it was running, or fails it after {@code maxAttempts}. */
    private void lose(WorkerState w, String reason) {
        workers.remove(w.name, w);
        List<Task> orphans = new ArrayList<>(w.assigned.values());
        w.assigned.clear();
        orphans.sort(null);
        int requeued = 0;
        int failed = 0;
        int cancelled = 0;
        for (Task t : orphans) {
            t.worker = null;
            if (t.cancelled) {
                forget(t);
                cancelled++;
            } else if (t.attempts >= maxAttempts) {
                forget(t);
                failed++;
                reply(t.root.name, new ResultItem(t.rootTaskId, Status.LOST, 0, utf8("task (" + t.payload.length
                        + " bytes encoded) was running on worker " + w + ", which was lost (" + reason + "); it was"
                        + " tried " + t.attempts + " times, the limit")));
            } else {
                queue.add(t);
                requeued++;
            }
        }
        if (workers.isEmpty()) {
            noWorkersSince = ticker.nanos();
        }
        if (!orphans.isEmpty()) {
            System.err.println("scoop broker: worker " + w + " lost (" + reason + "); of its tasks " + requeued
                    + " requeued, " + failed + " failed (attempt limit), " + cancelled + " dropped (cancelled)");
        }
    }

    private void breakCluster(String reason) {
        brokenReason = reason;
        for (Task t : new ArrayList<>(tasks.values())) {
            forget(t);
            reply(t.root.name, new ResultItem(t.rootTaskId, Status.BROKEN, 0, utf8(reason)));
        }
        queue.clear();
        for (WorkerState w : workers.values()) {
            w.assigned.clear();
        }
    }

    private void dropRoot(RootState root) {
        Map<WorkerState, List<Long>> running = new HashMap<>();
        for (Task t : new ArrayList<>(root.tasks.values())) {
            if (t.worker == null) {
                queue.remove(t);
                forget(t);
            } else {
                t.cancelled = true;
                running.computeIfAbsent(t.worker, k -> new ArrayList<>()).add(t.id);
            }
        }
        for (Map.Entry<WorkerState, List<Long>> e : running.entrySet()) {
            send(e.getKey().name, Messages.cancel("", 0, toArray(e.getValue()), true));
        }
    }

    private void forget(Task t) {
        tasks.remove(t.id);
        t.root.tasks.remove(t.rootTaskId, t);
    }

    private int totalThreads() {
        int n = 0;
        for (WorkerState w : workers.values()) {
            n += w.threads;
        }
        return n;
    }

    private void send(String peer, byte[] body) {
        try {
            // A routing id that fails must not leave the body to be taken as the next message's routing id.
            if (router.sendMore(peer.getBytes(StandardCharsets.UTF_8))) {
                router.send(body, 0);
            }
        } catch (RuntimeException e) {
            // The peer is gone (EHOSTUNREACH with ROUTER_MANDATORY); liveness will clean up after it.
        }
    }

    private static long[] toArray(List<Long> ids) {
        return ids.stream().mapToLong(Long::longValue).toArray();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /* ---------------- state ---------------- */

    private static final class Task implements Comparable<Task> {
        final long id;
        final RootState root;
        final long rootTaskId;
        final int priority;
        final byte[] payload;
        int attempts;
        WorkerState worker;
        boolean cancelled;

        Task(long id, RootState root, long rootTaskId, int priority, byte[] payload) {
            this.id = id;
            this.root = root;
            this.rootTaskId = rootTaskId;
            this.priority = priority;
            this.payload = payload;
        }

        @Override
        public int compareTo(Task o) {
            return priority != o.priority ? Integer.compare(o.priority, priority) : Long.compare(id, o.id);
        }
    }

    private static final class WorkerState {
        final String name;
        final int threads;
        final long pid;
        final String host;
        final Map<Long, Task> assigned = new LinkedHashMap<>();
        int credit;
        long lastSeen;

        WorkerState(String name, int threads, int credit, long pid, String host, long now) {
            this.name = name;
            this.threads = Math.max(1, threads);
            this.credit = credit;
            this.pid = pid;
            this.host = host;
            this.lastSeen = now;
        }

        @Override
        public String toString() {
            return name + " (pid " + pid + " on " + host + ")";
        }
    }

    private static final class RootState {
        final String name;
        final Map<Long, Task> tasks = new HashMap<>();
        long lastSeen;

        RootState(String name) {
            this.name = name;
        }
    }

    /* ---------------- builder ---------------- */

    /** Settings for a broker; each is validated when set. */
    public static final class Builder {
        private String bind = "tcp://127.0.0.1:*";
        private ZContext context;
        private Ticker ticker = Ticker.SYSTEM;
        private long heartbeatMillis = 1000;
        private long expiryMillis = 5000;
        private long noWorkerMillis = 10_000;
        private int maxAttempts = 3;
        private RunKeys keys;

        private Builder() {
        }

        /**
         * Requires the run's secret on the TCP endpoint; only peers given {@link RunKeys#memberLine()} may
         * connect. With CURVE keys ({@link RunKeys#generate()}) connections are encrypted: for a broker that
         * remote hosts reach. With a token ({@link RunKeys#token()}) peers present it as their ZeroMQ PLAIN
         * password, in clear, once per connection, and messages cost nothing more than on plain TCP: for a
         * broker bound to loopback only. Default: plain TCP, which any process that reaches the port may use.
         *
         * <p>Named {@code secure} rather than {@code curve} since it takes either kind of keys.
         *
         * @throws IllegalArgumentException if {@code keys} are CURVE keys without the broker's secret key (a
         *                                  member's keys)
         * @throws IllegalStateException    if keys were set already
         */
        public Builder secure(RunKeys keys) {
            java.util.Objects.requireNonNull(keys, "keys");
            if (this.keys != null) {
                throw new IllegalStateException("the broker's keys were already set to " + this.keys);
            }
            if (!keys.hasBrokerSecret()) {
                throw new IllegalArgumentException("a CURVE broker needs the broker's secret key, which " + keys
                        + " lack (they were read from a member's key line): pass the keys made by"
                        + " RunKeys.generate()");
            }
            this.keys = keys;
            return this;
        }

        /** The TCP endpoint to bind; a port of {@code *} picks a free one. Default {@code tcp://127.0.0.1:*}. */
        public Builder bind(String endpoint) {
            if (!endpoint.startsWith("tcp://")) {
                throw new IllegalArgumentException("broker endpoint must start with tcp://: " + endpoint);
            }
            this.bind = endpoint;
            return this;
        }

        /** Shares a ZeroMQ context (and with it the inproc endpoint) with a root in this JVM. */
        public Builder context(ZContext ctx) {
            this.context = ctx;
            return this;
        }

        public Builder ticker(Ticker t) {
            this.ticker = t;
            return this;
        }

        public Builder heartbeat(long intervalMillis, long expiryMillis) {
            if (intervalMillis < 1 || expiryMillis <= intervalMillis) {
                throw new IllegalArgumentException("heartbeat interval must be >= 1 ms and below the expiry: "
                        + intervalMillis + " ms, expiry " + expiryMillis + " ms");
            }
            this.heartbeatMillis = intervalMillis;
            this.expiryMillis = expiryMillis;
            return this;
        }

        /**
         * How long tasks may wait with no worker at all, after the last one was lost, before they fail.
         * {@code Long.MAX_VALUE} disables the rule: for a broker whose owner starts replacement workers and
         * says itself when none will come ({@link #workerLost workerLost("*", reason)}).
         */
        public Builder noWorkerTimeout(long millis) {
            if (millis < 0) {
                throw new IllegalArgumentException("no-worker timeout must not be negative: " + millis);
            }
            this.noWorkerMillis = millis;
            return this;
        }

        /** How many times a task is dispatched before a worker loss fails it. Default 3. */
        public Builder maxAttempts(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("max attempts must be at least 1: " + n);
            }
            this.maxAttempts = n;
            return this;
        }

        public Broker start() {
            return new Broker(this);
        }
    }
}
