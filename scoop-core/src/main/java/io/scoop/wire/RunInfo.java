package io.scoop.wire;

/**
 * How one attempt of a task ran, as it travels back with its result: the worker fills in what it saw, the
 * broker adds who the worker is and how long the task waited in its queue.
 *
 * @param taskId         the broker's id of the task, which the worker's output names
 * @param worker         the worker's name (added by the broker)
 * @param host           the worker's host, as it names itself (added by the broker)
 * @param pid            the worker's process id (added by the broker)
 * @param attempt        the attempts made before this one
 * @param queuedNanos    from the task's arrival at the broker to its dispatch (added by the broker)
 * @param waitNanos      from its arrival at the worker to its start there
 * @param allocatedBytes bytes its thread allocated while it ran, or -1 where the JVM cannot say
 * @param outDropped     bytes of its standard output left out before {@code out} (only the tail is kept)
 * @param out            the tail of what it wrote to {@code System.out}
 * @param errDropped     bytes of its standard error left out before {@code err}
 * @param err            the tail of what it wrote to {@code System.err}
 * @param files          the files it wrote into its output directory, when its options ask for them back
 * @param label          the task's label, or empty: plain text for the broker's status page, which never decodes a
 *                       payload
 * @param failure        for a task that failed, its exception and stack as text (at most {@link #MAX_FAILURE_CHARS}),
 *                       else empty: for the status page too
 */
public record RunInfo(long taskId, String worker, String host, long pid, int attempt, long queuedNanos, long waitNanos,
        long allocatedBytes, long outDropped, byte[] out, long errDropped, byte[] err, java.util.List<OutputFile> files,
        String label, String failure) {
    /** The most characters of a label a worker sends in a run's info. */
    public static final int MAX_LABEL_CHARS = 200;
    /** The most characters of a failure's text a worker sends in a run's info. */
    public static final int MAX_FAILURE_CHARS = 8192;

    /** A run's info without a label or a failure's text. */
    public RunInfo(long taskId, String worker, String host, long pid, int attempt, long queuedNanos, long waitNanos,
            long allocatedBytes, long outDropped, byte[] out, long errDropped, byte[] err, java.util.List<OutputFile> files) {
        this(taskId, worker, host, pid, attempt, queuedNanos, waitNanos, allocatedBytes, outDropped, out, errDropped, err,
                files, "", "");
    }

    /** A file a task wrote into its output directory: its path there (with '/'), and its content. */
    public record OutputFile(String name, byte[] bytes) {
    }

    /** What the broker knows of the worker and the queue, put into what the worker said. */
    public RunInfo fromWorker(String worker, String host, long pid, long queuedNanos) {
        // The label and the failure's text are for the broker's status page: the root has the label in the task's
        // options and the failure itself, so they do not travel on (a failed task's trace would go twice).
        return new RunInfo(taskId, worker, host, pid, attempt, queuedNanos, waitNanos, allocatedBytes, outDropped, out,
                errDropped, err, files, "", "");
    }

    void write(WireWriter w) {
        w.i64(taskId).string(worker).string(host).i64(pid).i32(attempt).i64(queuedNanos).i64(waitNanos).i64(allocatedBytes)
                .i64(outDropped).bytes(out).i64(errDropped).bytes(err).i32(files.size());
        for (OutputFile f : files) {
            w.string(f.name()).bytes(f.bytes());
        }
        w.string(label).string(failure);
    }

    static RunInfo read(WireReader r) {
        long taskId = r.i64();
        String worker = r.string(Messages.MAX_NAME_BYTES, "a worker name");
        String host = r.string(Messages.MAX_NAME_BYTES, "a host name");
        long pid = r.i64();
        int attempt = r.i32();
        long queued = r.i64();
        long wait = r.i64();
        long allocated = r.i64();
        long outDropped = r.i64();
        byte[] out = r.bytes();
        long errDropped = r.i64();
        byte[] err = r.bytes();
        int n = r.count(8);
        java.util.List<OutputFile> files = new java.util.ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            files.add(new OutputFile(r.string(), r.bytes()));
        }
        String label = r.string(MAX_LABEL_CHARS * 3, "a task's label");
        String failure = r.string(MAX_FAILURE_CHARS * 3, "a task's failure text");
        return new RunInfo(taskId, worker, host, pid, attempt, queued, wait, allocated, outDropped, out, errDropped, err,
                files, label, failure);
    }

    /** The bytes it takes on the wire, at most (names are counted at 3 bytes a character). */
    long size() {
        long n = 8 + 4 + worker.length() * 3L + 4 + host.length() * 3L + 8 + 4 + 8 * 5 + 4 + out.length + 4 + err.length
                + 4 + 4 + label.length() * 3L + 4 + failure.length() * 3L;
        for (OutputFile f : files) {
            n += 8 + f.name().length() * 3L + f.bytes().length;
        }
        return n;
    }
}
