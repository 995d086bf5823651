package io.scoop.bench;

import io.scoop.DistributedExecutor;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * W6 nested: SCOOP's {@code fullTree}, a complete binary tree of futures {@value #DEPTH} levels deep below its
 * root ({@code 2^(DEPTH+1) - 1} = 2,047 nodes), then {@value #DEEP} levels (16,383 nodes): every node is a task
 * that submits its two children through {@link DistributedExecutor#current()} (on a worker: the worker's own
 * connection) and waits for them; a leaf
 * returns 1, a node 1 + the sum of its children, so the root's future answers the number of nodes. Measured
 * with 1 and with 2 workers (a task that waits gives its worker's slot away, so one single-threaded worker
 * finishes the tree), wall time from the root's {@code submit} to its result, and futures/s (nodes / time);
 * baseline: the same tree computed serially by plain recursion in this JVM (no futures at all), so the ratio
 * is what a future costs against a method call. A child its parent waits for while it is still held on the
 * parent's worker runs on the parent's thread; the broker steals held children for idle threads of any worker.
 * The warm-up defaults to 20 s: compiling that inline path takes about 100,000 futures per worker JVM.
 *
 * <p>Run it:
 * <pre>
 *   java -jar scoop-bench/target/scoop-bench.jar W6 [--runs 5] [--warmup 2] [--worker-opts "default|-XX:+UseSerialGC"]
 * </pre>
 * It prints two tables over the same interleaved runs: wall time (ms) and futures/s, each row with its ratio
 * to the serial baseline, followed by the speedup of 2 workers over 1 and (unless {@code --no-cpu}) the CPU
 * time per future of every thread group.
 */
final class W6Nested {
    static final int DEPTH = 10;
    /** A deeper tree as well: 16,383 nodes, enough work per steal for a second worker to pay off. */
    static final int DEEP = 13;

    static long nodes(int depth) {
        return (1L << (depth + 1)) - 1;
    }

    private W6Nested() {
    }

    /** A node of the tree: submits its two children and waits for them. */
    static final class Node implements Callable<Long> {
        private final int depth;

        Node(int depth) {
            this.depth = depth;
        }

        @Override
        public Long call() throws Exception {
            if (depth == 0) {
                return 1L;
            }
            DistributedExecutor here = DistributedExecutor.current();
            CompletableFuture<Long> left = here.submit(new Node(depth - 1));
            CompletableFuture<Long> right = here.submit(new Node(depth - 1));
            return 1 + left.get() + right.get();
        }
    }

    /** The same tree, serially. */
    static long serial(int depth) {
        return depth == 0 ? 1 : 1 + serial(depth - 1) + serial(depth - 1);
    }

    static Object check(long nodes, int depth) {
        if (nodes != nodes(depth)) {
            throw new IllegalStateException("W6: " + nodes + " nodes, expected " + nodes(depth));
        }
        return nodes;
    }

    static void run(Config c) throws Exception {
        run(c, DEPTH);
        run(c, DEEP);
    }

    static void run(Config c, int depth) throws Exception {
        final long total = nodes(depth);
        String when = LocalDateTime.now().truncatedTo(ChronoUnit.MINUTES) + ", load " + Jvm.loadAverage();
        String head = String.format(Locale.ROOT, "fullTree of depth %d (%,d futures, each node submits its 2"
                + " children and waits), %d interleaved runs after %d+ warm-up runs and >= %.0f s each (%s)", depth,
                total, c.runs(), c.warmup(), c.warmupSeconds(), when);
        Table ms = new Table("W6 nested, wall time: " + head);
        Table rate = new Table("W6 nested, futures/s: " + head);
        List<Contender> cs = new ArrayList<>();
        List<Contender[]> scoop = new ArrayList<>();
        try {
            for (String spec : c.workerOptions()) {
                Variant v = Variant.parse(spec);
                Contender[] pair = new Contender[3];
                for (int workers : new int[] {1, 2}) {
                    var before = Jvm.children();
                    DistributedExecutor ex = v.executor(workers);
                    Bench.awaitWorkers(ex, workers);
                    Watchdog wd = new Watchdog(ex, 15000);
                    pair[workers] = new Contender("scoop " + workers + (workers == 1 ? " worker" : " workers")
                            + v.label(), () -> W3CpuBound.millis(() -> W1Throughput.guarded(wd,
                                    () -> check(ex.submit(new Node(depth)).get(), depth))),
                            Bench.withSelf(Jvm.newChildren(before)), ex).watchdog(wd);
                    cs.add(pair[workers]);
                }
                scoop.add(pair);
            }
            Contender serial = new Contender("serial recursion in this JVM (baseline)",
                    () -> W3CpuBound.millis(() -> check(serial(depth), depth)), null, null);
            cs.add(serial);

            String machine = Contender.interleave(c, cs);

            Map<Contender, Table.Row> rows = new java.util.HashMap<>();
            for (Contender x : cs) {
                rows.put(x, ms.add(x.label, "ms", false, x.metric(0)));
                double[] r = x.metric(0).clone();
                for (int i = 0; i < r.length; i++) {
                    r[i] = total / (r[i] / 1000);
                }
                rate.add(x.label, "futures/s", true, r);
            }
            ms.baseline("serial", rows.get(serial));
            rate.baseline("serial", rate.row(serial.label));
            for (Contender[] pair : scoop) {
                Table.Row one = rows.get(pair[1]);
                Table.Row two = rows.get(pair[2]);
                ms.note(String.format(Locale.ROOT, "%s: speedup 2 workers vs 1: %.2fx (median / median)", two.label(),
                        one.median() / two.median()));
                for (Contender x : pair) {
                    if (x != null && x.stalls() > 0) {
                        ms.note(x.label + ": " + x.stalls() + " stall(s) > 15 s (see Watchdog)");
                    }
                }
            }
            ms.note("the serial baseline makes no future: it is the floor of the tree's own work, not of a nested"
                    + " executor");
            ms.note(machine);
            ms.print(c.out());
            rate.print(c.out());
            if (c.cpu()) {
                for (Contender x : cs) {
                    if (x.procs != null) {
                        c.out().println(x.label + ": CPU and context switches per future, by JVM and thread group,"
                                + " over the measured runs");
                        x.cpu.describe(total * c.runs(), "future").forEach(c.out()::println);
                    }
                }
            }
        } finally {
            Contender.closeAll(cs);
        }
    }
}
