package io.scoop.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * When to replace a dead worker, and when to stop trying: churn is survived, a start that cannot work is not
 * retried forever.
 *
 * <ul>
 *   <li>Every dead worker is replaced, after a delay. A worker that had joined (said HELLO to the broker) and
 *       lived at least {@link #HEALTHY_NANOS} proves that starts work: the next replacement starts at once.
 *       Otherwise the delay doubles from {@link #FIRST_DELAY_MILLIS} up to {@link #MAX_DELAY_MILLIS}, so a
 *       worker that dies as fast as it starts costs little CPU.
 *   <li>Only workers that <em>exit by themselves before they join</em> count against the start: a bad JVM
 *       option, a broken classpath, a missing {@code java}. After {@code maxFailedStarts} of those in a row,
 *       {@link #exited} says to give up. A worker killed by a signal (exit code above 128: {@code kill -9},
 *       the OOM killer) before it joined does not count, since it says nothing about the start; a worker
 *       that joined resets the count.
 * </ul>
 *
 * Thread-safe.
 */
public final class Respawner {
    /** The first delay after a worker that did not prove healthy. */
    public static final long FIRST_DELAY_MILLIS = 100;
    /** The longest delay between replacements. */
    public static final long MAX_DELAY_MILLIS = 5000;
    /** A worker that joined and lived this long resets the backoff. */
    public static final long HEALTHY_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** The default number of failed starts in a row after which replacing stops. */
    public static final int DEFAULT_MAX_FAILED_STARTS = 5;

    private final int maxFailedStarts;
    private final LongSupplier clock;
    private final Map<String, Long> startedAt = new HashMap<>();
    private long delayMillis;
    private int failedStarts;
    private boolean gaveUp;

    public Respawner(int maxFailedStarts) {
        this(maxFailedStarts, System::nanoTime);
    }

    Respawner(int maxFailedStarts, LongSupplier clock) {
        if (maxFailedStarts < 1) {
            throw new IllegalArgumentException("maxFailedStarts must be at least 1: " + maxFailedStarts);
        }
        this.maxFailedStarts = maxFailedStarts;
        this.clock = clock;
    }

    /** Records that a worker was started now. */
    public synchronized void started(String name) {
        startedAt.put(name, clock.getAsLong());
    }

    /**
     * A worker exited without being asked to.
     *
     * @param exitCode its exit code, or -1 if unknown (a remote worker)
     * @param joined   whether it had said HELLO to the broker
     * @return the delay in milliseconds before its replacement starts, or -1 to start none (too many failed
     *         starts in a row, see {@link #failedStarts()})
     */
    public synchronized long exited(String name, int exitCode, boolean joined) {
        Long t0 = startedAt.remove(name);
        long lived = t0 == null ? 0 : clock.getAsLong() - t0;
        if (gaveUp) {
            return -1;
        }
        if (joined) {
            failedStarts = 0;
        } else if (exitCode <= 128) {
            if (++failedStarts >= maxFailedStarts) {
                gaveUp = true;
                return -1;
            }
        }
        if (joined && lived >= HEALTHY_NANOS) {
            delayMillis = 0;
        } else {
            delayMillis = delayMillis == 0 ? FIRST_DELAY_MILLIS : Math.min(MAX_DELAY_MILLIS, delayMillis * 2);
        }
        return delayMillis;
    }

    /** Stops replacing for good: the start command itself failed. */
    public synchronized void giveUp() {
        gaveUp = true;
    }

    /** Failed starts in a row so far. */
    public synchronized int failedStarts() {
        return failedStarts;
    }

    /** Whether replacing has stopped for good. */
    public synchronized boolean gaveUp() {
        return gaveUp;
    }
}
