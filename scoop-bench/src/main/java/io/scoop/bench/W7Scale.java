package io.scoop.bench;

import io.scoop.DistributedExecutor;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * W7 scale of input: {@code map(x -> x + 1, iterator)} over {@value #BIG} items produced one at a time by an
 * iterator (never a collection), 2 workers, all results consumed and summed; the peak heap of the root JVM,
 * which in the embedded default also holds the broker, must stay flat when the input grows tenfold: the
 * baseline is the same map over {@value #SMALL} items, in the same run, on the same executor.
 *
 * <p>Two heap figures per run, both of the root JVM (root and broker):
 * <ul>
 *   <li><b>peak live heap</b>: at {@value #CHECKPOINTS} checkpoints spread evenly over the input (whatever
 *       its size), the consumer calls {@code System.gc()} and reads the used heap: what the map holds at that
 *       point (input read ahead, chunks in flight, results not yet consumed) plus the rest of the JVM; the
 *       figure is the largest of them, in MiB. This is the one that must stay flat;
 *   <li><b>peak used heap</b>: the sum of the heap pools' peak usage over the run (reset at its start),
 *       garbage included: it depends on when the collector chose to run, so it is reported, not judged.
 * </ul>
 * and the rate (items/s, checkpoints' {@code System.gc()} included). Run it:
 * <pre>
 *   java -jar scoop-bench/target/scoop-bench.jar W7 [--runs 5] [--warmup 1] [--worker-opts "default|-XX:+UseSerialGC"]
 * </pre>
 * It prints one table: the three figures for 1,000,000 and 10,000,000 items (median, min, max over the
 * interleaved runs), the 10,000,000-item rows with their ratio to the 1,000,000-item ones (for heap: small /
 * big, so 1.0x is perfectly flat and 0.1x would be linear growth), and whether the peak live heap stayed flat
 * (grew by less than half).
 */
final class W7Scale {
    static final int SMALL = 1_000_000;
    static final int BIG = 10_000_000;
    static final int CHECKPOINTS = 10;
    static final int WORKERS = 2;

    private W7Scale() {
    }

    /** The items 0..n-1, made as they are read. */
    static Iterator<Integer> items(int n) {
        return new Iterator<>() {
            int i;

            @Override
            public boolean hasNext() {
                return i < n;
            }

            @Override
            public Integer next() {
                return i++;
            }
        };
    }

    static double heapUsed(MemoryMXBean m) {
        return m.getHeapMemoryUsage().getUsed() / 1048576.0;
    }

    /** One run: {items/s, peak live heap MiB, peak used heap MiB}. */
    static double[] once(DistributedExecutor ex, int n) {
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        List<MemoryPoolMXBean> pools = new ArrayList<>();
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                pools.add(p);
                p.resetPeakUsage();
            }
        }
        long every = n / CHECKPOINTS;
        double live = 0;
        long sum = 0;
        long k = 0;
        long t0 = System.nanoTime();
        for (Iterator<Integer> it = ex.<Integer, Integer>map(x -> x + 1, items(n)).iterator(); it.hasNext();) {
            sum += it.next();
            if (++k % every == every / 2) {
                System.gc();
                live = Math.max(live, heapUsed(mem));
            }
        }
        long t1 = System.nanoTime();
        long expected = (long) n * (n + 1) / 2;
        if (sum != expected) {
            throw new IllegalStateException("W7: sum " + sum + ", expected " + expected);
        }
        double peak = 0;
        for (MemoryPoolMXBean p : pools) {
            peak += p.getPeakUsage().getUsed() / 1048576.0;
        }
        return new double[] {n / ((t1 - t0) / 1e9), live, peak};
    }

    static void run(Config c) throws Exception {
        String when = LocalDateTime.now().truncatedTo(ChronoUnit.MINUTES) + ", load " + Jvm.loadAverage();
        Table t = new Table(String.format(Locale.ROOT, "W7 scale of input: map(x -> x + 1, iterator), %d workers,"
                + " %,d vs %,d items, heap of the root JVM (root + embedded broker, max heap %,d MiB), %d interleaved"
                + " runs after %d warm-up each (%s)", WORKERS, SMALL, BIG,
                Runtime.getRuntime().maxMemory() >> 20, c.runs(), c.warmup(), when));
        List<Contender> cs = new ArrayList<>();
        List<Contender[]> pairs = new ArrayList<>();
        try {
            for (String spec : c.workerOptions()) {
                Variant v = Variant.parse(spec);
                var before = Jvm.children();
                DistributedExecutor ex = v.executor(WORKERS);
                Bench.awaitWorkers(ex, WORKERS);
                Map<Long, String> procs = Bench.withSelf(Jvm.newChildren(before));
                Watchdog wd = new Watchdog(ex, 30000);
                Contender small = new Contender(String.format(Locale.ROOT, "%,d items", SMALL) + v.label(),
                        () -> guarded(wd, () -> once(ex, SMALL)), procs, null);
                Contender big = new Contender(String.format(Locale.ROOT, "%,d items", BIG) + v.label(),
                        () -> guarded(wd, () -> once(ex, BIG)), procs, ex).watchdog(wd);
                cs.add(small);
                cs.add(big);
                pairs.add(new Contender[] {small, big});
            }

            String machine = Contender.interleave(c, cs);

            for (Contender[] p : pairs) {
                Table.Row[] s = rows(t, p[0]);
                Table.Row[] b = rows(t, p[1]);
                double flat = b[1].median() / s[1].median();
                t.note(String.format(Locale.ROOT, "%s: peak live heap %s MiB for 10x the input of %s MiB: grew %.2fx:"
                        + " %s", p[1].label, Stats.num(b[1].median()), Stats.num(s[1].median()), flat,
                        flat < 1.5 ? "FLAT (< 1.5x)" : "NOT FLAT (>= 1.5x)"));
                for (int i = 0; i < 3; i++) {
                    t.note(String.format(Locale.ROOT, "  %s: %s vs %s", b[i].label(), Stats.ratio(Table.ratio(b[i],
                            s[i])), s[i].label()));
                }
                if (p[1].stalls() > 0) {
                    t.note(p[1].label + ": " + p[1].stalls() + " stall(s) > 30 s (see Watchdog)");
                }
            }
            t.note("the ratios: same unit, 10,000,000-item row against the 1,000,000-item row (heap: small / big, so"
                    + " 1.0x = flat)");
            t.note(machine);
            t.print(c.out());
        } finally {
            Contender.closeAll(cs);
        }
    }

    private static Table.Row[] rows(Table t, Contender x) {
        return new Table.Row[] {t.add(x.label + ": rate", "items/s", true, x.metric(0)),
            t.add(x.label + ": peak live heap", "MiB", false, x.metric(1)),
            t.add(x.label + ": peak used heap", "MiB", false, x.metric(2))};
    }

    static double[] guarded(Watchdog wd, java.util.function.Supplier<double[]> b) {
        wd.begin();
        try {
            return b.get();
        } finally {
            wd.end();
        }
    }
}
