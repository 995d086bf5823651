package io.scoop.root;

import java.util.concurrent.RejectedExecutionException;

/**
 * Backpressure: bounds the tasks an executor has in flight (sent and not yet completed), by count and by
 * encoded bytes. A submitter over either bound waits for results to come back (or is rejected, if so
 * configured). A single task is always admitted when nothing else is in flight, whatever its size.
 */
public final class InFlightGate {
    private final int maxTasks;
    private final long maxBytes;
    private final boolean reject;
    private int tasks;
    private long bytes;

    public InFlightGate(int maxTasks, long maxBytes, boolean reject) {
        this.maxTasks = maxTasks;
        this.maxBytes = maxBytes;
        this.reject = reject;
    }

    /** The most encoded bytes in flight. */
    public long maxBytes() {
        return maxBytes;
    }

    /**
     * Takes room for one task of {@code size} bytes, waiting while there is none; runs {@code beforeWait}
     * (outside the lock) before it first waits, so that tasks this thread queued unsent go out and can complete.
     *
     * @throws RejectedExecutionException if there is no room and the gate rejects, or the waiting thread is
     *                                    interrupted (its interrupt flag is set again)
     */
    public void acquire(long size, Runnable beforeWait, Object task) {
        synchronized (this) {
            if (fits(size)) {
                take(size);
                return;
            }
            if (reject) {
                throw new RejectedExecutionException(full(size, task) + "; rejected (rejectWhenFull): retry once"
                        + " results have come back, or raise DistributedExecutor.Builder.maxInFlight");
            }
        }
        beforeWait.run();
        synchronized (this) {
            while (!fits(size)) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RejectedExecutionException(full(size, task) + "; the submitting thread was interrupted"
                            + " while it waited for room");
                }
            }
            take(size);
        }
    }

    /** Gives back the room of one task. */
    public synchronized void release(long size) {
        tasks--;
        bytes -= size;
        notifyAll();
    }

    public synchronized int tasks() {
        return tasks;
    }

    private boolean fits(long size) {
        return tasks == 0 || (tasks < maxTasks && bytes + size <= maxBytes);
    }

    private void take(long size) {
        tasks++;
        bytes += size;
    }

    private String full(long size, Object task) {
        return "task " + (task == null ? "null" : task.getClass().getName()) + " (" + size + " bytes) does not fit:"
                + " the executor has " + tasks + " tasks (" + bytes + " bytes) in flight, and its limit (maxInFlight)"
                + " is " + maxTasks + " tasks or " + maxBytes + " bytes";
    }
}
