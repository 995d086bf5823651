package io.scoop.wire;

import java.util.ArrayList;
import java.util.List;

/**
 * Encodes and decodes message bodies; the only class that knows their layout (see {@link Command}).
 *
 * <p>Each message travels as one ZeroMQ frame. Batches ({@code TASKS}, {@code DISPATCH}, {@code RESULTS},
 * {@code CANCEL}) carry any number of items, which is what lets a burst of small tasks cost one message.
 *
 * <p>Readers trust nothing (a peer may be hostile, or a member may hold a bug): every length and count is
 * checked against the bytes that remain before anything is allocated for it ({@link WireReader}), and a body
 * longer than its layout is refused too. Each throws {@link MalformedMessageException}, and the receiver drops
 * that one message.
 */
public final class Messages {
    private Messages() {
    }

    /* ---------------- HELLO ---------------- */

    /**
     * The most bytes of a peer's or a host's name in a HELLO or heartbeat: names are shown on the status page and
     * in every task record, so a peer may not make them as large as a message.
     */
    public static final int MAX_NAME_BYTES = 1024;

    public static byte[] hello(Hello h) {
        return new WireWriter(64).command(Command.HELLO).u8(h.role()).string(h.name()).i32(h.threads())
                .i32(h.credit()).i64(h.pid()).string(h.host()).toByteArray();
    }

    public static Hello readHello(byte[] body) {
        WireReader r = new WireReader(body).afterCommand();
        Hello h = new Hello(r.u8(), r.string(MAX_NAME_BYTES, "a peer name"), r.i32(), r.i32(), r.i64(),
                r.string(MAX_NAME_BYTES, "a host name"));
        r.end();
        return h;
    }

    /* ---------------- TASKS and DISPATCH ---------------- */

    /** Root to broker: {@code from} is the root's name, to which results go back. */
    public static byte[] tasks(String from, List<TaskItem> items) {
        WireWriter w = new WireWriter(estimate(items) + 32).command(Command.TASKS).string(from);
        writeTasks(w, items);
        return w.toByteArray();
    }

    public static byte[] dispatch(List<TaskItem> items) {
        WireWriter w = new WireWriter(estimate(items) + 8).command(Command.DISPATCH);
        writeTasks(w, items);
        return w.toByteArray();
    }

    private static void writeTasks(WireWriter w, List<TaskItem> items) {
        w.i32(items.size());
        for (TaskItem t : items) {
            w.i64(t.id()).i32(t.priority()).i32(t.attempt()).i32(t.maxAttempts()).string(t.target()).bytes(t.payload());
        }
    }

    /** A TASKS or RESULTS message: who sent it, and its items. */
    public record Batch<T>(String from, List<T> items) {
    }

    /** Reads a whole TASKS body. */
    public static Batch<TaskItem> readTasks(byte[] body) {
        WireReader r = new WireReader(body).afterCommand();
        String from = r.string();
        List<TaskItem> items = readTasks(r);
        r.end();
        return new Batch<>(from, items);
    }

    /** Reads a whole DISPATCH body. */
    public static List<TaskItem> readDispatch(byte[] body) {
        WireReader r = new WireReader(body).afterCommand();
        List<TaskItem> items = readTasks(r);
        r.end();
        return items;
    }

    /** The fewest bytes one task item takes: id, priority, attempt, attempt limit, target and payload lengths. */
    private static final int TASK_ITEM_BYTES = 8 + 4 + 4 + 4 + 4 + 4;
    /** The fewest bytes one result item takes: id, status, nanos, payload length, run flag. */
    static final int RESULT_ITEM_BYTES = 8 + 1 + 8 + 4 + 1;
    /** The bytes one cancel item takes: id, interrupt. */
    private static final int CANCEL_ITEM_BYTES = 8 + 1;

    /**
     * Reads the task items of a TASKS body, after its sender name has been read by {@code r}, or of a DISPATCH
     * body.
     */
    public static List<TaskItem> readTasks(WireReader r) {
        int n = r.count(TASK_ITEM_BYTES);
        List<TaskItem> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new TaskItem(r.i64(), r.i32(), r.i32(), r.i32(), r.string(), r.bytes()));
        }
        return out;
    }

    private static int estimate(List<TaskItem> items) {
        int n = 0;
        for (TaskItem t : items) {
            n += t.payload().length + TASK_ITEM_BYTES + t.target().length() * 3;
        }
        return n;
    }

    /* ---------------- RESULTS ---------------- */

    /** Worker to broker: {@code from} is the worker's name. */
    public static byte[] results(String from, List<ResultItem> items) {
        long size = 32 + from.length() * 3L;
        for (ResultItem it : items) {
            size += it.wireBytes();
        }
        WireWriter w = new WireWriter((int) Math.min(size, Integer.MAX_VALUE - 16)).command(Command.RESULTS).string(from).i32(items.size());
        for (ResultItem it : items) {
            w.i64(it.id()).u8(it.status()).i64(it.nanos()).bytes(it.payload());
            if (it.run() == null) {
                w.u8(0);
            } else {
                w.u8(1);
                it.run().write(w);
            }
        }
        return w.toByteArray();
    }

    /** Reads a whole RESULTS body. */
    public static Batch<ResultItem> readResults(byte[] body) {
        WireReader r = new WireReader(body).afterCommand();
        String from = r.string();
        List<ResultItem> items = readResults(r);
        r.end();
        return new Batch<>(from, items);
    }

    /** Reads the result items of a RESULTS body, after its sender name has been read by {@code r}. */
    public static List<ResultItem> readResults(WireReader r) {
        int n = r.count(RESULT_ITEM_BYTES);
        List<ResultItem> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long id = r.i64();
            byte status = (byte) r.u8();
            long nanos = r.i64();
            byte[] payload = r.bytes();
            int hasRun = r.u8();
            if (hasRun > 1) {
                throw new MalformedMessageException("result " + id + " has run flag " + hasRun + ", not 0 or 1");
            }
            out.add(new ResultItem(id, status, nanos, payload, hasRun == 1 ? RunInfo.read(r) : null));
        }
        return out;
    }

    /* ---------------- CANCEL ---------------- */

    /**
     * A cancel request: {@code from} is the root's name, or empty from the broker to a worker. A non-zero
     * {@code tag} asks the broker to answer with a CANCEL of the same tag that lists the tasks it removed
     * before they were dispatched (what {@code shutdownNow} returns); a reply has {@code interrupt} false.
     */
    public static byte[] cancel(String from, long tag, long[] ids, boolean interrupt) {
        WireWriter w = new WireWriter(24 + ids.length * 9).command(Command.CANCEL).string(from).i64(tag)
                .i32(ids.length);
        for (long id : ids) {
            w.i64(id).u8(interrupt ? 1 : 0);
        }
        return w.toByteArray();
    }

    /** A CANCEL message; {@code interrupt} is true if any of its items asks for an interrupt. */
    public record Cancel(String from, long tag, long[] ids, boolean interrupt) {
    }

    public static Cancel readCancel(byte[] body) {
        WireReader r = new WireReader(body).afterCommand();
        String from = r.string();
        long tag = r.i64();
        long[] ids = new long[r.count(CANCEL_ITEM_BYTES)];
        boolean interrupt = false;
        for (int i = 0; i < ids.length; i++) {
            ids[i] = r.i64();
            interrupt |= r.u8() != 0;
        }
        r.end();
        return new Cancel(from, tag, ids, interrupt);
    }

    /* ---------------- WORKERS ---------------- */

    /** One worker of the run, as the broker knows it. */
    public record WorkerEntry(String name, String host, long pid, int threads) {
    }

    /** Root to broker: which workers are there now? {@code tag} comes back with the answer. */
    public static byte[] workersQuery(String from, long tag) {
        return new WireWriter(32).command(Command.WORKERS).string(from).i64(tag).toByteArray();
    }

    /** A root's WORKERS question. */
    public record WorkersQuery(String from, long tag) {
    }

    public static WorkersQuery readWorkersQuery(byte[] body) {
        WireReader r = new WireReader(body).afterCommand();
        WorkersQuery q = new WorkersQuery(r.string(), r.i64());
        r.end();
        return q;
    }

    /** Broker to root: the workers there are, answering the question of {@code tag}. */
    public static byte[] workers(long tag, List<WorkerEntry> workers) {
        WireWriter w = new WireWriter(16 + workers.size() * 64).command(Command.WORKERS).i64(tag).i32(workers.size());
        for (WorkerEntry e : workers) {
            w.string(e.name()).string(e.host()).i64(e.pid()).i32(e.threads());
        }
        return w.toByteArray();
    }

    /** The broker's WORKERS answer. */
    public record Workers(long tag, List<WorkerEntry> workers) {
    }

    public static Workers readWorkers(byte[] body) {
        WireReader r = new WireReader(body).afterCommand();
        long tag = r.i64();
        int n = r.count(4 + 4 + 8 + 4);
        List<WorkerEntry> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new WorkerEntry(r.string(), r.string(), r.i64(), r.i32()));
        }
        r.end();
        return new Workers(tag, out);
    }

    /* ---------------- SHARE and FETCH ---------------- */

    /**
     * Root to broker: keep {@code bytes}, the encoding of a shared value, under {@code key}; with no bytes, this
     * root no longer needs it.
     */
    public static byte[] share(String from, String key, byte[] bytes) {
        return new WireWriter(bytes.length + 64 + from.length() * 3).command(Command.SHARE).string(from).string(key)
                .bytes(bytes).toByteArray();
    }

    /** A root's SHARE. */
    public record Share(String from, String key, byte[] bytes) {
    }

    public static Share readShare(byte[] body) {
        WireReader r = new WireReader(body).afterCommand();
        Share s = new Share(r.string(), r.string(), r.bytes());
        r.end();
        return s;
    }

    /** Broker to root: the value of {@code key} is kept (refusal empty), or why not. */
    public static byte[] shared(String key, String refusal) {
        return new WireWriter(32 + refusal.length() * 3).command(Command.SHARE).string(key).string(refusal)
                .toByteArray();
    }

    /** The broker's answer to a SHARE. */
    public record Shared(String key, String refusal) {
    }

    public static Shared readShared(byte[] body) {
        WireReader r = new WireReader(body).afterCommand();
        Shared s = new Shared(r.string(), r.string());
        r.end();
        return s;
    }

    /** Worker to broker: send me the shared value of {@code key}. */
    public static byte[] fetch(String from, String key) {
        return new WireWriter(64).command(Command.FETCH).string(from).string(key).toByteArray();
    }

    /** A worker's FETCH. */
    public record Fetch(String from, String key) {
    }

    public static Fetch readFetch(byte[] body) {
        WireReader r = new WireReader(body).afterCommand();
        Fetch f = new Fetch(r.string(), r.string());
        r.end();
        return f;
    }

    /** Broker to worker: the shared value of {@code key}, or {@code bytes} null if it has none. */
    public static byte[] fetched(String key, byte[] bytes) {
        return new WireWriter(32 + (bytes == null ? 0 : bytes.length)).command(Command.FETCH).string(key)
                .u8(bytes == null ? 0 : 1).bytes(bytes == null ? new byte[0] : bytes).toByteArray();
    }

    /** The broker's answer to a FETCH: {@code bytes} null if it has no such value. */
    public record Fetched(String key, byte[] bytes) {
    }

    public static Fetched readFetched(byte[] body) {
        WireReader r = new WireReader(body).afterCommand();
        String key = r.string();
        boolean found = r.u8() != 0;
        byte[] bytes = r.bytes();
        r.end();
        return new Fetched(key, found ? bytes : null);
    }

    /* ---------------- small messages ---------------- */

    /** A peer's heartbeat: its name and role ({@link Hello#ROOT} or {@link Hello#WORKER}). */
    public static byte[] peerHeartbeat(String name, int role) {
        return new WireWriter(24).command(Command.HEARTBEAT).string(name).u8(role).toByteArray();
    }

    /**
     * A worker's heartbeat with its load, for the broker's status page: the heartbeat's name and role, then the
     * process's recent CPU load, its heap, and the tasks running on it (at most {@link #MAX_RUNNING} of them).
     */
    public static byte[] workerHeartbeat(String name, WorkerLoad load) {
        List<RunningTask> running = load.running().size() <= MAX_RUNNING ? load.running()
                : load.running().subList(0, MAX_RUNNING);
        WireWriter w = new WireWriter(64).command(Command.HEARTBEAT).string(name).u8(Hello.WORKER)
                .i32(load.cpuPermille()).i64(load.heapUsed()).i64(load.heapMax()).i32(running.size());
        for (RunningTask t : running) {
            w.i64(t.id()).string(t.label());
        }
        return w.toByteArray();
    }

    /** The most running tasks a worker's heartbeat names. */
    public static final int MAX_RUNNING = 8;

    /**
     * What a worker's heartbeat says of its load.
     *
     * @param cpuPermille its process's recent CPU load in thousandths of the machine, or -1 where unknown
     * @param heapUsed    bytes of heap in use
     * @param heapMax     its maximum heap
     * @param running     the tasks running on it: the broker's id and the label (empty for none)
     */
    public record WorkerLoad(int cpuPermille, long heapUsed, long heapMax, List<RunningTask> running) {
    }

    /** A task running on a worker, as its heartbeat names it. */
    public record RunningTask(long id, String label) {
    }

    /** A peer's HEARTBEAT; {@code load} is null unless a worker sent it with its load. */
    public record PeerHeartbeat(String name, int role, WorkerLoad load) {
        public PeerHeartbeat(String name, int role) {
            this(name, role, null);
        }
    }

    public static PeerHeartbeat readPeerHeartbeat(byte[] body) {
        WireReader r = new WireReader(body).afterCommand();
        String name = r.string(MAX_NAME_BYTES, "a peer name");
        int role = r.u8();
        WorkerLoad load = null;
        if (r.hasMore()) {
            int cpu = r.i32();
            long used = r.i64();
            long max = r.i64();
            int n = r.count(12);
            if (n > MAX_RUNNING) {
                throw new MalformedMessageException("a heartbeat lists " + n + " running tasks; a worker sends at"
                        + " most " + MAX_RUNNING);
            }
            List<RunningTask> running = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                running.add(new RunningTask(r.i64(), r.string(RunInfo.MAX_LABEL_CHARS * 3, "a running task's label")));
            }
            load = new WorkerLoad(cpu, used, max, running);
        }
        r.end();
        return new PeerHeartbeat(name, role, load);
    }

    /** A message that carries only a name (BYE). */
    public static byte[] named(Command c, String name) {
        return new WireWriter(24).command(c).string(name).toByteArray();
    }

    /** Reads the name of a {@link #named} message. */
    public static String readName(byte[] body) {
        WireReader r = new WireReader(body).afterCommand();
        String name = r.string();
        r.end();
        return name;
    }

    /** A worker's CREDIT: how many more tasks (or, negative, fewer) it asks for. */
    public record Credit(String worker, int delta) {
    }

    public static Credit readCredit(byte[] body) {
        WireReader r = new WireReader(body).afterCommand();
        Credit c = new Credit(r.string(MAX_NAME_BYTES, "a worker's name"), r.i32());
        r.end();
        return c;
    }

    public static byte[] credit(String worker, int delta) {
        return new WireWriter(24).command(Command.CREDIT).string(worker).i32(delta).toByteArray();
    }

    /**
     * A worker's LEND: a task thread of it waits on another task's future ({@code +1}: its slot is free for
     * another task, one more credit) or has stopped waiting ({@code -1}). The broker counts lent slots to know
     * which workers have a thread with nothing to do, to answer HOLD with STEAL.
     */
    public static byte[] lend(String worker, int delta) {
        return new WireWriter(24).command(Command.LEND).string(worker).i32(delta).toByteArray();
    }

    public static Credit readLend(byte[] body) {
        return readCredit(body);
    }

    /**
     * A worker's nested root to the broker, HOLD: it holds {@code count} child tasks unsent, which its task
     * threads will run themselves when they wait for them, and which the broker may ask for with STEAL when
     * another thread has nothing to do.
     */
    public static byte[] hold(String root, int count) {
        return new WireWriter(24).command(Command.HOLD).string(root).i32(count).toByteArray();
    }

    /** A HOLD: which root, and how many children it holds. */
    public record Hold(String root, int count) {
    }

    public static Hold readHold(byte[] body) {
        WireReader r = new WireReader(body).afterCommand();
        Hold h = new Hold(r.string(MAX_NAME_BYTES, "a root's name"), r.i32());
        r.end();
        return h;
    }

    /** Broker to a root that holds children, STEAL: send the {@code count} oldest of them (threads are idle). */
    public static byte[] steal(int count) {
        return new WireWriter(5).command(Command.STEAL).i32(count).toByteArray();
    }

    public static int readSteal(byte[] body) {
        WireReader r = new WireReader(body).afterCommand();
        int n = r.i32();
        r.end();
        return n;
    }

    /** Broker to peers: a heartbeat with the cluster's size, which {@code map} uses to size its window. */
    public static byte[] brokerHeartbeat(int workers, int threads) {
        return new WireWriter(9).command(Command.HEARTBEAT).i32(workers).i32(threads).toByteArray();
    }

    /** The broker's HEARTBEAT: the cluster's size. */
    public record ClusterSize(int workers, int threads) {
    }

    public static ClusterSize readBrokerHeartbeat(byte[] body) {
        WireReader r = new WireReader(body).afterCommand();
        ClusterSize s = new ClusterSize(r.i32(), r.i32());
        r.end();
        return s;
    }

    /** A LOST control message: a worker (or {@code "*"}, all of them) is gone, and why. */
    public record Lost(String worker, String reason) {
    }

    public static Lost readLost(byte[] body) {
        WireReader r = new WireReader(body).afterCommand();
        Lost l = new Lost(r.string(), r.string());
        r.end();
        return l;
    }

    public static byte[] lost(String worker, String reason) {
        return new WireWriter(64).command(Command.LOST).string(worker).string(reason).toByteArray();
    }

    /** Broker to a root: it was dropped, and why. */
    public static byte[] dropped(String reason) {
        return new WireWriter(16 + reason.length() * 3).command(Command.DROPPED).string(reason).toByteArray();
    }

    public static String readDropped(byte[] body) {
        return new WireReader(body).afterCommand().string();
    }

    public static byte[] bare(Command c) {
        return new byte[] {c.code};
    }
}
