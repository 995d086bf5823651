package io.scoop.bench;

import io.scoop.DistributedExecutor;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.zip.CRC32;
import org.zeromq.ZMQ;

/**
 * W4 payload: 500 tasks, each taking a 1 MiB {@code byte[]} and returning its CRC32, 2 workers, in MiB/s of
 * payload moved to the workers (500 MiB a run), against baselines in the same run: raw JeroMQ moving the
 * same bytes ({@link EchoCluster} whose workers answer each 1 MiB message with its 8-byte CRC32, at most
 * {@value #ECHO_WINDOW} messages in flight), and the compute alone (the 500 checksums through
 * {@code newFixedThreadPool(2)} in a fresh JVM, {@link PoolJvm}: no transport at all).
 *
 * <p>Run it:
 * <pre>
 *   java -jar scoop-bench/target/scoop-bench.jar W4 [--runs 5] [--warmup 2] [--worker-opts "default|-XX:+UseSerialGC"]
 * </pre>
 * Scoop's rows: {@code map(b -> crc(b), iterator)} over an iterator that hands out the arrays (streamed: Scoop
 * keeps a bounded window in flight), and {@code invokeAll} of 500 plain lambdas {@code () -> crc(array)} built
 * in the timed region. The map input cycles through {@value #DISTINCT} distinct arrays of random bytes (so that
 * the root does not hold 500 MiB of input), but every item ships its own 1 MiB (map items are never sent by
 * key). The invokeAll lambdas each capture an array of their own (500 MiB held at the root, as invokeAll's
 * caller holds its tasks); a last row has them capture the {@value #DISTINCT} arrays in turn, which Scoop sends
 * once each (by key), to show what that saves. Every run checks the sum of the
 * checksums. It prints one table (median, min and max MiB/s over the interleaved runs, ratios to the JeroMQ
 * baseline and to the compute alone), and with {@code --cpu} the CPU time per task of every thread group.
 */
final class W4Payload {
    static final int TASKS = 500;
    static final int SIZE = 1 << 20;
    static final int DISTINCT = 4;
    static final int WORKERS = 2;
    static final int ECHO_WINDOW = 8;

    private W4Payload() {
    }

    /** The {@code i}-th distinct payload: 1 MiB of random bytes, seed {@code i}. */
    static byte[] payload(int i) {
        byte[] b = new byte[SIZE];
        SplittableRandom r = new SplittableRandom(i);
        for (int k = 0; k < SIZE; k += 8) {
            long v = r.nextLong();
            for (int j = 0; j < 8; j++) {
                b[k + j] = (byte) (v >>> (8 * j));
            }
        }
        return b;
    }

    static long crc(byte[] b) {
        CRC32 c = new CRC32();
        c.update(b, 0, b.length);
        return c.getValue();
    }

    static double[] rate(W1Throughput.Body b) throws Exception {
        return new double[] {TASKS * (double) SIZE / (1 << 20) / W1Throughput.seconds(b)};
    }

    static void run(Config c) throws Exception {
        String when = LocalDateTime.now().truncatedTo(ChronoUnit.MINUTES) + ", load " + Jvm.loadAverage();
        byte[][] payloads = new byte[DISTINCT][];
        long expected = 0;
        for (int i = 0; i < DISTINCT; i++) {
            payloads[i] = payload(i);
        }
        for (int i = 0; i < TASKS; i++) {
            expected += crc(payloads[i % DISTINCT]);
        }
        final long sum = expected;
        // For invokeAll, every task captures an array of its own (same bytes as the cycle above but for its first
        // eight, which hold its index): arrays that several tasks capture are sent once, by key, which is not
        // what this row measures; the row after it does that.
        byte[][] own = new byte[TASKS][];
        long ownExpected = 0;
        for (int i = 0; i < TASKS; i++) {
            own[i] = payloads[i % DISTINCT].clone();
            for (int j = 0; j < 8; j++) {
                own[i][j] = (byte) (i >>> (8 * j));
            }
            ownExpected += crc(own[i]);
        }
        final long ownSum = ownExpected;
        Table t = new Table("W4 payload: " + TASKS + " tasks x 1 MiB byte[] -> CRC32, " + WORKERS + " workers, "
                + c.runs() + " interleaved runs after " + c.warmup() + "+ warm-up runs (" + when + ")");
        List<Contender> cs = new ArrayList<>();
        PoolJvm fresh = null;
        try {
            for (String spec : c.workerOptions()) {
                Variant v = Variant.parse(spec);
                var before = Jvm.children();
                DistributedExecutor ex = v.executor(WORKERS);
                Bench.awaitWorkers(ex, WORKERS);
                Map<Long, String> procs = Bench.withSelf(Jvm.newChildren(before));
                Watchdog wd = new Watchdog(ex, 15000);
                cs.add(new Contender("scoop map(b -> crc(b), iterator)" + v.label(),
                        () -> rate(() -> W1Throughput.guarded(wd, () -> check(sum, scoopMap(ex, payloads)))), procs,
                        null));
                cs.add(new Contender("scoop invokeAll, plain lambdas built in the run" + v.label(),
                        () -> rate(() -> W1Throughput.guarded(wd, () -> check(ownSum, invokeAll(ex, own)))), procs,
                        ex).watchdog(wd));
                cs.add(new Contender("scoop invokeAll, " + DISTINCT + " arrays each captured by " + TASKS / DISTINCT
                        + " tasks (sent once)" + v.label(),
                        () -> rate(() -> W1Throughput.guarded(wd, () -> check(sum, invokeAll(ex, payloads)))), procs,
                        null).watchdog(wd));
            }
            EchoCluster cluster = new EchoCluster(WORKERS, Variant.parse(c.workerOptions().get(0)).jvmOptions(), true);
            ZMQ.Socket client = cluster.client(false);
            Map<Long, String> procs = new java.util.LinkedHashMap<>();
            procs.put(ProcessHandle.current().pid(), "root");
            int k = 0;
            for (Process p : cluster.workerProcesses()) {
                procs.put(p.pid(), "w" + (++k));
            }
            Contender echo = new Contender("jeromq (ROUTER + 2 DEALER JVMs, 1 msg/task, " + ECHO_WINDOW
                    + " in flight)", () -> rate(() -> check(sum, EchoCluster.pipelineCrc(client, TASKS, ECHO_WINDOW,
                            payloads))), procs, () -> {
                                client.close();
                                cluster.close();
                            });
            cs.add(echo);
            PoolJvm pj = new PoolJvm(Variant.parse(c.workerOptions().get(0)).jvmOptions());
            fresh = pj;
            long one = crc(payloads[0]);
            Contender pool = new Contender("compute alone: pool(2), fresh JVM, no transport", () -> {
                String[] a = pj.ask("crc " + TASKS);
                if (Long.parseLong(a[3]) != one * TASKS) {
                    throw new IllegalStateException("pool JVM: wrong checksums " + a[3]);
                }
                return new double[] {TASKS * (double) SIZE / (1 << 20) / (Double.parseDouble(a[1]) / 1000)};
            }, null, pj);
            cs.add(pool);

            String machine = Contender.interleave(c, cs);

            Map<Contender, Table.Row> rows = new java.util.HashMap<>();
            for (Contender x : cs) {
                rows.put(x, t.add(x.label, "MiB/s", true, x.metric(0)));
            }
            t.baseline("jeromq", rows.get(echo));
            t.baseline("compute", rows.get(pool));
            for (Contender x : cs) {
                if (x.label.startsWith("scoop map")) {
                    Table.Row r = rows.get(x);
                    t.note(Bench.target(r, ">= 1,000 MiB/s (Hazelcast 154 MB/s)", r.median() >= 1000));
                }
            }
            t.note("MiB/s: MiB of payload sent to the workers per second (500 MiB a run; results are 8 bytes); in the"
                    + " row of " + DISTINCT + " arrays, MiB the tasks captured (each array travels to the broker once"
                    + " and once to each worker that needs it: what Scoop saves, not its transport)");
            t.note("jeromq: client DEALER over inproc to a ROUTER broker thread in this JVM, TCP loopback to the"
                    + " workers, as Scoop's embedded topology");
            t.note(machine);
            t.print(c.out());
            if (c.cpu()) {
                for (Contender x : cs) {
                    if (x.procs != null && !x.results.isEmpty()) {
                        c.out().println(x.label + ": CPU and context switches per task, by JVM and thread group,"
                                + " over the measured runs");
                        x.cpu.describe((long) TASKS * c.runs(), "task").forEach(c.out()::println);
                    }
                }
            }
        } finally {
            Contender.closeAll(cs);
            if (fresh != null) {
                fresh.close();
            }
        }
    }

    static Object check(long expected, long sum) {
        if (sum != expected) {
            throw new IllegalStateException("W4: checksum sum " + sum + ", expected " + expected);
        }
        return sum;
    }

    static long scoopMap(DistributedExecutor ex, byte[][] payloads) {
        Iterator<byte[]> in = new Iterator<>() {
            int i;

            @Override
            public boolean hasNext() {
                return i < TASKS;
            }

            @Override
            public byte[] next() {
                return payloads[i++ % DISTINCT];
            }
        };
        long sum = 0;
        for (Iterator<Long> it = ex.<byte[], Long>map(b -> crc(b), in).iterator(); it.hasNext();) {
            sum += it.next();
        }
        return sum;
    }

    static long invokeAll(ExecutorService ex, byte[][] payloads) throws Exception {
        List<Callable<Long>> tasks = new ArrayList<>(TASKS);
        for (int i = 0; i < TASKS; i++) {
            byte[] b = payloads[i % payloads.length];
            Callable<Long> task = () -> crc(b);
            tasks.add(task);
        }
        long sum = 0;
        for (Future<Long> f : ex.invokeAll(tasks)) {
            sum += f.get();
        }
        return sum;
    }
}
