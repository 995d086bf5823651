package io.scoop.bench;

import io.scoop.DistributedExecutor;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;

/**
 * The benchmark's entry point: runs the workloads W1 (throughput), W2 (latency), W3 (CPU-bound), W5
 * (startup) and LAMBDA (what a plain lambda costs against a serializable one), each against baselines
 * measured in the same run, and prints one
 * table per workload: median, min and max over the runs, and the ratio of each row to each baseline.
 *
 * <pre>
 *   mvn -q -B package -DskipTests     (from the repository's root)
 *   java -jar scoop-bench/target/scoop-bench.jar [W1|W2|W3|W5|LAMBDA|all ...] [--runs 5] [--warmup N]
 *        [--warmup-seconds S] [--worker-opts "default|-XX:+UseSerialGC"] [--w5-opts "A|B"] [--launcher PATH] [--quiet-wait S] [--no-cpu]
 * </pre>
 * <ul>
 *   <li>{@code --runs}: measured runs per row (default 5; fewer is refused: a median of fewer says little);
 *   <li>{@code --warmup}: unmeasured runs first (default: W1 3, W2 3, W3 2, W5 1), and
 *       {@code --warmup-seconds}: warm up at least that long (default: W1 and W2 8 s, W6 20 s, so that the JIT
 *       compilers are done before the measured runs; others 0);
 *   <li>{@code --worker-opts}: worker-JVM option sets for Scoop's executors in W1-W3, separated by {@code |},
 *       one row each ({@code default} = none); the JeroMQ baselines' workers use the first set;
 *   <li>{@code --w5-opts}: option sets for W5's embedded rows (root and workers), see {@link W5Startup};
 *   <li>{@code --launcher}: the launcher jar for W5 (default {@code scoop-launcher/target/scoop-launcher.jar});
 *   <li>{@code --quiet-wait S}: before each round of interleaved runs, wait up to S seconds (default 60, 0 = no
 *       wait) until other processes use less than 15% of a cpu; every table says how much CPU the other
 *       processes took while it was measured;
 *   <li>{@code --no-cpu}: leave out the per-thread CPU accounting read from {@code /proc}.
 * </ul>
 * See the javadoc of {@link W1Throughput}, {@link W2Latency}, {@link W3CpuBound}, {@link W5Startup} and {@link LambdaCost} for
 * what each measures and the table it prints. {@code jmh [args]} runs the JMH micro-benchmarks of the hot
 * pieces ({@code io.scoop.bench.jmh.CodecBench}, {@code io.scoop.broker.SchedulerBench}) with JMH's own
 * arguments. Hidden subcommands: {@code echo-worker ADDRESS NAME} (the JVM
 * of the JeroMQ baselines' workers) and {@code hold [--workers 2] [--idle S] [--busy S] [--worker-opts O]}
 * (starts an executor, prints its worker pids, idles, then keeps the workers busy with W3 tasks: for
 * {@code strace -f -c -p PID} from outside).
 */
public final class Bench {
    static final List<String> ALL = List.of("W1", "W2", "W3", "W4", "W5", "W6", "W7", "W8", "LAMBDA");

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("echo-worker")) {
            EchoCluster.workerMain(args[1], args[2], args.length > 3 && args[3].equals("crc"));
            return;
        }
        if (args.length > 0 && args[0].equals("pool-jvm")) {
            PoolJvm.main();
            return;
        }
        if (args.length > 0 && args[0].equals("lambda-first")) {
            LambdaCost.firstMain(args[1]);
            return;
        }
        if (args.length > 0 && args[0].equals("jmh")) {
            // The JMH micro-benchmarks (CodecBench, SchedulerBench); the rest of the arguments are JMH's.
            org.openjdk.jmh.Main.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("hold")) {
            hold(Arrays.copyOfRange(args, 1, args.length));
            System.exit(0);
        }
        List<String> workloads = new ArrayList<>();
        int runs = 5;
        Integer warmup = null;
        Double warmupSeconds = null;
        String workerOpts = "default";
        String w5Opts = W5Startup.DEFAULT_VARIANTS;
        Path launcher = null;
        boolean cpu = true;
        double quiet = 60;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--warmup-seconds" -> warmupSeconds = Double.parseDouble(args[++i]);
                case "--worker-opts" -> workerOpts = args[++i];
                case "--w5-opts" -> w5Opts = args[++i];
                case "--launcher" -> launcher = Path.of(args[++i]).toAbsolutePath();
                case "--no-cpu" -> cpu = false;
                case "--quiet-wait" -> quiet = Double.parseDouble(args[++i]);
                case "-h", "--help" -> {
                    usage(System.out);
                    return;
                }
                default -> {
                    String w = args[i].toUpperCase();
                    if (w.equals("ALL")) {
                        workloads.addAll(ALL);
                    } else if (ALL.contains(w)) {
                        workloads.add(w);
                    } else {
                        System.err.println("unknown argument: " + args[i]);
                        usage(System.err);
                        System.exit(2);
                    }
                }
            }
        }
        if (workloads.isEmpty()) {
            workloads.addAll(List.of("W1", "W2", "W3", "W5"));
        }
        if (runs < 5) {
            System.err.println("--runs must be at least 5: each figure is the median of at least 5 runs after warm-up");
            System.exit(2);
        }
        List<String> variants = Arrays.stream(workerOpts.split("\\|")).map(String::trim).toList();
        PrintStream out = System.out;
        out.println("scoop-bench " + LocalDateTime.now().truncatedTo(ChronoUnit.SECONDS) + " on "
                + InetAddress.getLocalHost().getHostName() + ": " + Runtime.getRuntime().availableProcessors()
                + " cpus, " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + ", " + System.getProperty("os.name") + " " + System.getProperty("os.version") + ", load "
                + Jvm.loadAverage());
        out.println("scoop-core classes measured: sha256 " + coreFingerprint() + " (io/scoop/** outside io/scoop/bench"
                + " in " + Jvm.benchJar() + ")");
        out.println("zmq.Signaler loaded from " + codeSource("zmq.Signaler") + " (JeroMQ " + codeSource("zmq.ZMQ") + ")");
        for (String w : workloads) {
            int wu = warmup != null ? warmup : switch (w) {
                case "W1", "W2" -> 3;
                case "W3" -> 2;
                default -> 1;
            };
            double ws = warmupSeconds != null ? warmupSeconds : switch (w) {
                case "W1", "W2" -> 8.0;
                case "W6" -> 20.0; // the inline path's JIT compilation takes about 100,000 futures per worker
                default -> 0.0;
            };
            Config c = new Config(runs, wu, ws, variants, launcher, quiet, cpu, out);
            System.gc(); // each workload starts from a collected heap, not from the garbage of the one before
            System.gc();
            switch (w) {
                case "W1" -> W1Throughput.run(c);
                case "W2" -> W2Latency.run(c);
                case "W3" -> W3CpuBound.run(c);
                case "W4" -> W4Payload.run(c);
                case "W6" -> W6Nested.run(c);
                case "W7" -> W7Scale.run(c);
                case "W8" -> W8Shared.run(c);
                case "W5" -> W5Startup.run(c, w5Opts);
                case "LAMBDA" -> LambdaCost.run(c);
                default -> throw new IllegalArgumentException(w);
            }
            out.println("(load after " + w + ": " + Jvm.loadAverage() + ")");
        }
        System.exit(0);
    }

    private static void usage(PrintStream s) {
        s.println("usage: java -jar scoop-bench.jar [W1..W8|LAMBDA|all ...] [--runs 5] [--warmup N] [--warmup-seconds S]"
                + " [--worker-opts \"default|-XX:+UseSerialGC\"] [--w5-opts \"A|B\"] [--launcher PATH] [--quiet-wait S] [--no-cpu]");
        s.println("       java -jar scoop-bench.jar jmh [JMH's arguments, e.g. CodecBench or SchedulerBench]");
    }

    static String codeSource(String className) {
        try {
            return String.valueOf(Class.forName(className).getProtectionDomain().getCodeSource().getLocation());
        } catch (ReflectiveOperationException | RuntimeException e) {
            return "?";
        }
    }

    /** A short hash of the scoop-core classes in the jar, so that figures can be tied to a build. */
    static String coreFingerprint() {
        Path jar = Jvm.benchJar();
        if (jar == null) {
            return "?";
        }
        try (java.util.jar.JarFile jf = new java.util.jar.JarFile(jar.toFile())) {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            List<java.util.jar.JarEntry> entries = jf.stream()
                    .filter(e -> e.getName().startsWith("io/scoop/") && !e.getName().startsWith("io/scoop/bench/")
                            && !e.getName().contains("/jmh_generated/") && !e.getName().contains("Bench")
                            && e.getName().endsWith(".class"))
                    .sorted(java.util.Comparator.comparing(java.util.jar.JarEntry::getName)).toList();
            for (java.util.jar.JarEntry e : entries) {
                md.update(e.getName().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                try (java.io.InputStream in = jf.getInputStream(e)) {
                    md.update(in.readAllBytes());
                }
            }
            return java.util.HexFormat.of().formatHex(md.digest()).substring(0, 12) + ", " + entries.size() + " classes";
        } catch (Exception e) {
            return "? (" + e + ")";
        }
    }

    /** Waits until the broker counts {@code n} workers (its heartbeat says so within a second of them joining). */
    static void awaitWorkers(DistributedExecutor ex, int n) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (ex.workerCount() < n) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + ex.workerCount() + " of " + n + " workers joined in 60 s: " + ex);
            }
            Thread.sleep(20);
        }
    }

    /** This JVM as "root", then the given processes. */
    static Map<Long, String> withSelf(Map<Long, String> others) {
        Map<Long, String> m = new LinkedHashMap<>();
        m.put(ProcessHandle.current().pid(), "root");
        m.putAll(others);
        return m;
    }

    static String target(Table.Row r, String what, boolean met) {
        return "target: " + r.label() + " " + what + ": " + (met ? "MET" : "NOT MET") + " (median "
                + Stats.num(r.median()) + " " + r.unit() + ")";
    }

    private static void hold(String[] args) throws Exception {
        int workers = 2;
        double idle = 10;
        double busy = 10;
        String opts = "";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--workers" -> workers = Integer.parseInt(args[++i]);
                case "--idle" -> idle = Double.parseDouble(args[++i]);
                case "--busy" -> busy = Double.parseDouble(args[++i]);
                case "--worker-opts" -> opts = args[++i];
                default -> throw new IllegalArgumentException(args[i]);
            }
        }
        int points = W3CpuBound.calibrate();
        var before = Jvm.children();
        try (DistributedExecutor ex = DistributedExecutor.builder().workers(workers)
                .jvmOptions(Jvm.options(opts).toArray(String[]::new)).build()) {
            awaitWorkers(ex, workers);
            List<Callable<Long>> warm = new ArrayList<>();
            for (int i = 0; i < 20 * workers; i++) {
                warm.add(new Tasks.Pi(i, points));
            }
            for (Future<Long> f : ex.invokeAll(warm)) {
                f.get();
            }
            StringBuilder pids = new StringBuilder("PIDS root=" + ProcessHandle.current().pid());
            Jvm.newChildren(before).forEach((pid, name) -> pids.append(' ').append(name).append('=').append(pid));
            System.out.println(pids);
            System.out.println("PHASE idle " + idle + " s");
            System.out.flush();
            Thread.sleep((long) (idle * 1000));
            System.out.println("PHASE busy " + busy + " s (" + points + " points a task)");
            System.out.flush();
            long end = System.nanoTime() + (long) (busy * 1e9);
            int seed = 0;
            while (System.nanoTime() < end) {
                List<Callable<Long>> batch = new ArrayList<>();
                for (int i = 0; i < 10 * workers; i++) {
                    batch.add(new Tasks.Pi(seed++, points));
                }
                for (Future<Long> f : ex.invokeAll(batch)) {
                    f.get();
                }
            }
            System.out.println("PHASE done");
            System.out.flush();
        }
    }
}
