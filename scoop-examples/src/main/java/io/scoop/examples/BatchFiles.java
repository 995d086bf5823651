package io.scoop.examples;

import io.scoop.CurrentTask;
import io.scoop.DistributedExecutor;
import io.scoop.StagedFile;
import io.scoop.TaskOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * A program mapped over input files, Batch style: {@code java -jar scoop-examples.jar batch INPUT_DIR
 * OUTPUT_DIR}. Each input file is staged (sent once, a local path on the worker's host), a standard Unix tool
 * ({@code sort}, then {@code uniq -c}) runs on it in the task's output directory, and what it wrote there comes
 * back under OUTPUT_DIR before the task's future completes.
 */
public final class BatchFiles {
    private BatchFiles() {
    }

    /** Runs {@code sort INPUT | uniq -c} into {@code OUT/NAME.counts}; returns the number of distinct lines. */
    static int countLines(Path input, String name) throws IOException, InterruptedException {
        Path out = CurrentTask.outputDirectory().resolve(name + ".counts");
        Process p = new ProcessBuilder("sh", "-c", "sort \"$1\" | uniq -c > \"$2\"", "sh", input.toString(),
                out.toString()).redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("sort | uniq -c on " + name + " failed with exit code " + p.exitValue() + ": "
                    + said.strip());
        }
        return Files.readAllLines(out).size();
    }

    static void run(DistributedExecutor pool, PrintStream out, String... args) throws Exception {
        Path inputs = Path.of(args[0]);
        Path outputs = Path.of(args[1]);
        List<Path> files;
        try (Stream<Path> s = Files.list(inputs)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        DistributedExecutor batch = pool.with(TaskOptions.defaults().outputsTo(outputs));
        List<CompletableFuture<Integer>> tasks = new ArrayList<>();
        for (Path file : files) {
            StagedFile staged = pool.stage(file);
            String name = staged.name();
            tasks.add(batch.submit(() -> countLines(staged.path(), name)));
        }
        for (int i = 0; i < files.size(); i++) {
            String name = files.get(i).getFileName().toString();
            int distinct = tasks.get(i).get();
            Path result = outputs.resolve(name + ".counts");
            out.println(name + ": " + distinct + " distinct lines, " + (Files.isRegularFile(result)
                    ? "counts in " + outputs.relativize(result) : "no counts file"));
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: batch INPUT_DIR OUTPUT_DIR");
            System.exit(2);
        }
        try (DistributedExecutor pool = new DistributedExecutor()) {
            run(pool, System.out, args);
        }
    }
}
