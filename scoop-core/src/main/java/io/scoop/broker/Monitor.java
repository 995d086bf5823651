package io.scoop.broker;

import java.util.ArrayList;
import java.util.List;

/**
 * What the status page shows of the past, kept by the broker's loop thread as tasks end: counts, completions per
 * second over the last {@value #SECONDS} seconds, the last {@value #RECORDS} task records, the last
 * {@value #FAILURES} failures with their traces, and the last {@value #LOST_WORKERS} workers lost. Every part is a
 * fixed-size ring, so a run of millions of tasks keeps the same few hundred entries; recording a task's end is a
 * few field writes and one small object.
 *
 * <p>Not thread-safe: the loop thread records, and copies it all into a {@link StatusSnapshot} when the page
 * asks ({@link #copy}); the page's JSON is built from that copy on the page's own thread.
 */
final class Monitor {
    static final int SECONDS = 120;
    static final int RECORDS = 200;
    static final int FAILURES = 32;
    static final int LOST_WORKERS = 16;
    /** The most characters of a failure's text kept (a worker sends at most 8 KiB; a reason may be longer). */
    static final int MAX_TEXT = 8192;

    private final long startNanos;
    private final long startMillis;

    long ok;
    long failed;
    long joined;

    /** Tasks ended in each of the last SECONDS seconds; {@code second} is the slot of the current one. */
    private final long[] perSecond = new long[SECONDS];
    private long second;

    private final StatusSnapshot.TaskRow[] records = new StatusSnapshot.TaskRow[RECORDS];
    private long recordCount;
    private final StatusSnapshot.Failure[] failures = new StatusSnapshot.Failure[FAILURES];
    private long failureCount;
    private final StatusSnapshot.LostWorker[] lost = new StatusSnapshot.LostWorker[LOST_WORKERS];
    private long lostCount;

    Monitor(long nowNanos) {
        this.startNanos = nowNanos;
        this.startMillis = System.currentTimeMillis();
    }

    /** Wall-clock milliseconds of the start. */
    long started() {
        return startMillis;
    }

    /** Wall-clock milliseconds of a ticker time. */
    long millis(long nanos) {
        return startMillis + (nanos - startNanos) / 1_000_000L;
    }

    /** Moves the per-second ring up to {@code now}, clearing the seconds that passed with nothing. */
    void advance(long now) {
        long s = (now - startNanos) / 1_000_000_000L;
        if (s <= second) {
            return;
        }
        if (s - second >= SECONDS) {
            java.util.Arrays.fill(perSecond, 0);
        } else {
            for (long k = second + 1; k <= s; k++) {
                perSecond[(int) (k % SECONDS)] = 0;
            }
        }
        second = s;
    }

    /** A task ended (ran, failed, or was given up by the broker). */
    void ended(long now, StatusSnapshot.TaskRow row, String failureText) {
        advance(now);
        perSecond[(int) (second % SECONDS)]++;
        if (row.ok()) {
            ok++;
        } else {
            failed++;
        }
        records[(int) (recordCount++ % RECORDS)] = row;
        if (!row.ok()) {
            failures[(int) (failureCount++ % FAILURES)] = new StatusSnapshot.Failure(row.id(), row.label(),
                    row.status(), row.worker(), row.endedAt(), cut(failureText));
        }
    }

    /** Many tasks failed for one reason at once (the cluster broke): counted, and one failure kept. */
    void failedTogether(long now, int n, String status, String reason) {
        if (n == 0) {
            return;
        }
        advance(now);
        perSecond[(int) (second % SECONDS)] += n;
        failed += n;
        failures[(int) (failureCount++ % FAILURES)] = new StatusSnapshot.Failure(-1, n + " tasks", status, "",
                millis(now), cut(reason));
    }

    void workerLost(long now, String name, String host, long pid, String reason) {
        lost[(int) (lostCount++ % LOST_WORKERS)] = new StatusSnapshot.LostWorker(name, host, pid, millis(now),
                cut(reason));
    }

    /** Completions per second, oldest first, ending with the current second. */
    long[] perSecond(long now) {
        advance(now);
        long[] out = new long[SECONDS];
        for (int i = 0; i < SECONDS; i++) {
            out[i] = perSecond[(int) ((second + 1 + i) % SECONDS)];
        }
        return out;
    }

    List<StatusSnapshot.TaskRow> records() {
        return newestFirst(records, recordCount);
    }

    List<StatusSnapshot.Failure> failures() {
        return newestFirst(failures, failureCount);
    }

    List<StatusSnapshot.LostWorker> lost() {
        return newestFirst(lost, lostCount);
    }

    private static <T> List<T> newestFirst(T[] ring, long count) {
        int n = (int) Math.min(count, ring.length);
        List<T> out = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            out.add(ring[(int) ((count - i) % ring.length)]);
        }
        return out;
    }

    static String cut(String s) {
        if (s == null) {
            return "";
        }
        return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT) + "\u2026";
    }
}
