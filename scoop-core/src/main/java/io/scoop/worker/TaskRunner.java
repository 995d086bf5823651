package io.scoop.worker;

import io.scoop.internal.Sockets;
import io.scoop.wire.KryoCodec;
import io.scoop.wire.ResultItem;
import io.scoop.wire.RunInfo;
import io.scoop.wire.Status;
import io.scoop.wire.TaskFailure;
import io.scoop.root.TaskEnvelope;
import java.util.concurrent.Callable;

/**
 * Runs one task on a worker's task thread, in four steps that each name their own failure:
 * decode (a class missing here) → call (the task threw) → encode (the result cannot travel) → reply.
 */
final class TaskRunner {
    private final Worker worker;

    TaskRunner(Worker worker) {
        this.worker = worker;
    }

    ResultItem run(Worker.Job job) {
        long start = System.nanoTime();
        Object task;
        // Decoding runs the user's code too (a captured value's readObject or Kryo read): it may be interrupted
        // by a cancel, and the task's time limit counts from the moment the envelope's header is read.
        job.started();
        io.scoop.wire.SharedArrays.takeOrigins(); // none left over from a task that failed before it ran
        try {
            task = TaskEnvelope.decode(() -> KryoCodec.decode(job.payload), header -> {
                job.label = header.label();
                if (header.timeoutNanos() > 0) {
                    worker.limitTime(job, header.timeoutNanos());
                }
            });
        } catch (OutOfMemoryError e) {
            job.finished();
            return failure(job, start, bare(TaskFailure.of(TaskFailure.NOT_DECODABLE, e, worker.describe()),
                    "the worker ran out of memory decoding the task, which is " + job.payload.length
                    + " bytes encoded; this worker's maximum heap (-Xmx) is " + (Runtime.getRuntime().maxMemory() >> 20)
                    + " MiB: give workers more heap (jvmOptions(\"-Xmx...\")) or send smaller tasks"));
        } catch (Throwable e) {
            job.finished();
            return failure(job, start, decodeFailure(e));
        }
        job.finished();
        if (job.answered()) {
            // past its time limit while it was decoded: its failure was sent then; it must not run now
            return failure(job, start, TaskFailure.of(TaskFailure.TIMED_OUT, new IllegalStateException("timed out"),
                    worker.describe()));
        }
        String label = null;
        boolean returnsFiles = false;
        if (task instanceof TaskEnvelope e) {
            label = e.label();
            returnsFiles = e.returnsFiles();
        }
        Object value = null;
        Throwable thrown = null;
        TaskContext context = new TaskContext(worker, job.priority, job.id, job.attempt, label);
        TaskContext previous = TaskContext.enter(context);
        job.output = TaskOutput.begin(label == null ? "task " + job.id : label);
        long allocatedBefore = allocatedBytes();
        job.started();
        try {
            value = ((Callable<?>) task).call();
        } catch (Throwable e) {
            thrown = e;
        } finally {
            job.allocated = allocatedBefore < 0 ? -1 : allocatedBytes() - allocatedBefore;
            job.finished();
            io.scoop.wire.SharedArrays.takeOrigins(); // what it decoded is its own, not held for the next
            TaskOutput.end(job.output);
            TaskContext.exit(previous);
            job.files = OutputFiles.collect(context.outputDirectoryIfMade(), returnsFiles, Sockets.maxPayloadBytes() / 2);
        }
        if (thrown != null) {
            ResultItem failed = failure(job, start, TaskFailure.of(TaskFailure.THREW, thrown, worker.describe()));
            String dropped = job.files.tooLarge();
            if (dropped != null && thrown.getSuppressed().length < 64) {
                // Its files did not travel (too large alone, or with its failure): the exception the root gets
                // says so, since the root rebuilds the task's own exception, not the failure's text.
                thrown.addSuppressed(new IllegalStateException("on worker " + worker.describe() + ", " + dropped));
                failed = failure(job, start, TaskFailure.of(TaskFailure.THREW, thrown, worker.describe()));
            }
            return failed;
        }
        if (job.files.tooLarge() != null) {
            return failure(job, start, notSent(job.files.tooLarge()));
        }
        byte[] encoded;
        try {
            encoded = KryoCodec.encode(value);
        } catch (Throwable e) {
            TaskFailure f = TaskFailure.of(TaskFailure.RESULT_NOT_SERIALIZABLE, e, worker.describe());
            // Kryo's own errors say what they are; anything else (the type's own write threw, overflowed the
            // stack, ran out of memory) is named by its class.
            String why = e instanceof com.esotericsoftware.kryo.KryoException && e.getMessage() != null
                    ? e.getMessage() : e.toString();
            String hint = e instanceof OutOfMemoryError
                    ? "this worker's maximum heap (-Xmx) is " + (Runtime.getRuntime().maxMemory() >> 20)
                            + " MiB: give workers more heap (jvmOptions(\"-Xmx...\")) or return less"
                    : "results travel with Kryo: give the type a no-arg constructor or make the offending field"
                            + " transient";
            f.message = "its result of type " + value.getClass().getName() + " could not be serialized: " + why
                    + " (" + hint + ")";
            f.serialized = null;
            return failure(job, start, f);
        }
        ResultItem ok = new ResultItem(job.id, Status.OK, System.nanoTime() - start, encoded, runInfo(job));
        long limit = Sockets.maxPayloadBytes();
        if (ok.wireBytes() <= limit) {
            return ok;
        }
        // The result travels with its output tails and files in one item, which must fit in a message. The task
        // fails; its files come back with the failure if they fit (see failure).
        String with = encoded.length > limit ? "" : ", and with its output files (" + filesBytes(job) + " bytes) and"
                + " the tails of its standard output and error (" + tailBytes(job) + " bytes) it takes "
                + ok.wireBytes() + " bytes";
        return failure(job, start, notSent("its result of type " + value.getClass().getName() + " is "
                + encoded.length + " bytes encoded" + with + ", above the limit of " + limit + " bytes for a result;"
                + " it was not sent: return less, write large outputs to a file system the root can read, or "
                + Sockets.payloadLimitHint()));
    }

    /** A result that was not sent, and why. */
    private TaskFailure notSent(String why) {
        return bare(TaskFailure.of(TaskFailure.RESULT_NOT_SERIALIZABLE, new IllegalStateException("too large"),
                worker.describe()), why);
    }

    /** {@code f} with {@code message} alone: no serialized exception, no cause. */
    private static TaskFailure bare(TaskFailure f, String message) {
        f.message = message;
        f.serialized = null;
        f.cause = null;
        return f;
    }

    private static long filesBytes(Worker.Job job) {
        long n = 0;
        if (job.files != null) {
            for (RunInfo.OutputFile f : job.files.files()) {
                n += f.bytes().length;
            }
        }
        return n;
    }

    private static long tailBytes(Worker.Job job) {
        TaskOutput.Capture c = job.output;
        return c == null ? 0 : c.out.bytes().length + c.err.bytes().length;
    }

    private TaskFailure decodeFailure(Throwable e) {
        String missing = missingClass(e);
        if (missing != null) {
            TaskFailure f = TaskFailure.of(TaskFailure.MISSING_CLASS, e, worker.describe());
            f.missingClass = missing;
            f.serialized = null;
            return f;
        }
        TaskFailure f = TaskFailure.of(TaskFailure.NOT_DECODABLE, e, worker.describe());
        f.serialized = null;
        return f;
    }

    /** The class a decode failure could not find, from Kryo's message or the cause chain, or null. */
    static String missingClass(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && m.startsWith("Unable to find class: ")) {
                return m.substring("Unable to find class: ".length()).split("\\s")[0];
            }
            if (t instanceof ClassNotFoundException && m != null) {
                return m.trim();
            }
            if (t instanceof NoClassDefFoundError && m != null) {
                return m.trim().replace('/', '.');
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    /** The failure of a task past its time limit, sent when the limit passes. */
    ResultItem timedOut(Worker.Job job) {
        TaskFailure f = new TaskFailure();
        f.kind = TaskFailure.TIMED_OUT;
        f.className = io.scoop.TaskTimeoutException.class.getName();
        f.worker = worker.describe();
        f.message = "ran longer than its timeout of " + java.time.Duration.ofNanos(job.timeoutNanos)
                + (job.label == null ? "" : " (task '" + job.label + "')") + " on worker " + f.worker
                + ": it was interrupted" + (Worker.KILL_AFTER_MILLIS > 0 ? ", and its worker is ended if it still runs "
                + Worker.KILL_AFTER_MILLIS + " ms later" : "");
        return failure(job, job.startedAt, f);
    }

    /** What the worker saw of the job's run; the broker adds the worker's identity and the queue time. */
    private static RunInfo runInfo(Worker.Job job) {
        return runInfo(job, null);
    }

    /** The same, with a failed task's exception as text ({@code failure}, or null for none). */
    private static RunInfo runInfo(Worker.Job job, TaskFailure failure) {
        TaskOutput.Capture c = job.output;
        byte[] none = new byte[0];
        long wait = job.startedAt == 0 ? 0 : Math.max(0, job.startedAt - job.receivedAt);
        String label = job.label == null ? "" : cut(job.label, RunInfo.MAX_LABEL_CHARS);
        return new RunInfo(job.id, "", "", 0, job.attempt, 0, wait, job.allocated, c == null ? 0 : c.out.dropped(),
                c == null ? none : c.out.bytes(), c == null ? 0 : c.err.dropped(), c == null ? none : c.err.bytes(),
                job.files == null ? java.util.List.of() : job.files.files(), label,
                failure == null ? "" : failureText(failure));
    }

    /**
     * A failure as a stack trace reads ({@code class: message}, its frames, then its causes), cut at
     * {@link RunInfo#MAX_FAILURE_CHARS}: what the broker's status page shows, since the broker never decodes a
     * payload.
     */
    static String failureText(TaskFailure f) {
        StringBuilder b = new StringBuilder(512);
        int depth = 0;
        for (TaskFailure t = f; t != null && depth < 16 && b.length() < RunInfo.MAX_FAILURE_CHARS; t = t.cause, depth++) {
            if (depth > 0) {
                b.append("\nCaused by: ");
            }
            b.append(t.className == null ? "?" : t.className);
            if (t.message != null) {
                b.append(": ").append(t.message);
            }
            if (t.stack != null) {
                for (StackTraceElement e : t.stack) {
                    if (b.length() >= RunInfo.MAX_FAILURE_CHARS) {
                        break;
                    }
                    b.append("\n\tat ").append(e);
                }
            }
        }
        return cut(b.toString(), RunInfo.MAX_FAILURE_CHARS);
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "\u2026";
    }

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory
            .getThreadMXBean();

    /** Bytes this thread has allocated so far, or -1 if the JVM cannot say. */
    private static long allocatedBytes() {
        if (THREADS instanceof com.sun.management.ThreadMXBean t && t.isThreadAllocatedMemoryEnabled()) {
            return t.getCurrentThreadAllocatedBytes();
        }
        return -1;
    }

    private ResultItem failure(Worker.Job job, long start, TaskFailure f) {
        f.attempt = job.attempt;
        byte[] payload = encodeFailure(f);
        ResultItem item = new ResultItem(job.id, Status.FAILED, System.nanoTime() - start, payload, runInfo(job, f));
        long limit = Sockets.maxPayloadBytes();
        if (item.wireBytes() > limit && filesBytes(job) > 0) {
            // The failure travels, its files do not (they would make the message too large to be received).
            long files = filesBytes(job);
            String why = "its output files (" + files + " bytes) were not sent: with its failure ("
                    + payload.length + " bytes) they are above the limit of " + limit + " bytes for a result";
            job.files = new OutputFiles(java.util.List.of(), why);
            f.message = (f.message == null ? "" : f.message + "; ") + why;
            payload = encodeFailure(f);
            item = new ResultItem(job.id, Status.FAILED, item.nanos(), payload, runInfo(job, f));
        }
        if (item.wireBytes() > limit) {
            // The failure itself is too large (its serialized exception): its class, message and stack go.
            f.serialized = null;
            f.cause = null;
            payload = encodeFailure(f);
            item = new ResultItem(job.id, Status.FAILED, item.nanos(), payload, runInfo(job, f));
        }
        return item;
    }

    private static byte[] encodeFailure(TaskFailure f) {
        try {
            return KryoCodec.encode(f);
        } catch (Throwable e) {
            f.serialized = null;
            f.cause = null;
            return KryoCodec.encode(f);
        }
    }
}
