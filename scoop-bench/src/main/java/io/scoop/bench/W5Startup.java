package io.scoop.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * W5 startup: the time from starting {@code java -jar scoop-launcher/target/scoop-launcher.jar -n 2 APP} to
 * the first result the application prints ({@link FirstResultApp}: one trivial task, {@code RESULT 42}), read
 * from the child's stdout, against {@code java -version} (a bare JVM start and exit) in the same run. Also
 * measured, whether or not the launcher exists: the embedded default, {@code java -cp scoop-bench.jar
 * io.scoop.bench.FirstResultApp} (a broker in that JVM and 2 forked worker JVMs), with default JVM options and
 * with option sets applied to every JVM involved ({@code --w5-opts}, separated by {@code |}; under the launcher
 * through its {@code --jvm-opt=} and {@code --root-jvm-opt=}), each next to {@code java OPTIONS -version}; the
 * set {@code appcds} means dynamic AppCDS archives ({@code -XX:ArchiveClassesAtExit}) made by one training run,
 * one archive per kind of JVM.
 *
 * <p>Run it:
 * <pre>
 *   java -jar scoop-bench/target/scoop-bench.jar W5 [--runs 5] [--warmup 1] [--launcher PATH]
 *        [--w5-opts "-XX:TieredStopAtLevel=1|-XX:+UseSerialGC|-XX:TieredStopAtLevel=1 -XX:+UseSerialGC|-Xshare:off|appcds"]
 * </pre>
 * The launcher is looked for at {@code scoop-launcher/target/scoop-launcher.jar} next to this jar's module (or
 * {@code --launcher}); when it is missing its row is skipped with a message. If its {@code --help} mentions
 * {@code --main}, the app is {@code scoop-bench.jar --main io.scoop.bench.FirstResultApp}; otherwise
 * {@code scoop-bench-app.jar}, whose Main-Class is FirstResultApp. A run counts from {@code ProcessBuilder.start}
 * to the {@code RESULT} line; the process is then waited for. It prints (measured 2026-11-22 on the 2-cpu VM,
 * some rows left out):
 * <pre>
 * W5 startup: seconds from process start to the first result, 5 runs after 1 warm-up, rows interleaved (2026-11-22T05:57, ...)
 *                                                                       median    min    max  unit     vs java -version
 * java -version                                                           0.04   0.04   0.05  s              1 (base)
 * embedded (FirstResultApp, 2 workers)                                    0.58   0.45   0.60  s                0.077x
 * launcher -n 2                                                           0.75   0.73   0.96  s                0.060x
 * embedded [-XX:TieredStopAtLevel=1 -XX:+UseSerialGC: root and workers]   0.42   0.42   0.54  s                0.106x
 * launcher -n 2 [-XX:TieredStopAtLevel=1 -XX:+UseSerialGC: launcher, root, workers]  0.63  0.57  0.88  s       0.071x
 * embedded [appcds: root and workers]                                     0.31   0.29   0.32  s                0.146x
 * launcher -n 2 [appcds: launcher, root, workers]                         0.56   0.45   0.58  s                0.080x
 *   embedded (FirstResultApp, 2 workers): split (medians): JVM start to main 45 ms, main to executor built 197 ms, executor to result 298 ms
 *   launcher -n 2: split (medians): JVM start to main 395 ms, main to executor built 274 ms, executor to result 102 ms
 *   target: launcher -n 2 &lt; 1.0 s (Hazelcast 7.9 s): MET (median 0.75 s)
 *   ...
 * </pre>
 * and for the embedded rows the split: JVM start to main, main to executor built, executor to result.
 */
final class W5Startup {
    static final String APP = FirstResultApp.class.getName();
    static final String DEFAULT_VARIANTS =
            "-XX:TieredStopAtLevel=1|-XX:+UseSerialGC|-XX:TieredStopAtLevel=1 -XX:+UseSerialGC|-Xshare:off|appcds";

    private W5Startup() {
    }

    /** One timed start: seconds to the marker line, and the app's own split if it printed one. */
    record Start(double seconds, long spawnMillis, long[] times, String failure) {
    }

    static Start start(List<String> cmd, String marker) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        long spawn = System.currentTimeMillis();
        long t0 = System.nanoTime();
        Process p = pb.start();
        Deque<String> err = new ArrayDeque<>();
        Thread errPump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (err) {
                        err.addLast(line);
                        if (err.size() > 40) {
                            err.removeFirst();
                        }
                    }
                }
            } catch (IOException e) {
                // ended
            }
        }, "w5-stderr");
        errPump.setDaemon(true);
        errPump.start();
        double seconds = Double.NaN;
        List<String> outLines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (marker == null || line.startsWith(marker)) {
                    seconds = (System.nanoTime() - t0) / 1e9;
                    break;
                }
                if (outLines.size() < 20) {
                    outLines.add(line);
                }
            }
            if (marker == null && Double.isNaN(seconds)) {
                // java -version writes to stderr: the time is the exit
                p.waitFor();
                seconds = (System.nanoTime() - t0) / 1e9;
            }
            // keep draining stdout until exit, so the child never blocks on a full pipe
            Thread drain = new Thread(() -> {
                try {
                    r.transferTo(java.io.Writer.nullWriter());
                } catch (IOException e) {
                    // ended
                }
            });
            drain.setDaemon(true);
            drain.start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                return new Start(Double.NaN, spawn, null, "did not exit within 60 s of its first result");
            }
        }
        errPump.join(2000);
        long[] times = null;
        String failure = null;
        synchronized (err) {
            for (String l : err) {
                if (l.startsWith("TIMES ")) {
                    times = new long[3];
                    String[] f = l.substring(6).split(" ");
                    for (int i = 0; i < 3; i++) {
                        times[i] = Long.parseLong(f[i].substring(f[i].indexOf('=') + 1));
                    }
                }
            }
            if (Double.isNaN(seconds) || p.exitValue() != 0) {
                failure = "exit code " + p.exitValue() + "; stdout: " + outLines + "; stderr tail: " + String.join(" | ", err);
            }
        }
        return new Start(seconds, spawn, times, failure);
    }

    static Path defaultLauncher() {
        Path jar = Jvm.benchJar();
        if (jar != null) {
            // scoop-bench/target/scoop-bench.jar -> scoop-launcher/target/scoop-launcher.jar
            Path root = jar.getParent().getParent().getParent();
            return root.resolve("scoop-launcher").resolve("target").resolve("scoop-launcher.jar");
        }
        return Path.of("scoop-launcher", "target", "scoop-launcher.jar").toAbsolutePath();
    }

    private static final class Measured {
        final String label;
        final List<String> cmd;
        final String marker;
        final double[] runs;
        final List<long[]> splits = new ArrayList<>();
        String failure;

        Measured(String label, List<String> cmd, String marker, int n) {
            this.label = label;
            this.cmd = cmd;
            this.marker = marker;
            this.runs = new double[n];
        }
    }

    /** How to start the app under the launcher, as far as its --help tells. */
    private record LauncherCli(Path jar, boolean main, boolean jvmOpt, boolean rootJvmOpt) {
        List<String> command(String java, Path benchJar, List<String> launcherOpts, List<String> rootOpts,
                List<String> workerOpts) {
            List<String> cmd = new ArrayList<>();
            cmd.add(java);
            cmd.addAll(launcherOpts);
            cmd.addAll(List.of("-jar", jar.toString(), "-n", "2"));
            for (String o : workerOpts) {
                cmd.add("--jvm-opt=" + o);
            }
            for (String o : rootOpts) {
                cmd.add("--root-jvm-opt=" + o);
            }
            if (main) {
                cmd.addAll(List.of("--main", APP, benchJar.toString()));
            } else {
                cmd.add(benchJar.resolveSibling("scoop-bench-app.jar").toString());
            }
            return cmd;
        }

        String label(String variant) {
            return "launcher -n 2" + (variant == null ? "" : " [" + variant + ": launcher, root, workers]");
        }
    }

    static void run(Config c, String variantSpec) throws Exception {
        String when = LocalDateTime.now().truncatedTo(ChronoUnit.MINUTES) + ", load " + Jvm.loadAverage();
        Path jar = Jvm.benchJar();
        if (jar == null) {
            c.out().println("W5 SKIPPED: needs scoop-bench.jar (run it with java -jar scoop-bench/target/scoop-bench.jar)");
            return;
        }
        String java = Jvm.java();
        Path launcherJar = c.launcher() != null ? c.launcher() : defaultLauncher();
        LauncherCli launcher = null;
        String launcherNote;
        if (Files.isRegularFile(launcherJar)) {
            String help = help(java, launcherJar);
            launcher = new LauncherCli(launcherJar, help.contains("--main"), help.contains("--jvm-opt"),
                    help.contains("--root-jvm-opt"));
            launcherNote = "launcher -n 2 = " + String.join(" ", launcher.command(java, jar, List.of(), List.of(), List.of()))
                    + "; options go to every JVM with --jvm-opt= and --root-jvm-opt=";
        } else {
            launcherNote = "launcher: SKIPPED: " + launcherJar + " does not exist (the launcher module is not built"
                    + " yet); only the embedded start is measured";
            c.out().println("W5: " + launcherNote);
        }
        List<Measured> ms = new ArrayList<>();
        ms.add(new Measured("java -version", List.of(java, "-version"), null, c.runs()));
        ms.add(new Measured("embedded (FirstResultApp, 2 workers)",
                List.of(java, "-cp", jar.toString(), APP), "RESULT", c.runs()));
        if (launcher != null) {
            ms.add(new Measured(launcher.label(null), launcher.command(java, jar, List.of(), List.of(), List.of()),
                    "RESULT", c.runs()));
        }
        for (String v : variantSpec.split("\\|")) {
            v = v.trim();
            if (v.isEmpty() || v.equals("default")) {
                continue;
            }
            List<String> base = new ArrayList<>();
            base.add(java);
            base.addAll(Jvm.options(v.equals("appcds") ? "" : v));
            base.add("-version");
            if (!v.equals("appcds")) {
                ms.add(new Measured("java " + v + " -version", base, null, c.runs()));
            }
            Roles emb = v.equals("appcds") ? appCdsEmbedded(java, jar, c)
                    : new Roles(Jvm.options(v), Jvm.options(v), Jvm.options(v));
            if (emb != null) {
                List<String> cmd = new ArrayList<>();
                cmd.add(java);
                cmd.addAll(emb.root());
                cmd.addAll(List.of("-cp", jar.toString(), APP, "--workers", "2"));
                cmd.addAll(emb.worker());
                ms.add(new Measured("embedded [" + v + ": root and workers]", cmd, "RESULT", c.runs()));
            }
            if (launcher != null && launcher.jvmOpt() && launcher.rootJvmOpt()) {
                Roles l = v.equals("appcds") ? appCdsLauncher(java, jar, launcher, c)
                        : new Roles(Jvm.options(v), Jvm.options(v), Jvm.options(v));
                if (l != null) {
                    ms.add(new Measured(launcher.label(v), launcher.command(java, jar, l.launcher(), l.root(),
                            l.worker()), "RESULT", c.runs()));
                }
            }
        }

        // warm-up (file cache, page cache of the JDK), then the runs, interleaved so drift hits every row alike
        for (int w = 0; w < c.warmup(); w++) {
            for (Measured m : ms) {
                Start s = start(m.cmd, m.marker);
                if (s.failure() != null) {
                    m.failure = s.failure();
                }
            }
        }
        Machine.Meter meter = new Machine.Meter();
        double waited = 0;
        for (int i = 0; i < c.runs(); i++) {
            waited += Machine.awaitQuiet(c.quietSeconds());
            meter.begin();
            for (Measured m : ms) {
                if (m.failure != null) {
                    continue;
                }
                Start s = start(m.cmd, m.marker);
                if (s.failure() != null) {
                    m.failure = s.failure();
                    continue;
                }
                m.runs[i] = s.seconds();
                if (s.times() != null) {
                    m.splits.add(new long[] {s.times()[0] - s.spawnMillis(), s.times()[1] - s.times()[0],
                            s.times()[2] - s.times()[1]});
                }
            }
            meter.end();
        }

        Table t = new Table("W5 startup: seconds from process start to the first result, " + c.runs() + " runs after "
                + c.warmup() + " warm-up, rows interleaved (" + when + ")");
        Table.Row base = null;
        for (Measured m : ms) {
            if (m.failure != null) {
                t.note("FAILED " + m.label + ": " + m.failure);
                continue;
            }
            Table.Row r = t.add(m.label, "s", false, m.runs);
            if (base == null) {
                base = r;
            }
            if (!m.splits.isEmpty()) {
                double[][] cols = new double[3][m.splits.size()];
                for (int k = 0; k < m.splits.size(); k++) {
                    for (int j = 0; j < 3; j++) {
                        cols[j][k] = m.splits.get(k)[j];
                    }
                }
                t.note(String.format(Locale.ROOT, "%s: split (medians): JVM start to main %.0f ms, main to executor"
                        + " built %.0f ms, executor to result %.0f ms", m.label, Stats.median(cols[0]),
                        Stats.median(cols[1]), Stats.median(cols[2])));
            }
            if (m.label.startsWith("launcher")) {
                t.note(Bench.target(r, "<= 0.8 s (Hazelcast 7.9 s)", r.median() <= 0.8));
            } else if (m.label.startsWith("embedded")) {
                t.note(Bench.target(r, "<= 0.5 s", r.median() <= 0.5));
            }
        }
        t.baseline("java -version", base);
        t.note(launcherNote);
        t.note("embedded = " + java + " -cp " + jar + " " + APP + " (options: before -cp for the root, after"
                + " --workers 2 for the workers)");
        t.note(meter.describe() + String.format(Locale.ROOT, " (waited %.0f s for quiet before the rounds)", waited));
        t.print(c.out());
    }

    private static String help(String java, Path launcher) {
        try {
            Process p = new ProcessBuilder(java, "-jar", launcher.toString(), "--help").redirectErrorStream(true).start();
            String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(20, TimeUnit.SECONDS);
            return s;
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** JVM options per role: the launcher JVM, the root (the app), the workers. */
    record Roles(List<String> launcher, List<String> root, List<String> worker) {
    }

    /**
     * Makes dynamic AppCDS archives for the embedded root and for a worker (one training run with 1 worker, so
     * that one JVM writes the worker archive) and returns the options that use them.
     */
    static Roles appCdsEmbedded(String java, Path jar, Config c) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("scoop-bench-cds");
        Path root = dir.resolve("root.jsa");
        Path worker = dir.resolve("worker.jsa");
        List<String> cmd = List.of(java, "-XX:ArchiveClassesAtExit=" + root, "-cp", jar.toString(), APP, "--workers",
                "1", "-XX:ArchiveClassesAtExit=" + worker);
        if (!train(cmd, c, root, worker)) {
            return null;
        }
        return new Roles(List.of(), List.of("-XX:SharedArchiveFile=" + root), List.of("-XX:SharedArchiveFile=" + worker));
    }

    /** The same under the launcher: archives for the launcher JVM, the root and a worker. */
    static Roles appCdsLauncher(String java, Path jar, LauncherCli l, Config c)
            throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("scoop-bench-cds-launcher");
        Path launcher = dir.resolve("launcher.jsa");
        Path root = dir.resolve("root.jsa");
        Path worker = dir.resolve("worker.jsa");
        List<String> cmd = new ArrayList<>(l.command(java, jar, List.of("-XX:ArchiveClassesAtExit=" + launcher),
                List.of("-XX:ArchiveClassesAtExit=" + root), List.of("-XX:ArchiveClassesAtExit=" + worker)));
        cmd.set(cmd.indexOf("-n") + 1, "1");
        if (!train(cmd, c, launcher, root, worker)) {
            return null;
        }
        return new Roles(List.of("-XX:SharedArchiveFile=" + launcher), List.of("-XX:SharedArchiveFile=" + root),
                List.of("-XX:SharedArchiveFile=" + worker));
    }

    private static boolean train(List<String> cmd, Config c, Path... archives) throws IOException, InterruptedException {
        Start s = start(cmd, "RESULT");
        for (int i = 0; i < 100; i++) {
            boolean all = true;
            for (Path a : archives) {
                all &= Files.exists(a);
            }
            if (all) {
                Thread.sleep(500); // the last one may still be being written
                return true;
            }
            Thread.sleep(100);
        }
        c.out().println("W5: an appcds variant is skipped: its training run did not write every archive "
                + java.util.Arrays.toString(archives) + " (" + s.failure() + ")");
        return false;
    }
}
