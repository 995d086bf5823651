package io.scoop.launcher;

import io.scoop.DistributedExecutor;
import io.scoop.RunKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.awaitility.Awaitility;

/**
 * A root program for the launcher's key tests (CURVE, and the token of a default local run):
 * {@code CurveApp N WORKERS} checks that it got the run's key line in {@value RunKeys#ENV} and prints its kind,
 * runs tasks on the workers, and then, while every process of the run is alive, looks for the keys where other
 * users could see them: every process's command line ({@code /proc/PID/cmdline}) and, since workers get the
 * keys on stdin, the workers' environments. It prints counts, never a key.
 */
public final class CurveApp {
    private CurveApp() {
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        int expectedWorkers = Integer.parseInt(args[1]);
        String line = System.getenv(RunKeys.ENV);
        System.out.println("keys in environment=" + (line != null && RunKeys.parse(line) != null));
        System.out.println("keys kind=" + (line == null ? "none" : RunKeys.parse(line).isCurve() ? "CURVE" : "token"));
        DistributedExecutor ex = new DistributedExecutor();
        try {
            System.out.println("executor=" + ex);
            Awaitility.await("all " + expectedWorkers + " workers connected, per " + ex).atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(50)).until(() -> ex.workerCount() >= expectedWorkers);
            long sum = ex.map((Integer x) -> (long) x * x, IntStream.rangeClosed(1, n).boxed().toList())
                    .mapToLong(Long::longValue).sum();
            System.out.println("sum=" + sum);
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                futures.add(ex.submit(() -> ProcessHandle.current().pid()));
            }
            Set<Long> workerPids = new TreeSet<>();
            for (CompletableFuture<Long> f : futures) {
                workerPids.add(f.get(30, TimeUnit.SECONDS));
            }
            System.out.println("worker pids=" + workerPids.size());
            String[] words = line.split(" ");
            List<String> secrets = List.of(words).subList(1, words.length);
            int scanned = 0;
            int withKeys = 0;
            try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
                for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                    String cmdline = read(p.resolve("cmdline"));
                    if (cmdline == null) {
                        continue;
                    }
                    scanned++;
                    if (secrets.stream().anyMatch(cmdline::contains) || cmdline.contains(words[0])) {
                        withKeys++;
                    }
                }
            }
            int workersWithKeysStdin = 0;
            int workersWithKeysInEnv = 0;
            for (long pid : workerPids) {
                Path proc = Path.of("/proc", Long.toString(pid));
                if (String.valueOf(read(proc.resolve("cmdline"))).contains("--keys-stdin")) {
                    workersWithKeysStdin++;
                }
                String env = read(proc.resolve("environ"));
                if (env == null || env.contains(RunKeys.ENV + "=") || secrets.stream().anyMatch(env::contains)) {
                    workersWithKeysInEnv++;
                }
            }
            System.out.println("processes scanned=" + (scanned > 3));
            System.out.println("command lines with keys=" + withKeys);
            System.out.println("workers with --keys-stdin=" + workersWithKeysStdin);
            System.out.println("workers with keys in environment=" + workersWithKeysInEnv);
        } finally {
            ex.shutdown();
        }
    }

    /** The file's bytes with NULs as spaces, or null if it is gone or not ours to read. */
    private static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException | SecurityException e) {
            return null;
        }
    }
}
