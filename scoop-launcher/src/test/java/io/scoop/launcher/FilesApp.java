package io.scoop.launcher;

import io.scoop.CurrentTask;
import io.scoop.DistributedExecutor;
import io.scoop.Shared;
import io.scoop.StagedFile;
import io.scoop.TaskOptions;
import io.scoop.TaskRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A root program that moves data both ways: {@code FilesApp WORKERS DIR}. A sweep over a shared array (each
 * parameter a labelled task whose record keeps what it printed), then {@code sort | uniq -c} over two files
 * staged from DIR and deleted at once (so workers must fetch them), its outputs written back to DIR/out.
 */
public final class FilesApp {
    private FilesApp() {
    }

    public static void main(String[] args) throws Exception {
        int expectedWorkers = Integer.parseInt(args[0]);
        Path dir = Path.of(args[1]);
        DistributedExecutor ex = new DistributedExecutor();
        try {
            Awaitility.await("all " + expectedWorkers + " workers connected").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(50)).until(() -> ex.workerCount() >= expectedWorkers);
            long[] numbers = new long[1 << 20];
            for (int i = 0; i < numbers.length; i++) {
                numbers[i] = i;
            }
            Shared<long[]> data = ex.share(numbers);
            List<CompletableFuture<Long>> sweep = new ArrayList<>();
            for (int k = 1; k <= 4; k++) {
                int divisor = k;
                sweep.add(ex.with(TaskOptions.defaults().label("k=" + k)).submit(() -> {
                    long count = 0;
                    for (long v : data.get()) {
                        if (v % divisor == 0) {
                            count++;
                        }
                    }
                    System.out.println("multiples of " + divisor + ": " + count + " in " + netns());
                    return count;
                }));
            }
            for (CompletableFuture<Long> f : sweep) {
                long count = f.get(60, TimeUnit.SECONDS);
                System.out.println("sweep result " + count + ", printed: "
                        + TaskRecord.of(f).orElseThrow().out().strip());
            }

            Path out = dir.resolve("out");
            DistributedExecutor batch = ex.with(TaskOptions.defaults().outputsTo(out));
            List<CompletableFuture<String>> counted = new ArrayList<>();
            for (String name : List.of("a.txt", "b.txt")) {
                StagedFile staged = ex.stage(dir.resolve(name));
                Files.delete(dir.resolve(name));
                counted.add(batch.submit(() -> {
                    Path result = CurrentTask.outputDirectory().resolve(name + ".counts");
                    Process p = new ProcessBuilder("sh", "-c", "sort \"$1\" | uniq -c > \"$2\"", "sh",
                            staged.path().toString(), result.toString()).inheritIO().start();
                    if (p.waitFor() != 0) {
                        throw new IllegalStateException("sort | uniq -c failed: " + p.exitValue());
                    }
                    return staged.path() + " " + netns();
                }));
            }
            for (CompletableFuture<String> f : counted) {
                System.out.println("batch input read from " + f.get(60, TimeUnit.SECONDS));
            }
            for (String name : List.of("a.txt", "b.txt")) {
                System.out.println("batch output " + name + ".counts: " + String.join(",",
                        Files.readAllLines(out.resolve(name + ".counts"), StandardCharsets.UTF_8).stream()
                                .map(String::strip).toList()));
            }
            System.out.println("root namespace=" + netns());
        } finally {
            ex.shutdown();
        }
    }

    /** This process's network namespace, e.g. {@code net:[4026531833]}. */
    static String netns() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
