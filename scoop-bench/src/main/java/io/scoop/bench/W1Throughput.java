package io.scoop.bench;

import io.scoop.DistributedExecutor;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.zeromq.ZMQ;

/**
 * W1 throughput: 20,000 trivial tasks ({@code x -> x + 1} on an int), all results collected, 2 workers,
 * reported in tasks/s, for Scoop's {@code map} and plain {@code invokeAll}, against two baselines measured in
 * the same run: raw JeroMQ echo through a ROUTER broker with 2 DEALER workers in separate JVMs, one message
 * per task and at most 1,000 in flight ({@link EchoCluster}), and {@code Executors.newFixedThreadPool(2)}.
 *
 * <p>Run it:
 * <pre>
 *   cd /work/main &amp;&amp; mvn -q -B -pl scoop-core install -DskipTests &amp;&amp; mvn -q -B -pl scoop-bench package
 *   java -jar scoop-bench/target/scoop-bench.jar W1 [--runs 5] [--warmup 3] [--worker-opts "default|-XX:+UseSerialGC"]
 * </pre>
 * Each measurement first makes its executor (or echo cluster, or pool) and waits for its workers, then runs
 * {@code --warmup} unmeasured runs, then {@code --runs} measured ones; Scoop's map and invokeAll runs
 * alternate on one executor, and all rows are run interleaved (see {@link Contender}). A run is timed from the
 * first call to the last result collected and checked (the sum of the results). It prints (measured
 * 2026-11-22 on the 2-cpu VM, one row per {@code --worker-opts} item):
 * <pre>
 * W1 throughput: 20,000 tasks x -&gt; x + 1, 2 workers, 5 interleaved runs after 3+ warm-up runs and &gt;= 8.0 s each (2026-11-22T05:49, ...)
 *                                                        median          min          max  unit          vs jeromq     vs pool(2)
 * scoop map                                           1,786,370    1,268,795    3,601,126  tasks/s          4.481x         0.285x
 * scoop invokeAll                                       152,093      107,446      225,734  tasks/s          0.382x         0.024x
 * jeromq echo (ROUTER + 2 DEALER JVMs, 1 msg/task)      398,648      117,867      422,744  tasks/s        1 (base)         0.064x
 * pool(2) invokeAll                                   6,263,874    3,339,693   15,564,881  tasks/s           15.7x       1 (base)
 *   target: scoop map &gt;= 100,000 tasks/s (Hazelcast: 36,000): MET (median 1,786,370 tasks/s)
 *   target: scoop invokeAll &gt;= 36,000 tasks/s: MET (median 152,093 tasks/s)
 *   jeromq echo: client DEALER over inproc to a ROUTER broker thread in this JVM, at most 1000 tasks in flight; 4-byte payloads
 *   machine during the measured runs: this benchmark's JVMs used 77% of the 2 cpus, other processes 4% (waited 31 s ...)
 * </pre>
 * followed, with {@code --cpu} (the default), by the CPU time and wake-ups per task of each thread group of
 * the root JVM and of the worker JVMs, from {@code /proc}.
 */
final class W1Throughput {
    static final int TASKS = 20_000;
    static final int WORKERS = 2;
    static final int ECHO_WINDOW = 1000;
    static final long EXPECTED_SUM = (long) TASKS * (TASKS + 1) / 2;

    private W1Throughput() {
    }

    static void run(Config c) throws Exception {
        String when = LocalDateTime.now().truncatedTo(ChronoUnit.MINUTES) + ", load " + Jvm.loadAverage();
        Table t = new Table("W1 throughput: 20,000 tasks x -> x + 1, " + WORKERS + " workers, " + c.runs()
                + " interleaved runs after " + c.warmup() + "+ warm-up runs and >= " + c.warmupSeconds()
                + " s each (" + when + ")");
        List<Integer> inputs = IntStream.range(0, TASKS).boxed().collect(Collectors.toList());
        List<Callable<Integer>> callables = new ArrayList<>(TASKS);
        for (int i = 0; i < TASKS; i++) {
            callables.add(new Tasks.Inc(i));
        }
        List<Contender> cs = new ArrayList<>();
        List<Contender> maps = new ArrayList<>();
        List<Contender> invokes = new ArrayList<>();
        List<Contender> scoopAll = new ArrayList<>();
        try {
            for (String spec : c.workerOptions()) {
                Variant v = Variant.parse(spec);
                var before = Jvm.children();
                DistributedExecutor ex = v.executor(WORKERS);
                Bench.awaitWorkers(ex, WORKERS);
                Map<Long, String> procs = Bench.withSelf(Jvm.newChildren(before));
                Watchdog wd = new Watchdog(ex, 5000);
                ExecutorService es = ex;
                Contender m = new Contender("scoop map, lambda x -> x + 1" + v.label(),
                        () -> rate(() -> guarded(wd, () -> scoopMap(ex, inputs))), procs, null);
                Contender invLambda = new Contender("scoop invokeAll, plain lambdas built in the run" + v.label(),
                        () -> rate(() -> guarded(wd, () -> invokeAllLambdas(es))), procs, null);
                Contender invAnon = new Contender("scoop invokeAll, anonymous classes built in the run" + v.label(),
                        () -> rate(() -> guarded(wd, () -> invokeAllAnonymous(es))), procs, null);
                Contender subLambda = new Contender("scoop submit each then get, plain lambdas built in the run"
                        + v.label(), () -> rate(() -> guarded(wd, () -> submitEachLambdas(es))), procs, null);
                Contender subAnon = new Contender("scoop submit each then get, anonymous classes built in the run"
                        + v.label(), () -> rate(() -> guarded(wd, () -> submitEachAnonymous(es))), procs, null);
                Contender inv = new Contender("scoop invokeAll, pre-built named tasks (Tasks.Inc)" + v.label(),
                        () -> rate(() -> guarded(wd, () -> scoopInvokeAll(ex, callables))), procs, ex).watchdog(wd);
                for (Contender x : List.of(m, invLambda, invAnon, subLambda, subAnon, inv)) {
                    cs.add(x);
                    scoopAll.add(x);
                }
                maps.add(m);
                invokes.add(invLambda);
                invokes.add(invAnon);
                invokes.add(inv);
            }
            EchoCluster cluster = new EchoCluster(WORKERS, Variant.parse(c.workerOptions().get(0)).jvmOptions());
            ZMQ.Socket client = cluster.client(false);
            Map<Long, String> procs = new java.util.LinkedHashMap<>();
            procs.put(ProcessHandle.current().pid(), "root");
            int k = 0;
            for (Process p : cluster.workerProcesses()) {
                procs.put(p.pid(), "w" + (++k));
            }
            Contender echo = new Contender("jeromq echo (ROUTER + 2 DEALER JVMs, 1 msg/task)",
                    () -> rate(() -> check(EchoCluster.pipeline(client, TASKS, ECHO_WINDOW))), procs, () -> {
                        client.close();
                        cluster.close();
                    });
            cs.add(echo);
            ExecutorService p = Executors.newFixedThreadPool(WORKERS);
            Contender pool = new Contender("pool(2) invokeAll, pre-built named tasks",
                    () -> rate(() -> poolInvokeAll(p, callables)), null, p::shutdownNow);
            cs.add(pool);
            Contender poolLambda = new Contender("pool(2) invokeAll, plain lambdas built in the run",
                    () -> rate(() -> invokeAllLambdas(p)), null, null);
            cs.add(poolLambda);

            String machine = Contender.interleave(c, cs);

            Map<Contender, Table.Row> rows = new java.util.HashMap<>();
            for (Contender x : cs) {
                rows.put(x, t.add(x.label, "tasks/s", true, x.metric(0)));
            }
            t.baseline("jeromq", rows.get(echo));
            t.baseline("pool(2)", rows.get(pool));
            for (Contender x : maps) {
                Table.Row r = rows.get(x);
                t.note(Bench.target(r, ">= 100,000 tasks/s (Hazelcast: 36,000)", r.median() >= 100_000));
            }
            for (Contender x : invokes) {
                Table.Row r = rows.get(x);
                t.note(Bench.target(r, ">= 36,000 tasks/s", r.median() >= 36_000));
            }
            for (Contender x : scoopAll) {
                if (x.stalls() > 0) {
                    t.note(x.label + " (and the other rows of its executor): " + x.stalls() + " stall(s) > 5 s in warm-up or runs"
                            + " (a task stranded in the root's outbox, see Watchdog), each ended by a no-op submit;"
                            + " a stalled measured run keeps its time");
                }
            }
            t.note("jeromq echo: client DEALER over inproc to a ROUTER broker thread in this JVM, at most "
                    + ECHO_WINDOW + " tasks in flight; 4-byte payloads");
            t.note(machine);
            t.print(c.out());
            if (c.cpu()) {
                for (Contender x : cs) {
                    if (x.procs != null) {
                        c.out().println(x.label + ": CPU and context switches per task, by JVM and thread group,"
                                + " over the measured runs");
                        x.cpu.describe((long) TASKS * c.runs(), "task").forEach(c.out()::println);
                    }
                }
            }
        } finally {
            Contender.closeAll(cs);
        }
    }

    static double[] rate(Body b) throws Exception {
        return new double[] {TASKS / seconds(b)};
    }

    static Object check(long sum) {
        if (sum != EXPECTED_SUM) {
            throw new IllegalStateException("wrong results: sum " + sum + ", expected " + EXPECTED_SUM);
        }
        return sum;
    }

    static Object scoopMap(DistributedExecutor ex, List<Integer> inputs) {
        long sum = 0;
        for (Iterator<Integer> it = ex.<Integer, Integer>map(x -> x + 1, inputs).iterator(); it.hasNext();) {
            sum += it.next();
        }
        return check(sum);
    }

    static Object scoopInvokeAll(DistributedExecutor ex, List<Callable<Integer>> tasks) throws Exception {
        long sum = 0;
        for (Future<Integer> f : ex.invokeAll(tasks)) {
            sum += f.get();
        }
        return check(sum);
    }

    /** As users write it: a plain lambda per task, through an {@code ExecutorService}-typed variable. */
    static Object invokeAllLambdas(ExecutorService es) throws Exception {
        List<Callable<Integer>> tasks = new ArrayList<>(TASKS);
        for (int k = 0; k < TASKS; k++) {
            int i = k;
            Callable<Integer> c = () -> i + 1;
            tasks.add(c);
        }
        long sum = 0;
        for (Future<Integer> f : es.invokeAll(tasks)) {
            sum += f.get();
        }
        return check(sum);
    }

    static Object invokeAllAnonymous(ExecutorService es) throws Exception {
        List<Callable<Integer>> tasks = new ArrayList<>(TASKS);
        for (int k = 0; k < TASKS; k++) {
            int i = k;
            tasks.add(new Callable<Integer>() {
                @Override
                public Integer call() {
                    return i + 1;
                }
            });
        }
        long sum = 0;
        for (Future<Integer> f : es.invokeAll(tasks)) {
            sum += f.get();
        }
        return check(sum);
    }

    static Object submitEachLambdas(ExecutorService es) throws Exception {
        List<Future<Integer>> fs = new ArrayList<>(TASKS);
        for (int k = 0; k < TASKS; k++) {
            int i = k;
            Callable<Integer> c = () -> i + 1;
            fs.add(es.submit(c));
        }
        long sum = 0;
        for (Future<Integer> f : fs) {
            sum += f.get();
        }
        return check(sum);
    }

    static Object submitEachAnonymous(ExecutorService es) throws Exception {
        List<Future<Integer>> fs = new ArrayList<>(TASKS);
        for (int k = 0; k < TASKS; k++) {
            int i = k;
            fs.add(es.submit(new Callable<Integer>() {
                @Override
                public Integer call() {
                    return i + 1;
                }
            }));
        }
        long sum = 0;
        for (Future<Integer> f : fs) {
            sum += f.get();
        }
        return check(sum);
    }

    static Object poolInvokeAll(ExecutorService p, List<Callable<Integer>> tasks) throws Exception {
        long sum = 0;
        for (Future<Integer> f : p.invokeAll(tasks)) {
            sum += f.get();
        }
        return check(sum);
    }

    static Object guarded(Watchdog wd, Body b) throws Exception {
        wd.begin();
        try {
            return b.run();
        } finally {
            wd.end();
        }
    }

    /** Something to time. */
    interface Body {
        Object run() throws Exception;
    }

    static double seconds(Body b) throws Exception {
        long t0 = System.nanoTime();
        Object keep = b.run();
        long t1 = System.nanoTime();
        if (keep == null) {
            throw new IllegalStateException();
        }
        return (t1 - t0) / 1e9;
    }
}
