package io.scoop.broker;

import io.scoop.internal.Log;
import io.scoop.internal.Sockets;
import io.scoop.internal.Ticker;
import io.scoop.wire.Command;
import io.scoop.wire.Hello;
import io.scoop.wire.Messages;
import io.scoop.wire.ResultItem;
import io.scoop.wire.RunInfo;
import io.scoop.wire.Status;
import io.scoop.wire.TaskItem;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;

/**
 * The broker's scheduling, without sockets or threads: the queue (by priority, then arrival), workers' credit,
 * dispatch, results routed back, cancel, liveness (expiry of silent peers, requeue of a lost worker's tasks up
 * to the attempt limit) and the cluster's breaking when no worker is left. {@link Broker} owns the socket and
 * the loop and calls these methods with each decoded message; what they send goes to an {@link Outbox}. Time
 * comes from a {@link Ticker}, so tests drive it message by message and tick by tick, as OkHttp tests its
 * Dispatcher.
 *
 * <p>Not thread-safe: one thread (the broker's loop) calls everything.
 */
final class Scheduler {
    private final io.scoop.internal.RateLimitedLog drops = new io.scoop.internal.RateLimitedLog("scoop broker");

    /** Where messages to peers go: the ROUTER socket in the broker, a list in tests. */
    interface Outbox {
        void send(String peer, byte[] body);
    }

    private final Ticker ticker;
    private final long heartbeatNanos;
    private final long expiryNanos;
    private final long noWorkerNanos;
    private final int maxAttempts;
    private final Outbox out;
    /** The most bytes of tasks or results put in one message (read once: the dispatch path is hot). */
    private final long batchBytes;

    private final Map<String, WorkerState> workers = new LinkedHashMap<>();
    private final Map<String, RootState> roots = new HashMap<>();
    /** Roots that hold children unsent and have not been asked for them since they said so. */
    private final java.util.Set<RootState> holders = new java.util.LinkedHashSet<>();
    /** Children asked for by STEAL, for the counts. */
    private long steals;
    /** A bound on a worker's threads and lent slots, whatever its messages say. */
    private static final int MAX_LENT = 1 << 16;
    /** How long children asked for by a STEAL count as on their way to idle threads. */
    private static final long STEAL_IN_FLIGHT_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private final Map<Long, Task> tasks = new HashMap<>();
    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    /** Tasks that must run on one worker ("worker:NAME") or on one host's workers ("host:NAME"), by target. */
    private final Map<String, PriorityQueue<Task>> bound = new HashMap<>();
    /** Shared values by key, each kept until the last root that shared it leaves. */
    private final Map<String, SharedValue> shared = new HashMap<>();
    private long sharedBytes;
    private long fetches;
    /** The most bytes of shared values kept at once: a quarter of this JVM's heap. */
    private final long maxSharedBytes = Runtime.getRuntime().maxMemory() / 4;
    /** Hosts from which a worker has joined. */
    private final java.util.Set<String> hosts = new java.util.TreeSet<>();
    private final Map<String, List<ResultItem>> outgoing = new HashMap<>();
    private long nextTaskId = 1;
    private long nextHeartbeat;
    private long noWorkersSince = -1;
    private String brokenReason;
    private int rotation;
    /** What the status page shows of the past (counts, rings of recent tasks and failures). */
    private final Monitor monitor;
    /** Names of the workers that ever said HELLO (read by spawners from other threads). */
    private final java.util.Set<String> joined = java.util.concurrent.ConcurrentHashMap.newKeySet();

    Scheduler(Ticker ticker, long heartbeatNanos, long expiryNanos, long noWorkerNanos, int maxAttempts,
            Outbox out) {
        this.ticker = ticker;
        this.heartbeatNanos = heartbeatNanos;
        this.expiryNanos = expiryNanos;
        this.noWorkerNanos = noWorkerNanos;
        this.maxAttempts = maxAttempts;
        this.out = out;
        this.batchBytes = Sockets.batchBytes();
        this.nextHeartbeat = ticker.nanos() + heartbeatNanos;
        this.monitor = new Monitor(ticker.nanos());
    }

    /**
     * A copy of the state for the status page: a few small records per worker and the monitor's rings (a few
     * hundred references), so that the loop is held for microseconds; the page builds its JSON from it.
     */
    StatusSnapshot snapshot(long badMessages, String address, String secret) {
        long now = ticker.nanos();
        List<StatusSnapshot.WorkerRow> rows = new ArrayList<>(workers.size());
        for (WorkerState w : workers.values()) {
            rows.add(new StatusSnapshot.WorkerRow(w.name, w.host, w.pid, w.threads, w.credit > 0 ? "ready" : "busy",
                    w.assigned.size(), w.running, w.cpuPermille, w.heapUsed, w.heapMax, w.done, w.failed,
                    monitor.millis(w.lastSeen)));
        }
        Broker.Stats st = stats(badMessages);
        return new StatusSnapshot(monitor.millis(now), monitor.started(), address,
                secret, rows, monitor.lost(), st.queued(), st.tasks() - st.queued(), st.roots(), monitor.ok,
                monitor.failed, monitor.perSecond(now), monitor.records(), monitor.failures(), badMessages,
                monitor.joined);
    }

    /** A task ended as {@code status} on worker {@code w} (or with no worker): the status page's record of it. */
    private void recordEnd(Task t, WorkerState w, String status, ResultItem item, String failureText) {
        long now = ticker.nanos();
        io.scoop.wire.RunInfo run = item == null ? null : item.run();
        String label = run == null ? "" : run.label().length() <= 200 ? run.label() : run.label().substring(0, 200);
        StatusSnapshot.TaskRow row = new StatusSnapshot.TaskRow(t.id, label, t.root.name, status,
                w == null ? "" : w.name, w == null ? "" : w.host, t.earlierAttempts + t.attempts,
                t.dispatchedAt == 0 ? -1 : Math.max(0, t.dispatchedAt - t.arrivedAt) / 1e6,
                run == null ? -1 : run.waitNanos() / 1e6, item == null ? -1 : item.nanos() / 1e6, t.payload.length,
                item == null ? 0 : item.payload().length, run == null ? -1 : run.allocatedBytes(), monitor.millis(now));
        monitor.ended(now, row, failureText);
        if (w != null) {
            if (row.ok()) {
                w.done++;
            } else {
                w.failed++;
            }
        }
    }

    /** Counts for {@link Broker#stats()}. */
    Broker.Stats stats(long badMessages) {
        int queued = queue.size();
        for (PriorityQueue<Task> q : bound.values()) {
            queued += q.size();
        }
        return new Broker.Stats(workers.size(), queued, tasks.size(), roots.size(), badMessages, shared.size(),
                sharedBytes, fetches, steals);
    }

    /** Whether a worker of this name has ever said HELLO. Safe from any thread. */
    boolean hasJoined(String workerName) {
        return joined.contains(workerName);
    }

    /**
     * The loop was busy for {@code nanos} with one burst (copying a message of hundreds of megabytes, on a
     * loaded machine): the peers' heartbeats of that time are still unread behind it, so the time does not
     * count against them.
     */
    void excuseStall(long nanos) {
        for (WorkerState w : workers.values()) {
            w.lastSeen += nanos;
        }
        for (RootState r : roots.values()) {
            r.lastSeen += nanos;
        }
    }

    /** At the broker's stop: tells every worker to exit. */
    void shutdownWorkers() {
        for (String w : workers.keySet()) {
            send(w, Messages.bare(Command.SHUTDOWN));
        }
    }

    /**
     * A worker that sent a bad message (from either of its sockets: routing id {@code name} or {@code name/tx})
     * is dropped: its tasks go to others, and it is told to exit. Anyone else is only counted.
     */
    void dropSender(String id, String why) {
        WorkerState w = workers.get(id.endsWith("/tx") ? id.substring(0, id.length() - 3) : id);
        if (w != null) {
            lose(w, "it sent a bad message: " + why);
            send(w.name, Messages.bare(Command.SHUTDOWN));
        }
    }

    void onHello(Hello h) {
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
            monitor.joined++;
            hosts.add(h.host());
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

    void onTasks(Messages.Batch<TaskItem> batch) {
        String rootName = batch.from();
        List<TaskItem> items = batch.items();
        RootState root = roots.get(rootName);
        if (root == null) {
            // Every root says HELLO before its first task: this one was dropped. Never take it back silently,
            // since its earlier tasks are gone: tell it, so its futures fail instead of waiting forever.
            send(rootName, Messages.dropped("the broker does not know this root (it was dropped earlier), so it"
                    + " refused " + items.size() + " tasks"));
            return;
        }
        root.lastSeen = ticker.nanos();
        if (root.stealing > 0) {
            root.stealing = Math.max(0, root.stealing - items.size()); // the stolen children, come
        }
        for (TaskItem item : items) {
            if (brokenReason != null) {
                reply(rootName, new ResultItem(item.id(), Status.BROKEN, 0, utf8(brokenReason)));
                continue;
            }
            String target = item.target().isEmpty() ? null : item.target();
            String unplaceable = target == null ? null : unplaceable(target);
            if (unplaceable != null) {
                reply(rootName, new ResultItem(item.id(), Status.LOST, 0, utf8(unplaceable)));
                continue;
            }
            Task t = new Task(nextTaskId++, root, item.id(), item.priority(), target, item.payload());
            // The root's retries count against the task's own limit (or this broker's): both from the wire,
            // so kept in range.
            t.earlierAttempts = Math.max(0, Math.min(item.attempt(), 1_000_000));
            t.maxAttempts = item.maxAttempts() > 0 ? item.maxAttempts() : maxAttempts;
            t.arrivedAt = root.lastSeen;
            tasks.put(t.id, t);
            root.tasks.put(t.rootTaskId, t);
            enqueue(t);
        }
    }

    /** Why a task bound to {@code target} cannot run in this run, or null if it can (now or when a worker comes). */
    private String unplaceable(String target) {
        if (target.startsWith(TaskItem.WORKER_TARGET)) {
            String name = target.substring(TaskItem.WORKER_TARGET.length());
            return workers.containsKey(name) ? null : "it must run on worker " + name + ", which is not in the run"
                    + " (workers now: " + String.join(", ", workers.keySet()) + ")";
        }
        if (target.startsWith(TaskItem.HOST_TARGET)) {
            String host = target.substring(TaskItem.HOST_TARGET.length());
            return hosts.contains(host) ? null : "it must run on host " + host + ", from which no worker has joined"
                    + " (hosts: " + String.join(", ", hosts) + ")";
        }
        return "its target '" + target + "' is neither worker:NAME nor host:NAME";
    }

    private void enqueue(Task t) {
        if (t.target == null) {
            queue.add(t);
        } else {
            bound.computeIfAbsent(t.target, k -> new PriorityQueue<>()).add(t);
        }
    }

    private void dequeue(Task t) {
        if (t.target == null) {
            queue.remove(t);
        } else {
            PriorityQueue<Task> q = bound.get(t.target);
            if (q != null && q.remove(t) && q.isEmpty()) {
                bound.remove(t.target);
            }
        }
    }

    void onResults(Messages.Batch<ResultItem> batch) {
        String workerName = batch.from();
        List<ResultItem> items = batch.items();
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
                    enqueue(t);
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
            if (item.status() == Status.OK) {
                recordEnd(t, w, "ok", item, null);
            } else {
                String text = item.run() != null && !item.run().failure().isEmpty() ? item.run().failure()
                        : "the task failed (status " + item.status() + ")";
                recordEnd(t, w, item.status() == Status.FAILED ? "failed" : "lost", item, text);
            }
            RunInfo run = item.run() == null ? null
                    : item.run().fromWorker(w.name, w.host, w.pid, Math.max(0, t.dispatchedAt - t.arrivedAt));
            reply(t.root.name, new ResultItem(t.rootTaskId, item.status(), item.nanos(), item.payload(), run));
        }
    }

    void onCredit(Messages.Credit c) {
        WorkerState w = workers.get(c.worker());
        if (w != null) {
            // Saturated: a delta near Integer.MAX_VALUE must not wrap the credit around.
            w.credit = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, (long) w.credit + c.delta()));
            w.lastSeen = ticker.nanos();
        }
    }

    /** A worker's thread waits on a child ({@code +1}) or has stopped waiting ({@code -1}): one credit more or less. */
    void onLend(Messages.Credit c) {
        WorkerState w = workers.get(c.worker());
        if (w != null) {
            int step = Integer.signum(c.delta()); // one slot at a time, whatever the message says
            // Not clamped at 0: a worker's -1 may come before its +1 (they leave on different sockets). Clamped at
            // +-MAX_LENT, and the credit moves only as far as the lent slots did: LENDs past the bound change nothing.
            int lent = Math.max(-MAX_LENT, Math.min(MAX_LENT, w.lent + step));
            w.credit += lent - w.lent;
            w.lent = lent;
            w.lastSeen = ticker.nanos();
        }
    }

    /** A worker's nested root holds {@code count} children unsent: what {@link #steal} may ask it for. */
    void onHold(Messages.Hold h) {
        RootState r = roots.get(h.root());
        if (r == null) {
            return; // not a root that said HELLO (or one already dropped): nothing to steal from
        }
        r.lastSeen = ticker.nanos();
        r.holding = Math.max(0, h.count());
        // Not taken as the answer to its last STEAL: the children it sends may go out after this HOLD (a send
        // that finds the lock taken leaves them to the next one). They end the ask when they come (onTasks), or
        // its age does.
        if (r.holding > 0) {
            holders.add(r);
        } else {
            holders.remove(r);
        }
    }

    /**
     * Work stealing: while no task waits in the queue and some worker has a task thread with nothing to do, asks
     * the roots that hold children unsent (a task's children, kept on its worker to run on the thread that waits
     * for them) for as many as there are idle threads, the largest holder first. The children they send then
     * come through the queue to the idle workers (least loaded first, see {@link #dispatch}). A holder asked once
     * is asked again only after it says it still holds some.
     */
    void steal() {
        if (holders.isEmpty() || !queue.isEmpty() || workers.isEmpty()) {
            return;
        }
        long idle = 0;
        for (WorkerState w : workers.values()) {
            if (w.credit > 0) {
                idle += w.idleThreads();
            }
        }
        // Children asked for and not come yet are promised to idle threads already: not asked for twice.
        long now = ticker.nanos();
        for (RootState r : roots.values()) {
            if (r.stealing > 0 && now - r.stealAt > STEAL_IN_FLIGHT_NANOS) {
                r.stealing = 0; // it had fewer to send than asked (they ran meanwhile, or were too young)
            }
            idle -= r.stealing;
        }
        if (idle <= 0) {
            return;
        }
        List<RootState> byHolding = new ArrayList<>(holders);
        byHolding.sort((a, b) -> Integer.compare(b.holding, a.holding));
        for (RootState r : byHolding) {
            if (idle <= 0) {
                break;
            }
            int n = (int) Math.min(idle, r.holding);
            idle -= n;
            r.holding = 0;
            r.stealing = n;
            r.stealAt = now;
            holders.remove(r);
            steals += n;
            send(r.name, Messages.steal(n));
        }
    }

    void onCancel(Messages.Cancel cancel) {
        RootState root = roots.get(cancel.from());
        long tag = cancel.tag();
        List<Long> removed = new ArrayList<>();
        Map<WorkerState, List<Long>> forward = new HashMap<>();
        boolean interrupt = cancel.interrupt();
        for (long rootTaskId : cancel.ids()) {
            Task t = root == null ? null : root.tasks.get(rootTaskId);
            if (t == null) {
                continue;
            }
            if (t.worker == null) {
                dequeue(t);
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

    void onBye(String name) {
        WorkerState w = workers.get(name);
        if (w != null) {
            lose(w, "it said goodbye");
            return;
        }
        RootState root = roots.remove(name);
        if (root != null) {
            holders.remove(root);
            dropRoot(root);
        }
        // Answer, so that the peer's receiving thread wakes now instead of at its next receive timeout.
        send(name, Messages.bare(Command.BYE));
    }

    void onLost(Messages.Lost lost) {
        String name = lost.worker();
        String reason = lost.reason();
        if ("*".equals(name)) {
            breakCluster(reason);
            return;
        }
        WorkerState w = workers.get(name);
        if (w != null) {
            lose(w, reason);
        }
    }

    /** A peer's heartbeat; a worker's may carry its load, which the status page shows. */
    void seen(Messages.PeerHeartbeat h) {
        seen(h.name(), h.role());
        Messages.WorkerLoad load = h.load();
        WorkerState w = load == null ? null : workers.get(h.name());
        if (w != null) {
            w.cpuPermille = Math.max(-1, Math.min(1000, load.cpuPermille()));
            w.heapUsed = load.heapUsed();
            w.heapMax = load.heapMax();
            List<Messages.RunningTask> running = new ArrayList<>(load.running().size());
            for (Messages.RunningTask r : load.running()) {
                String label = r.label().length() <= 100 ? r.label() : r.label().substring(0, 100);
                running.add(new Messages.RunningTask(r.id(), label));
            }
            w.running = List.copyOf(running);
        }
    }

    void seen(String name, int role) {
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

    void dispatch() {
        if (workers.isEmpty()) {
            return;
        }
        if (!bound.isEmpty()) {
            dispatchBound();
        }
        if (queue.isEmpty()) {
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
        // In turn, but a worker with idle threads first: a task that comes alone (a stolen child) goes where a
        // thread waits for work, not into the prefetch of a busy worker.
        java.util.Collections.rotate(ready, -Math.floorMod(rotation++, ready.size()));
        ready.sort((a, b) -> Integer.compare(b.idleThreads(), a.idleThreads()));
        long bound = batchBytes;
        while (!queue.isEmpty() && !ready.isEmpty()) {
            int share = Math.max(1, (queue.size() + ready.size() - 1) / ready.size());
            for (int k = 0; k < ready.size() && !queue.isEmpty(); k++) {
                WorkerState w = ready.get(k);
                int n = Math.min(w.credit, share);
                List<TaskItem> batch = new ArrayList<>(n);
                long bytes = 0;
                while (batch.size() < n && bytes < bound && !queue.isEmpty()) {
                    Task t = queue.poll();
                    batch.add(assign(t, w));
                    bytes += t.payload.length + 24;
                }
                w.credit -= batch.size();
                send(w.name, Messages.dispatch(batch));
            }
            ready.removeIf(w -> w.credit <= 0);
        }
    }

    /** Gives each worker with credit the tasks bound to it or to its host, first. */
    private void dispatchBound() {
        for (WorkerState w : workers.values()) {
            if (w.credit <= 0) {
                continue;
            }
            List<TaskItem> batch = new ArrayList<>();
            long bytes = 0;
            long limit = batchBytes;
            for (String target : new String[] {TaskItem.WORKER_TARGET + w.name, TaskItem.HOST_TARGET + w.host}) {
                PriorityQueue<Task> q = bound.get(target);
                while (q != null && !q.isEmpty() && batch.size() < w.credit && bytes < limit) {
                    Task t = q.poll();
                    batch.add(assign(t, w));
                    bytes += t.payload.length + 24;
                }
                if (q != null && q.isEmpty()) {
                    bound.remove(target);
                }
            }
            if (!batch.isEmpty()) {
                w.credit -= batch.size();
                send(w.name, Messages.dispatch(batch));
            }
        }
    }

    /** Hands a queued task to a worker: the item to send it. */
    private TaskItem assign(Task t, WorkerState w) {
        t.worker = w;
        t.attempts++;
        t.dispatchedAt = ticker.nanos();
        w.assigned.put(t.id, t);
        return new TaskItem(t.id, t.priority, t.earlierAttempts + t.attempts - 1, t.maxAttempts, "", t.payload);
    }

    private void reply(String rootName, ResultItem item) {
        outgoing.computeIfAbsent(rootName, k -> new ArrayList<>()).add(item);
    }

    void flushResults() {
        if (outgoing.isEmpty()) {
            return;
        }
        for (Map.Entry<String, List<ResultItem>> e : outgoing.entrySet()) {
            // As workers cut theirs: on whole items (with their output files and tails), before the batch would
            // pass the bound; one item alone is within the payload limit (its worker saw to it).
            List<ResultItem> batch = new ArrayList<>();
            long bytes = 0;
            long bound = batchBytes;
            for (ResultItem item : e.getValue()) {
                long size = item.wireBytes();
                if (!batch.isEmpty() && bytes + size > bound) {
                    send(e.getKey(), Messages.results("", batch));
                    batch = new ArrayList<>();
                    bytes = 0;
                }
                batch.add(item);
                bytes += size;
            }
            if (!batch.isEmpty()) {
                send(e.getKey(), Messages.results("", batch));
            }
        }
        outgoing.clear();
    }

    /* ---------------- liveness ---------------- */

    /** When a heartbeat is due: loses silent workers, drops silent roots, and beats. */
    void tick(long now) {
        if (now - nextHeartbeat >= 0) {
            nextHeartbeat = now + heartbeatNanos;
            purge(now);
            sendHeartbeats();
        }
    }

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
                holders.remove(root);
                int n = root.tasks.size();
                dropRoot(root);
                String why = "no heartbeat from it for " + TimeUnit.NANOSECONDS.toMillis(now - root.lastSeen)
                        + " ms, past the expiry of " + TimeUnit.NANOSECONDS.toMillis(expiryNanos) + " ms; its " + n
                        + " tasks were cancelled";
                // Rate-limited: a peer with the token can name a new root in every message (a fuzzer's HELLOs).
                drops.log("dropped root " + root.name + ": " + why);
                send(root.name, Messages.dropped(why));
            }
        }
        if (workers.isEmpty() && noWorkersSince >= 0 && now - noWorkersSince > noWorkerNanos && !tasks.isEmpty()) {
            breakCluster("no worker left: the last one was lost "
                    + TimeUnit.NANOSECONDS.toMillis(now - noWorkersSince) + " ms ago and none joined since");
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
            } else if (isBoundTo(t, w)) {
                forget(t);
                failed++;
                String why = "task (" + t.payload.length + " bytes encoded) was running on worker " + w + ", to which it"
                        + " was bound, and the worker was lost (" + reason + ")";
                recordEnd(t, w, "lost", null, why);
                reply(t.root.name, new ResultItem(t.rootTaskId, Status.LOST, 0, utf8(why)));
            } else if (t.earlierAttempts + t.attempts >= t.maxAttempts) {
                forget(t);
                failed++;
                String why = "task (" + t.payload.length + " bytes encoded) was running on worker " + w + ", which was"
                        + " lost (" + reason + "); it was tried " + (t.earlierAttempts + t.attempts) + " times, the"
                        + " limit";
                recordEnd(t, w, "lost", null, why);
                reply(t.root.name, new ResultItem(t.rootTaskId, Status.LOST, 0, utf8(why)));
            } else {
                enqueue(t);
                requeued++;
            }
        }
        PriorityQueue<Task> waiting = bound.remove(TaskItem.WORKER_TARGET + w.name);
        if (waiting != null) {
            for (Task t : waiting) {
                forget(t);
                String why = "task was bound to worker " + w + ", which was lost (" + reason + ") before the task could"
                        + " start";
                recordEnd(t, null, "lost", null, why);
                reply(t.root.name, new ResultItem(t.rootTaskId, Status.LOST, 0, utf8(why)));
            }
        }
        monitor.workerLost(ticker.nanos(), w.name, w.host, w.pid, reason);
        if (workers.isEmpty()) {
            noWorkersSince = ticker.nanos();
        }
        if (!orphans.isEmpty()) {
            Log.warn(Log.BROKER, "scoop broker: worker " + w + " lost (" + reason + "); of its tasks " + requeued
                    + " requeued, " + failed + " failed (attempt limit), " + cancelled + " dropped (cancelled)");
        }
    }

    private void breakCluster(String reason) {
        brokenReason = reason;
        monitor.failedTogether(ticker.nanos(), tasks.size(), "broken", reason);
        for (Task t : new ArrayList<>(tasks.values())) {
            forget(t);
            reply(t.root.name, new ResultItem(t.rootTaskId, Status.BROKEN, 0, utf8(reason)));
        }
        queue.clear();
        bound.clear();
        for (WorkerState w : workers.values()) {
            w.assigned.clear();
        }
    }

    private void dropRoot(RootState root) {
        releaseShared(root);
        Map<WorkerState, List<Long>> running = new HashMap<>();
        for (Task t : new ArrayList<>(root.tasks.values())) {
            if (t.worker == null) {
                dequeue(t);
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

    private static boolean isBoundTo(Task t, WorkerState w) {
        return t.target != null && t.target.equals(TaskItem.WORKER_TARGET + w.name);
    }

    /** The longest key of a shared value: a hash in hex and a little more. */
    private static final int MAX_KEY_LENGTH = 128;

    void onShare(Messages.Share share) {
        String key = share.key();
        RootState root = roots.get(share.from());
        if (root == null) {
            send(share.from(), Messages.shared(key, "the broker does not know this root"));
            return;
        }
        if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
            send(root.name, Messages.shared(key, "a key of " + key.length() + " characters (1 to " + MAX_KEY_LENGTH
                    + ")"));
            return;
        }
        SharedValue v = shared.get(key);
        if (share.bytes().length == 0) {
            // Empty: the root lets the value go (no value encodes to nothing).
            if (v != null && root.sharedKeys.remove(key) && v.roots.remove(root.name) && v.roots.isEmpty()) {
                shared.remove(key);
                sharedBytes -= v.bytes.length;
            }
            return;
        }
        if (v == null) {
            long size = share.bytes().length;
            if (sharedBytes + size > maxSharedBytes) {
                send(root.name, Messages.shared(key, "the broker keeps " + sharedBytes + " bytes of shared values"
                        + " already, and " + size + " more would pass its limit of " + maxSharedBytes + " bytes (a"
                        + " quarter of its heap): give the broker (the launcher, or the embedded root) more heap"));
                return;
            }
            v = new SharedValue(share.bytes());
            shared.put(key, v);
            sharedBytes += size;
        }
        v.roots.add(root.name);
        root.sharedKeys.add(key);
        send(root.name, Messages.shared(key, ""));
    }

    void onFetch(Messages.Fetch fetch) {
        WorkerState w = workers.get(fetch.from());
        if (w == null) {
            return;
        }
        w.lastSeen = ticker.nanos();
        SharedValue v = shared.get(fetch.key());
        fetches++;
        send(w.name, Messages.fetched(fetch.key(), v == null ? null : v.bytes));
    }

    /** A root left: the shared values that only it kept go. */
    private void releaseShared(RootState root) {
        for (String key : root.sharedKeys) {
            SharedValue v = shared.get(key);
            if (v != null && v.roots.remove(root.name) && v.roots.isEmpty()) {
                shared.remove(key);
                sharedBytes -= v.bytes.length;
            }
        }
        root.sharedKeys.clear();
    }

    void onWorkersQuery(Messages.WorkersQuery q) {
        List<Messages.WorkerEntry> list = new ArrayList<>(workers.size());
        for (WorkerState w : workers.values()) {
            list.add(new Messages.WorkerEntry(w.name, w.host, w.pid, w.threads));
        }
        send(q.from(), Messages.workers(q.tag(), list));
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
        out.send(peer, body);
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
        /** Where it must run ("worker:NAME" or "host:NAME"), or null for anywhere. */
        final String target;
        final byte[] payload;
        /** Dispatches by this broker. */
        int attempts;
        /** Attempts made before the task came here (the root's retries of a task that threw). */
        int earlierAttempts;
        int maxAttempts;
        /** When it reached this broker, and when it was last dispatched ({@link Ticker} time). */
        long arrivedAt;
        long dispatchedAt;
        WorkerState worker;
        boolean cancelled;

        Task(long id, RootState root, long rootTaskId, int priority, String target, byte[] payload) {
            this.id = id;
            this.root = root;
            this.rootTaskId = rootTaskId;
            this.priority = priority;
            this.target = target;
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
        /** How many of its threads wait on a child and lent their slot (LEND). */
        int lent;
        long lastSeen;
        /** What its last heartbeat said of its load (-1: not said), and the tasks it runs; for the status page. */
        int cpuPermille = -1;
        long heapUsed = -1;
        long heapMax = -1;
        List<Messages.RunningTask> running = List.of();
        long done;
        long failed;

        WorkerState(String name, int threads, int credit, long pid, String host, long now) {
            this.name = name;
            this.threads = Math.max(1, Math.min(MAX_LENT, threads)); // a HELLO's claim, bounded
            this.credit = credit;
            this.pid = pid;
            this.host = host;
            this.lastSeen = now;
        }

        /** Threads with nothing to do, as far as the broker knows: slots (its threads and lent ones) not taken. */
        int idleThreads() {
            return Math.max(0, threads + Math.max(0, lent) - assigned.size());
        }

        @Override
        public String toString() {
            return name + " (pid " + pid + " on " + host + ")";
        }
    }

    private static final class SharedValue {
        final byte[] bytes;
        final java.util.Set<String> roots = new java.util.HashSet<>();

        SharedValue(byte[] bytes) {
            this.bytes = bytes;
        }
    }

    private static final class RootState {
        final String name;
        final Map<Long, Task> tasks = new HashMap<>();
        final java.util.Set<String> sharedKeys = new java.util.HashSet<>();
        long lastSeen;
        /** Children it holds unsent, as its last HOLD said (0 once asked to send them). */
        int holding;
        /** Children asked of it by its last STEAL and not come yet, and when it was asked. */
        int stealing;
        long stealAt;

        RootState(String name) {
            this.name = name;
        }
    }

}
