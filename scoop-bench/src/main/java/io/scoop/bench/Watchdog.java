package io.scoop.bench;

import io.scoop.DistributedExecutor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps a Scoop run from hanging the benchmark, and counts when it would have.
 *
 * <p>Why it exists: {@code RootClient.flush} sends queued tasks only if it wins {@code Link}'s tx lock with
 * {@code tryLock}; when another thread holds the lock for a plain {@code Link.send} (the root's rx thread sends
 * a heartbeat every second; cancels also use it) the submitter returns and nothing ever sends what it queued,
 * until the next submit flushes the outbox. A sequential {@code submit().get()} then waits forever (W2 hung
 * for 10 minutes in a first attempt: one live {@code TaskItem} in the root, no task in the broker, the worker
 * idle). While a run lasts longer than {@code thresholdMillis}, this watchdog submits a no-op task every
 * {@code thresholdMillis}, whose flush sends the stranded one, and counts a stall. The stalled run keeps its
 * real (long) time; the tables report the number of stalls.
 */
final class Watchdog implements AutoCloseable {
    private final DistributedExecutor ex;
    private final long thresholdNanos;
    private final Thread thread;
    private final AtomicInteger stalls = new AtomicInteger();
    private volatile long runStarted = -1;
    private volatile boolean closed;

    Watchdog(DistributedExecutor ex, long thresholdMillis) {
        this.ex = ex;
        this.thresholdNanos = thresholdMillis * 1_000_000L;
        this.thread = new Thread(this::watch, "bench-watchdog");
        thread.setDaemon(true);
        thread.start();
    }

    void begin() {
        runStarted = System.nanoTime();
    }

    void end() {
        runStarted = -1;
    }

    int stalls() {
        return stalls.get();
    }

    private void watch() {
        long lastNudgeOf = -1;
        long lastNudgeAt = 0;
        while (!closed) {
            try {
                Thread.sleep(Math.max(1, thresholdNanos / 4_000_000));
            } catch (InterruptedException e) {
                return;
            }
            long started = runStarted;
            long now = System.nanoTime();
            if (started < 0 || now - started < thresholdNanos) {
                continue;
            }
            if (started == lastNudgeOf && now - lastNudgeAt < thresholdNanos) {
                continue;
            }
            if (started != lastNudgeOf) {
                stalls.incrementAndGet();
                System.err.println("bench watchdog: a run has made no end for " + (now - started) / 1_000_000
                        + " ms; submitting a no-op task to flush the root's outbox (" + ex + ")");
            }
            lastNudgeOf = started;
            lastNudgeAt = now;
            try {
                ex.submit(() -> 0);
            } catch (RuntimeException e) {
                System.err.println("bench watchdog: nudge failed: " + e);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
