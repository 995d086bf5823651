package io.scoop.examples;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scoop.DistributedExecutor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The twins of SCOOP's own examples, each run on one shared pool of two worker JVMs, with what it prints
 * checked line by line.
 */
class ExamplesTest {
    private static DistributedExecutor pool;

    @BeforeAll
    static void start() {
        pool = DistributedExecutor.builder().workers(2).build();
        // The pi example prints how many workers ran it: both must have joined.
        await("both workers joined").atMost(Duration.ofSeconds(30)).until(() -> pool.workerCount() == 2);
    }

    @AfterAll
    static void stop() {
        pool.close();
    }

    /** What {@code example} prints when run on the shared pool. */
    private interface Example {
        void run(DistributedExecutor pool, PrintStream out) throws Exception;
    }

    private static List<String> printed(Example example) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            example.run(pool, out);
        }
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void map_resultsComeInInputOrder_fromOtherJvms() throws Exception {
        List<String> out = printed((p, o) -> OrderedMap.run(p, o, "7"));
        assertEquals(8, out.size(), String.join("\n", out));
        for (int x = 0; x < 7; x++) {
            Matcher m = Pattern.compile("(\\d+)\\^2 = (\\d+) \\(worker pid (\\d+)\\)").matcher(out.get(x));
            assertTrue(m.matches(), out.get(x));
            assertEquals(x, Integer.parseInt(m.group(1)));
            assertEquals(x * x, Integer.parseInt(m.group(2)));
            assertTrue(Long.parseLong(m.group(3)) != ProcessHandle.current().pid(), "ran on a worker: " + out.get(x));
        }
        assertTrue(out.get(7).startsWith("unordered: "), out.get(7));
        Set<Integer> unordered = new TreeSet<>();
        for (String v : out.get(7).substring("unordered: [".length(), out.get(7).length() - 1).split(", ")) {
            unordered.add(Integer.parseInt(v));
        }
        assertEquals(Set.of(0, 1, 2, 3, 4, 5, 6), unordered);
    }

    @Test
    void asCompleted_everyTaskOnce_inTheOrderTheyFinished() throws Exception {
        List<String> out = printed((p, o) -> AsCompleted.run(p, o, "6"));
        assertEquals(8, out.size(), String.join("\n", out));
        assertTrue(out.get(0).matches("wait\\(FIRST_COMPLETED\\): [1-6] done, [0-5] still running or queued"),
                out.get(0));
        Set<Integer> tasks = new TreeSet<>();
        for (int i = 1; i <= 6; i++) {
            Matcher m = Pattern.compile("finished #" + i + ": task (\\d) -> (\\d+)").matcher(out.get(i));
            assertTrue(m.matches(), out.get(i));
            int task = Integer.parseInt(m.group(1));
            assertEquals(task * task, Integer.parseInt(m.group(2)));
            tasks.add(task);
        }
        assertEquals(Set.of(0, 1, 2, 3, 4, 5), tasks);
        assertEquals("as completed: 6 of 6", out.get(7));
    }

    @Test
    void tree_everyNodeIsATask() throws Exception {
        List<String> out = printed((p, o) -> NestedTree.run(p, o, "4"));
        assertEquals(1, out.size(), String.join("\n", out));
        assertTrue(out.get(0).startsWith("tree of depth 4: 31 nodes, one task each, in "), out.get(0));
    }

    @Test
    void callbacks_runHereWithTheResultOrTheFailure() throws Exception {
        List<String> out = printed((p, o) -> Callbacks.run(p, o, "5"));
        assertEquals(List.of(
                "callback for 0: cube = 0",
                "callback for 1: cube = 1",
                "callback for 2: cube = 8",
                "callback for 3: failed: IllegalStateException: three is not welcome",
                "callback for 4: cube = 64",
                "added after it was done, ran at once: 1000"), out);
    }

    @Test
    void exceptions_comeBackWithTheirTypeMessageAndWhereTheyWereThrown() throws Exception {
        List<String> out = printed((p, o) -> Exceptions.run(p, o));
        assertEquals(List.of(
                "1/-2 = -0.5",
                "1/-1 = -1.0",
                "1/0 failed: java.lang.ArithmeticException: no inverse of 0 (thrown at io.scoop.examples.Exceptions.inverse)",
                "1/1 = 1.0",
                "1/2 = 0.5",
                "with a fallback: NaN",
                "mapped 1.0",
                "map stopped at the failure: ArithmeticException: no inverse of 0"), out);
    }

    @Test
    void mapReduce_andMapScan() throws Exception {
        List<String> out = printed((p, o) -> WordCount.run(p, o));
        assertEquals(List.of(
                "most frequent: the=6, fox=4, a=2",
                "words so far, line by line: [9, 16, 23, 29, 31]"), out);
    }

    @Test
    void pi_sameEstimateOnAnyNumberOfWorkers() throws Exception {
        List<String> out = printed((p, o) -> MonteCarloPi.run(p, o, "20", "100000"));
        assertEquals(1, out.size(), String.join("\n", out));
        long hits = 0;
        for (long seed = 0; seed < 20; seed++) {
            hits += MonteCarloPi.hits(seed, 100_000);
        }
        String expected = String.format("pi ~ %.6f from %,d darts in 20 tasks on 2 workers, ", 4.0 * hits / 2_000_000,
                2_000_000L);
        assertTrue(out.get(0).startsWith(expected), out.get(0) + " should start with " + expected);
    }

    @Test
    void shared_aLargeTableReadByAThousandTasks() throws Exception {
        List<String> out = printed((p, o) -> SharedData.run(p, o, "4"));
        assertEquals(1, out.size(), String.join("\n", out));
        Matcher m = Pattern.compile("1000 tasks read a shared 4 MB table: sum (\\d+) \\(expected (\\d+)\\)")
                .matcher(out.get(0));
        assertTrue(m.matches(), out.get(0));
        assertEquals(m.group(2), m.group(1));
        assertTrue(Long.parseLong(m.group(1)) > 0, out.get(0));
    }

    @Test
    void sweep_eachParameterWithItsResultOrFailure_andItsOwnOutput() throws Exception {
        List<String> out = printed((p, o) -> Sweep.run(p, o, "20000"));
        assertEquals(9, out.size(), String.join("\n", out));
        assertEquals("7 of 7 parameters done", out.get(0));
        double[] samples = Sweep.samples(20_000);
        double[] alphas = {0.01, 0.05, 0.1, 0.3, -1.0, 0.6, 1.0};
        double best = Double.NaN;
        double bestRms = Double.POSITIVE_INFINITY;
        for (int i = 0; i < alphas.length; i++) {
            if (alphas[i] < 0) {
                assertEquals(" alpha -1.00  failed: alpha must be at least 0, not -1.0", " " + out.get(i + 1));
                continue;
            }
            double rms = Sweep.fit(samples, alphas[i]);
            assertEquals(String.format("alpha %5.2f  rms %.4f  printed: alpha %.2f: rms %.4f over 20000 samples",
                    alphas[i], rms, alphas[i], rms), out.get(i + 1));
            if (rms < bestRms) {
                bestRms = rms;
                best = alphas[i];
            }
        }
        assertEquals(String.format("best alpha %.2f (rms %.4f)", best, bestRms), out.get(8));
    }

    @Test
    void batch_aUnixToolOverStagedFiles_outputsComeBack(@TempDir Path dir) throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        Path results = dir.resolve("out");
        Files.writeString(in.resolve("a.txt"), "pear\napple\npear\n");
        Files.writeString(in.resolve("b.txt"), "fig\n");
        Files.writeString(in.resolve("c.txt"), "kiwi\nlime\nkiwi\nplum\n");
        List<String> out = printed((p, o) -> BatchFiles.run(p, o, in.toString(), results.toString()));
        assertEquals(List.of(
                "a.txt: 2 distinct lines, counts in a.txt.counts",
                "b.txt: 1 distinct lines, counts in b.txt.counts",
                "c.txt: 3 distinct lines, counts in c.txt.counts"), out);
        assertEquals(List.of("1 apple", "2 pear"), Files.readAllLines(results.resolve("a.txt.counts")).stream()
                .map(String::strip).toList());
        assertEquals(List.of("2 kiwi", "1 lime", "1 plum"), Files.readAllLines(results.resolve("c.txt.counts"))
                .stream().map(String::strip).toList());
    }
}
