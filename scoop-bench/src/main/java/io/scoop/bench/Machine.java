package io.scoop.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * How busy the machine is, and how much of that is us: total CPU from {@code /proc/stat}, ours from
 * {@code /proc/PID/stat} of this JVM and all its descendants (the worker JVMs). The machine is shared (another
 * engineer's builds run on it), so the tables say how much CPU other processes took while they were measured,
 * and each round of runs first waits (a bounded time) for the others to go quiet.
 */
final class Machine {
    private Machine() {
    }

    /** CPU time in ticks: [all busy, ours]. */
    static long[] ticks() {
        long busy = 0;
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            // cpu user nice system idle iowait irq softirq steal ...
            for (int i = 1; i < f.length && i <= 8; i++) {
                if (i != 4 && i != 5) {
                    busy += Long.parseLong(f[i]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
        long ours = processTicks(ProcessHandle.current().pid());
        for (ProcessHandle h : ProcessHandle.current().descendants().toList()) {
            ours += processTicks(h.pid());
        }
        return new long[] {busy, ours};
    }

    private static long processTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // utime + stime, plus cutime + cstime: children it has reaped (the JVMs W5 starts and waits for)
            return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Accumulates our and the others' CPU over measured intervals. */
    static final class Meter {
        private long[] start;
        private long others;
        private long ours;
        private long wallNanos;
        private long startNanos;

        void begin() {
            start = ticks();
            startNanos = System.nanoTime();
        }

        void end() {
            long[] now = ticks();
            long busy = now[0] - start[0];
            long us = now[1] - start[1];
            ours += us;
            others += Math.max(0, busy - us);
            wallNanos += System.nanoTime() - startNanos;
        }

        String describe() {
            double s = wallNanos / 1e9;
            if (s <= 0) {
                return "machine: -";
            }
            int cpus = Runtime.getRuntime().availableProcessors();
            return String.format(Locale.ROOT, "machine during the measured runs: this benchmark's JVMs used %.0f%% of"
                    + " the %d cpus, other processes %.0f%%", 100.0 * ours / ProcStats.TICKS_PER_SECOND / s / cpus, cpus,
                    100.0 * others / ProcStats.TICKS_PER_SECOND / s / cpus);
        }
    }

    /**
     * Waits until other processes use less than 15% of one cpu for 2 consecutive seconds, at most
     * {@code maxSeconds}; returns the seconds waited.
     */
    static double awaitQuiet(double maxSeconds) throws InterruptedException {
        if (maxSeconds <= 0) {
            return 0;
        }
        long t0 = System.nanoTime();
        int quiet = 0;
        boolean said = false;
        while (quiet < 2 && (System.nanoTime() - t0) / 1e9 < maxSeconds) {
            long[] a = ticks();
            Thread.sleep(1000);
            long[] b = ticks();
            long others = (b[0] - a[0]) - (b[1] - a[1]);
            if (others < 0.15 * ProcStats.TICKS_PER_SECOND) {
                quiet++;
            } else {
                quiet = 0;
                if (!said) {
                    System.err.printf(Locale.ROOT, "bench: other processes use %.0f%% of a cpu; waiting up to %.0f s"
                            + " for quiet%n", 100.0 * others / ProcStats.TICKS_PER_SECOND, maxSeconds);
                    said = true;
                }
            }
        }
        return (System.nanoTime() - t0) / 1e9;
    }
}
