package io.scoop;

import io.scoop.root.RemoteFuture;
import io.scoop.wire.RunInfo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Future;

/**
 * How a task ran, read from its future once it has completed: where (worker, host, pid), which attempt, how
 * long it waited and ran, what travelled each way, what its thread allocated, and what it printed.
 *
 * <pre>{@code
 * Future<Fit> f = pool.submit(() -> fit(data));
 * f.get();
 * TaskRecord r = TaskRecord.of(f).orElseThrow();
 * System.out.println(r.worker() + " on " + r.host() + ": " + r.run().toMillis() + " ms\n" + r.out());
 * }</pre>
 *
 * <p>Its output is what the task's thread (and threads it started) wrote to {@code System.out} and
 * {@code System.err}, which also went out live on the worker's streams, each line prefixed with the task's
 * label or {@code task ID}. Only the last 64 KiB of each stream is kept: {@link #outDropped()} and
 * {@link #errDropped()} say how much came before.
 *
 * @param id             the task's id in the run (as {@link CurrentTask#id()} and the output's prefix have it)
 * @param label          its label, or null
 * @param worker         the worker that ran its last attempt
 * @param host           that worker's host
 * @param pid            that worker's process id
 * @param attempt        the attempt, from 1
 * @param queued         from its arrival at the broker to its start on the worker
 * @param run            how long it ran there
 * @param sentBytes      its encoded size, sent to the worker
 * @param returnedBytes  the encoded size of its result (or failure), sent back
 * @param allocatedBytes bytes its thread allocated while it ran, or -1 where the JVM cannot say
 * @param out            the tail of its standard output
 * @param outDropped     bytes of standard output before that tail
 * @param err            the tail of its standard error
 * @param errDropped     bytes of standard error before that tail
 */
public record TaskRecord(long id, String label, String worker, String host, long pid, int attempt, Duration queued,
        Duration run, long sentBytes, long returnedBytes, long allocatedBytes, String out, long outDropped,
        String err, long errDropped) {

    /**
     * The record of a completed task, from a future this executor returned ({@code submit}, {@code invokeAll},
     * {@code onEachWorker}, the JDK helpers). Empty while it runs, for a task that never ran (cancelled while
     * queued, waiting on a failed dependency) or whose worker was lost under it, and for futures Scoop did not
     * make (those of {@code CompletableFuture.supplyAsync}).
     */
    public static Optional<TaskRecord> of(Future<?> future) {
        if (!(future instanceof RemoteFuture<?> f) || f.runInfo() == null) {
            return Optional.empty();
        }
        RunInfo r = f.runInfo();
        String label = f.policy() == null ? null : f.policy().label();
        return Optional.of(new TaskRecord(r.taskId(), label, r.worker(), r.host(), r.pid(), r.attempt() + 1,
                Duration.ofNanos(r.queuedNanos() + r.waitNanos()), Duration.ofNanos(f.runNanos()), f.sentBytes(),
                f.returnedBytes(), r.allocatedBytes(), new String(r.out(), StandardCharsets.UTF_8), r.outDropped(),
                new String(r.err(), StandardCharsets.UTF_8), r.errDropped()));
    }
}
