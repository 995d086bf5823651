package io.scoop.bench;

import io.scoop.DistributedExecutor;
import io.scoop.wire.KryoCodec;
import java.io.Serializable;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * What shipping a plain lambda costs against a serializable one (and an anonymous class), the way users
 * build them: {@code java -jar scoop-bench.jar LAMBDA [--runs 5]}. Three tables:
 * <ol>
 *   <li><b>first submit</b>: in a fresh JVM each run, the time to encode the first task of its kind (a plain
 *       lambda: the defining class's class file read and its call site found; a serializable lambda: its
 *       {@code writeReplace}; an anonymous class: Kryo's reflection on it), microseconds;
 *   <li><b>per task, encoding only</b>: nanoseconds to encode one more task of each kind, in this JVM, warm;
 *   <li><b>end to end</b>: {@code invokeAll} of 20,000 tasks {@code () -> i + 1} built in the timed region
 *       (as a plain lambda through an {@code ExecutorService} variable, as a serializable lambda, as an
 *       anonymous class), 2 workers, tasks/s, interleaved.
 * </ol>
 * The plain lambda's row is the one to read against the serializable one's: the ratio is the overhead of not
 * asking users to write {@code Serializable}.
 */
final class LambdaCost {
    static final int TASKS = 20_000;
    static final int ENCODES = 200_000;

    private LambdaCost() {
    }

    /** The three kinds, each building a task for input {@code i}. */
    enum Kind {
        PLAIN("plain lambda (Callable)") {
            @Override
            Callable<Integer> task(int i) {
                Callable<Integer> c = () -> i + 1;
                return c;
            }
        },
        SERIALIZABLE("serializable lambda") {
            @Override
            Callable<Integer> task(int i) {
                return (Callable<Integer> & Serializable) () -> i + 1;
            }
        },
        ANONYMOUS("anonymous class") {
            @Override
            Callable<Integer> task(int i) {
                return new Callable<>() {
                    @Override
                    public Integer call() {
                        return i + 1;
                    }
                };
            }
        };

        final String label;

        Kind(String label) {
            this.label = label;
        }

        abstract Callable<Integer> task(int i);
    }

    /** In a fresh JVM: microseconds to encode the first task of {@code kind}, printed alone on a line. */
    static void firstMain(String kind) {
        Callable<Integer> task = Kind.valueOf(kind).task(1);
        long t0 = System.nanoTime();
        KryoCodec.encode(42); // Kryo itself warmed, so that only the task's own first cost is timed
        long t1 = System.nanoTime();
        KryoCodec.encode(task);
        long t2 = System.nanoTime();
        System.out.println((t2 - t1) / 1000.0 + " " + (t1 - t0) / 1000.0);
    }

    static void run(Config c) throws Exception {
        String when = LocalDateTime.now().truncatedTo(ChronoUnit.MINUTES) + ", load " + Jvm.loadAverage();
        firstSubmit(c, when);
        perTask(c, when);
        endToEnd(c, when);
    }

    private static void firstSubmit(Config c, String when) throws Exception {
        Table t = new Table("LAMBDA first submit: encoding the first task of its kind in a fresh JVM, " + c.runs()
                + " JVMs each, interleaved (" + when + ")");
        List<Contender> cs = new ArrayList<>();
        for (Kind k : Kind.values()) {
            cs.add(new Contender(k.label, () -> new double[] {fresh(k)}, null, null));
        }
        Contender.interleave(c, cs);
        print(c, t, cs, "us", false);
    }

    /** One row per kind (in the order of {@link Kind}), the serializable lambda's as the baseline. */
    private static void print(Config c, Table t, List<Contender> cs, String unit, boolean higherIsBetter) {
        Table.Row base = null;
        for (int i = 0; i < cs.size(); i++) {
            Table.Row r = t.add(cs.get(i).label, unit, higherIsBetter, cs.get(i).metric(0));
            if (Kind.values()[i] == Kind.SERIALIZABLE) {
                base = r;
            }
        }
        t.baseline("serializable", base);
        t.print(c.out());
    }

    private static double fresh(Kind k) throws Exception {
        Process p = new ProcessBuilder(Jvm.java(), "-cp", System.getProperty("java.class.path"),
                Bench.class.getName(), "lambda-first", k.name()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("lambda-first " + k + " failed: " + out);
        }
        String[] lines = out.split("\n");
        return Double.parseDouble(lines[lines.length - 1].trim().split(" ")[0]);
    }

    private static void perTask(Config c, String when) throws Exception {
        Table t = new Table("LAMBDA per task: encoding one more task (built in the loop), " + ENCODES
                + " per run, warm, " + c.runs() + " interleaved runs (" + when + ")");
        List<Contender> cs = new ArrayList<>();
        for (Kind k : Kind.values()) {
            cs.add(new Contender(k.label, () -> {
                long bytes = 0;
                long t0 = System.nanoTime();
                for (int i = 0; i < ENCODES; i++) {
                    bytes += KryoCodec.encode(k.task(i)).length;
                }
                long ns = System.nanoTime() - t0;
                if (bytes == 0) {
                    throw new IllegalStateException();
                }
                return new double[] {(double) ns / ENCODES, (double) bytes / ENCODES};
            }, null, null));
        }
        Contender.interleave(c, cs);
        Table.Row base = null;
        for (int i = 0; i < cs.size(); i++) {
            Contender x = cs.get(i);
            Table.Row r = t.add(x.label + String.format(java.util.Locale.ROOT, " (%.0f bytes)", x.metric(1)[0]),
                    "ns/task", false, x.metric(0));
            if (Kind.values()[i] == Kind.SERIALIZABLE) {
                base = r;
            }
        }
        t.baseline("serializable", base);
        t.print(c.out());
    }

    private static void endToEnd(Config c, String when) throws Exception {
        Table t = new Table("LAMBDA end to end: invokeAll of " + TASKS + " tasks () -> i + 1 built in the timed region,"
                + " 2 workers, " + c.runs() + " interleaved runs (" + when + ")");
        DistributedExecutor ex = DistributedExecutor.builder().workers(2).build();
        List<Contender> cs = new ArrayList<>();
        try {
            Bench.awaitWorkers(ex, 2);
            ExecutorService es = ex;
            for (Kind k : Kind.values()) {
                cs.add(new Contender(k.label, () -> W1Throughput.rate(() -> {
                    List<Callable<Integer>> tasks = new ArrayList<>(TASKS);
                    for (int i = 0; i < TASKS; i++) {
                        tasks.add(k.task(i));
                    }
                    long sum = 0;
                    for (Future<Integer> f : es.invokeAll(tasks)) {
                        sum += f.get();
                    }
                    return W1Throughput.check(sum);
                }), null, null));
            }
            Contender.interleave(c, cs);
            print(c, t, cs, "tasks/s", true);
        } finally {
            ex.shutdownNow();
        }
    }
}
