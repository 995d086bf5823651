package io.scoop.bench;

import io.scoop.DistributedExecutor;
import io.scoop.Shared;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * W8 shared data: a parameter sweep of {@value #PARAMS} tasks over one {@value #MIB} MiB {@code double[]} on
 * {@value #WORKERS} workers, wall time per sweep, against the same sweep with no data at all (each task
 * computes on its parameter alone). Rows: {@code map} whose function captures the array (Scoop sends a function
 * of 64 KiB or more once per worker, by itself); {@code share} once, then {@code invokeAll} of plain lambdas
 * that capture the {@code Shared} handle; and {@code invokeAll} of lambdas that capture the array itself, which
 * Scoop sends once by itself (a large array of primitives captured by several tasks of one call, or by a task
 * sent alone for the second time, goes by key), yet each task decodes its own copy of it on its worker and
 * compares it afterwards for writes to carry back. Those rows make a new array each run (one element
 * changes), so every run pays the whole trip: encoding and hashing at the root, the broker, a fetch per worker.
 * Two more rows show the steady state of a program that sweeps the same data again: a handle shared once
 * before the runs (the workers have their copies), and {@code map} over the same array (encoded and hashed
 * again by each {@code map} call, not fetched again).
 *
 * <p>Run it:
 * <pre>
 *   java -jar scoop-bench/target/scoop-bench.jar W8 [--runs 5] [--warmup 1]
 * </pre>
 * It prints one table (median, min and max ms over the interleaved runs, each with its ratio to the no-data
 * sweep).
 */
final class W8Shared {
    static final int PARAMS = 40;
    static final int MIB = 16;
    static final int WORKERS = 2;

    private W8Shared() {
    }

    /** What one task computes: a few reads of the data and its parameter. */
    static double score(double[] data, int p) {
        double s = p;
        for (int i = p; i < data.length; i += data.length / 64) {
            s += data[i];
        }
        return s;
    }

    static void run(Config c) throws Exception {
        String when = LocalDateTime.now().truncatedTo(ChronoUnit.MINUTES) + ", load " + Jvm.loadAverage();
        Table t = new Table("W8 shared data: " + PARAMS + " tasks over one " + MIB + " MiB double[], " + WORKERS
                + " workers, a new array each run, " + c.runs() + " interleaved runs after " + c.warmup()
                + " warm-up (" + when + ")");
        double[] base = new double[MIB * (1 << 20) / Double.BYTES];
        for (int i = 0; i < base.length; i++) {
            base[i] = i % 1000;
        }
        AtomicInteger round = new AtomicInteger();
        List<Contender> cs = new ArrayList<>();
        try {
            var before = Jvm.children();
            DistributedExecutor ex = Variant.parse(c.workerOptions().get(0)).executor(WORKERS);
            Bench.awaitWorkers(ex, WORKERS);
            Map<Long, String> procs = Bench.withSelf(Jvm.newChildren(before));
            Contender none = new Contender("no data: map(p -> (double) p) (baseline)", () -> W3CpuBound.millis(() -> {
                List<Double> out = ex.map((Integer p) -> (double) p, IntStream.range(0, PARAMS).boxed()).toList();
                return check(out.size());
            }), procs, null);
            cs.add(none);
            Contender noneEach = new Contender("no data: invokeAll of () -> (double) p", () -> W3CpuBound.millis(() -> {
                List<Callable<Double>> tasks = new ArrayList<>();
                for (int p = 0; p < PARAMS; p++) {
                    int param = p;
                    tasks.add(() -> (double) param);
                }
                return check(sum(ex.invokeAll(tasks)));
            }), procs, null);
            cs.add(noneEach);
            // Each run's new array is made before the clock starts: only sharing, sending and fetching are timed.
            Contender map = new Contender("map(p -> score(data, p)), the function captures the array", () -> {
                double[] data = fresh(base, round);
                return W3CpuBound.millis(() -> check(ex.map((Integer p) -> score(data, p),
                        IntStream.range(0, PARAMS).boxed()).toList().size()));
            }, procs, null);
            cs.add(map);
            Contender shared = new Contender("share(data), then invokeAll of () -> score(handle.get(), p)", () -> {
                double[] data = fresh(base, round);
                return W3CpuBound.millis(() -> {
                    Shared<double[]> handle = ex.share(data);
                    try {
                        List<Callable<Double>> tasks = new ArrayList<>();
                        for (int p = 0; p < PARAMS; p++) {
                            int param = p;
                            tasks.add(() -> score(handle.get(), param));
                        }
                        return check(sum(ex.invokeAll(tasks)));
                    } finally {
                        ex.release(handle);
                    }
                });
            }, procs, null);
            cs.add(shared);
            Shared<double[]> kept = ex.share(base);
            Contender warm = new Contender("the same share(data) handle each run: a sweep once it is on the workers",
                    () -> W3CpuBound.millis(() -> {
                        List<Callable<Double>> tasks = new ArrayList<>();
                        for (int p = 0; p < PARAMS; p++) {
                            int param = p;
                            tasks.add(() -> score(kept.get(), param));
                        }
                        return check(sum(ex.invokeAll(tasks)));
                    }), procs, null);
            cs.add(warm);
            Contender mapSame = new Contender("map(p -> score(data, p)) over the same array each run",
                    () -> W3CpuBound.millis(() -> {
                        List<Double> out = ex.map((Integer p) -> score(base, p), IntStream.range(0, PARAMS).boxed())
                                .toList();
                        return check(out.size());
                    }), procs, null);
            cs.add(mapSame);
            Contender copied = new Contender("invokeAll of () -> score(data, p): the array captured, sent once by key", () -> {
                double[] data = fresh(base, round);
                return W3CpuBound.millis(() -> {
                    List<Callable<Double>> tasks = new ArrayList<>();
                    for (int p = 0; p < PARAMS; p++) {
                        int param = p;
                        tasks.add(() -> score(data, param));
                    }
                    return check(sum(ex.invokeAll(tasks)));
                });
            }, procs, ex);
            cs.add(copied);

            String machine = Contender.interleave(c, cs);
            Map<Contender, Table.Row> rows = new java.util.HashMap<>();
            for (Contender x : cs) {
                rows.put(x, t.add(x.label, "ms", false, x.metric(0)));
            }
            t.baseline("no data", rows.get(none));
            t.note("each run: a new " + MIB + " MiB array, encoded, hashed and sent to the broker once, fetched once"
                    + " by each worker; in the last row each task also decodes its own copy on its worker and compares"
                    + " it afterwards (writes into captured arrays come back to the root)");
            t.note(machine);
            t.print(c.out());
        } finally {
            Contender.closeAll(cs);
        }
    }

    /** A copy of {@code base} that differs in one element each run, so no worker has it cached. */
    private static double[] fresh(double[] base, AtomicInteger round) {
        double[] d = base.clone();
        d[0] = round.incrementAndGet();
        return d;
    }

    private static int sum(List<Future<Double>> fs) throws Exception {
        int n = 0;
        for (Future<Double> f : fs) {
            f.get();
            n++;
        }
        return n;
    }

    private static Object check(int results) {
        if (results != PARAMS) {
            throw new IllegalStateException("W8: " + results + " results, expected " + PARAMS);
        }
        return results;
    }
}
