package io.scoop.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * How many dead workers may be replaced: at most {@code max} replacements within any {@code window}. A worker
 * that dies now and then (a task that kills its JVM, a cancelled task that ignored its interrupt, the OOM
 * killer) is replaced; workers that die as fast as they start (a bad JVM option, a broken classpath) are not
 * restarted forever.
 */
public final class RespawnBudget {
    private final int max;
    private final long windowNanos;
    private final LongSupplier ticker;
    private final Deque<Long> recent = new ArrayDeque<>();

    public RespawnBudget(int max, long window, TimeUnit unit) {
        this(max, unit.toNanos(window), System::nanoTime);
    }

    RespawnBudget(int max, long windowNanos, LongSupplier ticker) {
        this.max = max;
        this.windowNanos = windowNanos;
        this.ticker = ticker;
    }

    /** Takes one replacement from the budget; false if {@code max} were taken within the window. */
    public synchronized boolean tryAcquire() {
        long now = ticker.getAsLong();
        while (!recent.isEmpty() && now - recent.peekFirst() >= windowNanos) {
            recent.removeFirst();
        }
        if (recent.size() >= max) {
            return false;
        }
        recent.addLast(now);
        return true;
    }
}
