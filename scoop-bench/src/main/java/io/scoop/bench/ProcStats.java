package io.scoop.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Per-thread CPU time and context switches of some processes, read from {@code /proc} (Linux only; on other
 * systems every sample is empty). Threads are grouped by their native name with trailing digits removed
 * ({@code scoop-task-1} and {@code scoop-task-2} are both {@code scoop-task-}); HotSpot names native threads
 * after their Java threads, truncated to 15 characters. A voluntary context switch is a wake-up after a block
 * (an {@code epoll_wait}, a futex wait, a socket read that had to wait).
 */
final class ProcStats {
    static final long TICKS_PER_SECOND = 100; // CLK_TCK on Linux

    /** One thread's counters at one instant. */
    record ThreadCounters(String process, String group, long cpuTicks, long voluntary, long involuntary) {
    }

    /** Counters per thread id at one instant, with the instant. */
    record Snapshot(long nanos, Map<String, ThreadCounters> threads) {
    }

    /** The difference of two snapshots, per (process, group). */
    record Usage(String process, String group, double cpuMillis, long voluntary, long involuntary) {
    }

    private final Map<Long, String> processes;

    /** @param processes pid -> a short name for the process (e.g. "root", "w1") */
    ProcStats(Map<Long, String> processes) {
        this.processes = new LinkedHashMap<>(processes);
    }

    static boolean available() {
        return Files.isDirectory(Path.of("/proc/self/task"));
    }

    Snapshot snapshot() {
        Map<String, ThreadCounters> out = new HashMap<>();
        for (Map.Entry<Long, String> p : processes.entrySet()) {
            Path tasks = Path.of("/proc", Long.toString(p.getKey()), "task");
            try (Stream<Path> s = Files.list(tasks)) {
                for (Path t : (Iterable<Path>) s::iterator) {
                    ThreadCounters c = read(p.getValue(), t);
                    if (c != null) {
                        out.put(p.getKey() + "/" + t.getFileName(), c);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // the process ended, or no /proc
            }
        }
        return new Snapshot(System.nanoTime(), out);
    }

    private static ThreadCounters read(String process, Path t) {
        try {
            String stat = Files.readString(t.resolve("stat"));
            int open = stat.indexOf('(');
            int close = stat.lastIndexOf(')');
            String comm = stat.substring(open + 1, close);
            String[] f = stat.substring(close + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            long vol = 0;
            long invol = 0;
            for (String line : Files.readAllLines(t.resolve("status"))) {
                if (line.startsWith("voluntary_ctxt_switches:")) {
                    vol = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
                    invol = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                }
            }
            return new ThreadCounters(process, group(comm), ticks, vol, invol);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static String group(String comm) {
        String g = comm.replaceAll("[0-9]+$", "");
        if (g.startsWith("pool-") && g.contains("-thread-")) {
            return "pool-thread";
        }
        if (g.startsWith("scoop-root-rx")) {
            return "scoop-root-rx";
        }
        if (g.equals("java")) {
            return "main";
        }
        return g.isEmpty() ? comm : g;
    }

    /** What happened between {@code a} and {@code b}, per (process, group), biggest CPU first. */
    static List<Usage> diff(Snapshot a, Snapshot b) {
        Map<String, long[]> acc = new TreeMap<>();
        Map<String, String[]> keys = new HashMap<>();
        for (Map.Entry<String, ThreadCounters> e : b.threads().entrySet()) {
            ThreadCounters now = e.getValue();
            ThreadCounters then = a.threads().get(e.getKey());
            long cpu = now.cpuTicks() - (then == null ? 0 : then.cpuTicks());
            long vol = now.voluntary() - (then == null ? 0 : then.voluntary());
            long invol = now.involuntary() - (then == null ? 0 : then.involuntary());
            String k = now.process() + "\u0000" + now.group();
            keys.put(k, new String[] {now.process(), now.group()});
            long[] v = acc.computeIfAbsent(k, x -> new long[3]);
            v[0] += cpu;
            v[1] += vol;
            v[2] += invol;
        }
        List<Usage> out = new ArrayList<>();
        for (Map.Entry<String, long[]> e : acc.entrySet()) {
            String[] k = keys.get(e.getKey());
            long[] v = e.getValue();
            out.add(new Usage(k[0], k[1], v[0] * 1000.0 / TICKS_PER_SECOND, v[1], v[2]));
        }
        out.sort((x, y) -> Double.compare(y.cpuMillis(), x.cpuMillis()));
        return out;
    }

    /**
     * A few lines: for each (process, thread group) with a visible share, CPU and wake-ups, both per
     * {@code perWhat} unit ({@code units} of them happened) and per second of wall time.
     */
    static List<String> describe(List<Usage> usage, double wallSeconds, long units, String perWhat) {
        List<String> lines = new ArrayList<>();
        double total = usage.stream().mapToDouble(Usage::cpuMillis).sum();
        lines.add(String.format(Locale.ROOT, "%-8s %-18s %9s %7s %12s %10s %10s %12s", "process", "thread group",
                "cpu ms", "% core", "cpu us/" + perWhat, "vol cs/s", "invol cs/s", "cs/" + perWhat));
        for (Usage u : usage) {
            long wakes = u.voluntary() + u.involuntary();
            if (u.cpuMillis() < total * 0.01 && wakes < 50 * wallSeconds) {
                continue;
            }
            lines.add(String.format(Locale.ROOT, "%-8s %-18s %9.0f %6.1f%% %12s %10s %10s %12s", u.process(),
                    u.group(), u.cpuMillis(), 100 * u.cpuMillis() / 1000 / wallSeconds,
                    Stats.num(u.cpuMillis() * 1000 / units), Stats.num(u.voluntary() / wallSeconds),
                    Stats.num(u.involuntary() / wallSeconds), Stats.num((double) wakes / units)));
        }
        lines.add(String.format(Locale.ROOT, "%-8s %-18s %9.0f %6.1f%% %12s   (cs = context switches; /proc tick = 10 ms: small cells are"
                + " approximate)", "all", "", total, 100 * total / 1000 / wallSeconds, Stats.num(total * 1000 / units)));
        return lines;
    }
}
