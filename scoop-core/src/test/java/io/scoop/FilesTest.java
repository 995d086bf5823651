package io.scoop;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Input files staged to workers, and output files brought back, on real worker JVMs. */
class FilesTest {
    @TempDir
    static Path cache;

    private static TestCluster cluster;
    private static DistributedExecutor pool;

    @BeforeAll
    static void start() {
        cluster = TestCluster.start(2, List.of("-Dscoop.fileCache=" + cache));
        pool = cluster.newExecutor();
        await().atMost(Duration.ofSeconds(30)).until(() -> pool.workerCount() == 2);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
        cluster.close();
    }

    @Test
    void stage_onTheRootsOwnHost_tasksReadTheFileItself(@TempDir Path dir) throws Exception {
        Path input = dir.resolve("input.txt");
        Files.writeString(input, "alpha\nbeta\n");
        StagedFile staged = pool.stage(input);
        String seen = pool.submit(() -> staged.path() + "|" + Files.readString(staged.path())).get(30, TimeUnit.SECONDS);
        assertEquals(input.toAbsolutePath() + "|alpha\nbeta\n", seen);
    }

    @Test
    void stage_whereTheOriginalIsNotThere_aCopyIsFetchedOncePerHostAndCached(@TempDir Path dir) throws Exception {
        Path input = dir.resolve("table.csv");
        Files.writeString(input, "k,v\n1,2\n");
        StagedFile staged = pool.stage(input);
        Files.delete(input); // as on another host: the worker must fetch it
        long fetchesBefore = cluster.brokerStats().fetches();
        List<CompletableFuture<String>> reads = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            reads.add(pool.submit(() -> staged.path() + "|" + Files.readString(staged.path())));
        }
        for (CompletableFuture<String> r : reads) {
            String[] parts = r.get(30, TimeUnit.SECONDS).split("\\|");
            assertEquals(cache.resolve(staged.key()).resolve("table.csv").toString(), parts[0]);
            assertEquals("k,v\n1,2\n", parts[1]);
        }
        assertTrue(cluster.brokerStats().fetches() - fetchesBefore <= 2, "one host: fetched at most once per worker");
    }

    @Test
    void stage_anOriginalChangedSinceWithTheSameSize_tasksStillReadWhatWasStaged(@TempDir Path dir) throws Exception {
        Path input = dir.resolve("params.txt");
        Files.writeString(input, "v1");
        StagedFile staged = pool.stage(input);
        Files.writeString(input, "v2");
        Files.setLastModifiedTime(input, java.nio.file.attribute.FileTime.fromMillis(
                Files.getLastModifiedTime(input).toMillis() + 5_000));
        String seen = pool.submit(() -> Files.readString(staged.path())).get(30, TimeUnit.SECONDS);
        assertEquals("v1", seen);
    }

    @Test
    void outputsTo_filesATaskWrites_comeBackBeforeItsFutureCompletes(@TempDir Path out) throws Exception {
        DistributedExecutor writing = pool.with(TaskOptions.defaults().outputsTo(out));
        List<CompletableFuture<Path>> tasks = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int n = i;
            tasks.add(writing.submit(() -> {
                Path mine = CurrentTask.outputDirectory();
                Files.writeString(mine.resolve("part-" + n + ".txt"), "line " + n + "\n");
                Files.createDirectories(mine.resolve("logs"));
                Files.writeString(mine.resolve("logs").resolve("log-" + n + ".txt"), "log " + n);
                return mine;
            }));
        }
        for (int i = 0; i < 4; i++) {
            Path workerDir = tasks.get(i).get(30, TimeUnit.SECONDS);
            assertEquals("line " + i + "\n", Files.readString(out.resolve("part-" + i + ".txt")));
            assertEquals("log " + i, Files.readString(out.resolve("logs").resolve("log-" + i + ".txt")));
            assertFalse(Files.exists(workerDir), "the worker's directory is gone: " + workerDir);
        }
    }

    @Test
    void outputsTo_aFailedTask_stillBringsItsFilesBack(@TempDir Path out) {
        CompletableFuture<Object> f = pool.with(TaskOptions.defaults().outputsTo(out)).submit(() -> {
            Files.writeString(CurrentTask.outputDirectory().resolve("partial.txt"), "half done");
            throw new IllegalStateException("failed half way");
        });
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertTrue(Files.exists(out.resolve("partial.txt")));
    }

    @Test
    void outputDirectory_outsideATask_isRefused() {
        assertThrows(IllegalStateException.class, CurrentTask::outputDirectory);
    }
}
