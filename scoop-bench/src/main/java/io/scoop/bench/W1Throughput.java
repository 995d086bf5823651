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
 * reported in tasks/s: Scoop's {@code map}; {@code invokeAll}, submit-each-then-get and the jsr166
 * {@code ExecutorCompletionService} loop of tasks built in the timed region as users write them (plain lambdas,
 * anonymous classes) and of pre-built named tasks; against two baselines measured in the same run: raw
 * JeroMQ echo through a ROUTER broker with 2 DEALER workers in separate JVMs, one message per task and at most
 * 1,000 in flight ({@link EchoCluster}), and {@code Executors.newFixedThreadPool(2)} (its {@code invokeAll}
 * and its completion-service loop).
 *
 * <p>Run it:
 * <pre>
 *   mvn -q -B package -DskipTests
 *   java -jar scoop-bench/target/scoop-bench.jar W1 [--runs 5] [--warmup 3] [--worker-opts "default|-XX:+UseSerialGC"]
 * </pre>
 * Each measurement first makes its executor (or echo cluster, or pool) and waits for its workers, then warms
 * up ({@code --warmup} runs and at least 8 s), then runs {@code --runs} measured ones; all rows run
 * interleaved (see {@link Contender}). A run is timed from the first call to the last result collected and
 * checked (the sum of the results). Measured 2026-12-02 on the 2-cpu VM (abridged):
 * <pre>
 * scoop map, lambda x -&gt; x + 1                                      1,775,402  tasks/s
 * scoop invokeAll, plain lambdas built in the run                      70,899  tasks/s
 * scoop invokeAll, anonymous classes built in the run                 109,740  tasks/s
 * scoop ExecutorCompletionService loop, plain lambdas                  76,407  tasks/s
 * jeromq echo (ROUTER + 2 DEALER JVMs, 1 msg/task)                    347,980  tasks/s
 * pool(2) ExecutorCompletionService loop, plain lambdas             4,114,260  tasks/s
 * </pre>
 * followed, unless {@code --no-cpu}, by the CPU time and wake-ups per task of each thread group of the root
 * JVM and of the worker JVMs, from {@code /proc}.
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
        List<Contender> completions = new ArrayList<>();
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
                Contender ecs = new Contender("scoop ExecutorCompletionService loop, plain lambdas" + v.label(),
                        () -> rate(() -> guarded(wd, () -> completionServiceLambdas(es))), procs, null);
                completions.add(ecs);
                for (Contender x : List.of(m, invLambda, invAnon, subLambda, subAnon, inv, ecs)) {
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
            Contender poolEcs = new Contender("pool(2) ExecutorCompletionService loop, plain lambdas",
                    () -> rate(() -> completionServiceLambdas(p)), null, null);
            cs.add(poolEcs);

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
                t.note(Bench.target(r, ">= 100,000 tasks/s (Hazelcast: 36,000)", r.median() >= 100_000));
            }
            for (Contender x : completions) {
                Table.Row r = rows.get(x);
                double times = rows.get(poolEcs).median() / r.median();
                t.note(Bench.target(r, String.format(java.util.Locale.ROOT, "within 10x of pool(2)'s loop (here %.1fx)",
                        times), times <= 10));
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

    /**
     * The jsr166 {@code ExecutorCompletionService} pattern: submit every task through the completion service,
     * then take each result as it completes.
     */
    static Object completionServiceLambdas(ExecutorService es) throws Exception {
        java.util.concurrent.ExecutorCompletionService<Integer> ecs = new java.util.concurrent.ExecutorCompletionService<>(es);
        for (int k = 0; k < TASKS; k++) {
            int i = k;
            ecs.submit(() -> i + 1);
        }
        long sum = 0;
        for (int k = 0; k < TASKS; k++) {
            sum += ecs.take().get();
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
