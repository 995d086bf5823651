package io.scoop.internal;

import java.util.concurrent.TimeUnit;

/**
 * Error lines about input that peers control (malformed messages, refused frames), so that a flood of bad
 * input cannot flood stderr: the first {@value #FIRST} lines are printed as they come, later ones are counted
 * and summed up in one line at most every {@value #SUMMARY_SECONDS} seconds, with the latest of them.
 * Thread-safe.
 */
public final class RateLimitedLog {
    static final int FIRST = 5;
    static final long SUMMARY_SECONDS = 5;

    private final String prefix;
    private final String logger;
    private long total;
    private long suppressed;
    private long lastSummary = System.nanoTime();

    /** {@code prefix} starts every line, e.g. {@code "scoop broker"}. */
    public RateLimitedLog(String prefix) {
        this.prefix = prefix;
        this.logger = prefix.startsWith("scoop broker") ? Log.BROKER : prefix.startsWith("scoop worker") ? Log.WORKER
                : prefix.startsWith("scoop root") ? Log.ROOT : Log.NET;
    }

    /** Prints {@code line} if it is among the first few, or counts it for the next summary. */
    public synchronized void log(String line) {
        total++;
        if (total <= FIRST) {
            Log.warn(logger, prefix + ": " + line + (total == FIRST ? " (further lines like this are counted"
                    + " and summed up every " + SUMMARY_SECONDS + " s)" : ""));
            lastSummary = System.nanoTime();
            return;
        }
        suppressed++;
        long now = System.nanoTime();
        if (now - lastSummary >= TimeUnit.SECONDS.toNanos(SUMMARY_SECONDS)) {
            Log.warn(logger, prefix + ": " + suppressed + " more like this in the last "
                    + TimeUnit.NANOSECONDS.toSeconds(now - lastSummary) + " s, " + total + " in all; the latest: "
                    + line);
            suppressed = 0;
            lastSummary = now;
        }
    }

    /** Prints the count of lines not printed since the last summary, if any: call when the source stops. */
    public synchronized void summarize() {
        if (suppressed > 0) {
            Log.warn(logger, prefix + ": " + suppressed + " more like this in the last "
                    + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - lastSummary) + " s, " + total + " in all");
            suppressed = 0;
            lastSummary = System.nanoTime();
        }
    }

    /** How many lines were logged, printed or not. */
    public synchronized long total() {
        return total;
    }
}
