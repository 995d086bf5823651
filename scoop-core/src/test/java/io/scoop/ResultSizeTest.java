package io.scoop;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scoop.internal.Sockets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A result travels with its output files and output tails; every RESULTS message (worker to broker, broker to
 * root) must still fit in a frame, or the receiving socket drops the connection with the results in it and
 * their futures wait forever. On real workers with a 32 MiB message limit (24 MiB payload limit, 12 MiB of
 * output files a task), which keeps the memory modest: the same holds at the default 64 MiB.
 */
class ResultSizeTest {
    private static final int MB = 1 << 20;
    private static final int TASKS = 6;

    private static TestCluster cluster;
    private static DistributedExecutor pool;

    @BeforeAll
    static void start() {
        // The broker and the root are in this JVM, and the workers inherit the limit from it.
        System.setProperty(Sockets.MAX_MESSAGE_PROPERTY, "32m");
        cluster = TestCluster.start(1, TASKS, List.of("-Xmx512m"));
        pool = cluster.newExecutor();
        await().atMost(Duration.ofSeconds(30)).until(() -> pool.workerCount() == 1);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        try {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
            cluster.close();
        } finally {
            System.clearProperty(Sockets.MAX_MESSAGE_PROPERTY);
        }
    }

    /** Makes the tasks of one test end together on the worker, so that their results are batched together. */
    static final class Together {
        static final CyclicBarrier ALL = new CyclicBarrier(TASKS);
    }

    @Test
    void tasksWithLargeOutputFiles_endingTogether_allCompleteWithTheirFiles(@TempDir Path out) throws Exception {
        assertEquals(24L * MB, Sockets.maxPayloadBytes());
        DistributedExecutor writing = pool.with(TaskOptions.defaults().outputsTo(out));
        List<CompletableFuture<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < TASKS; i++) {
            int n = i;
            // 11 MiB each (under the 12 MiB a task may send back): any three in one message would pass 32 MiB.
            tasks.add(writing.submit(() -> {
                byte[] content = new byte[11 * MB];
                content[0] = (byte) n;
                content[content.length - 1] = (byte) n;
                Files.write(CurrentTask.outputDirectory().resolve("part-" + n + ".bin"), content);
                Together.ALL.await(30, TimeUnit.SECONDS);
                return n;
            }));
        }
        for (int i = 0; i < TASKS; i++) {
            assertEquals(i, tasks.get(i).get(60, TimeUnit.SECONDS));
            byte[] file = Files.readAllBytes(out.resolve("part-" + i + ".bin"));
            assertEquals(11 * MB, file.length);
            assertEquals((byte) i, file[0]);
            assertEquals((byte) i, file[file.length - 1]);
        }
        assertTrue(cluster.exits().isEmpty(), "no worker ended: " + cluster.exits());
    }

    @Test
    void aResultThatFitsAlone_butNotWithItsOutputFiles_failsNamingTheSizesAndTheLimit(@TempDir Path out)
            throws IOException {
        // 23 MiB of result (under the 24 MiB payload limit) and 11 MiB of files (under their 12 MiB bound):
        // 34 MiB together, above the 32 MiB a message may take.
        CompletableFuture<byte[]> f = pool.with(TaskOptions.defaults().outputsTo(out)).submit(() -> {
            Files.write(CurrentTask.outputDirectory().resolve("big.bin"), new byte[11 * MB]);
            return new byte[23 * MB];
        });
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(60, TimeUnit.SECONDS));
        ResultNotSerializableException cause = assertInstanceOf(ResultNotSerializableException.class, e.getCause());
        String m = cause.getMessage();
        assertTrue(m.contains("with its output files (" + 11 * MB + " bytes)"), m);
        assertTrue(m.contains("above the limit of " + Sockets.maxPayloadBytes() + " bytes"), m);
        assertEquals(11 * MB, Files.size(out.resolve("big.bin")), "its files come back with its failure, as a"
                + " failed task's do");

        // The worker is fine, and a task that fits still brings its result and files back.
        CompletableFuture<Integer> next = pool.with(TaskOptions.defaults().outputsTo(out)).submit(() -> {
            Files.write(CurrentTask.outputDirectory().resolve("small.bin"), new byte[MB]);
            return new byte[10 * MB].length;
        });
        assertEquals(10 * MB, assertDoesNotHang(next));
        assertTrue(Files.exists(out.resolve("small.bin")));
        assertTrue(cluster.exits().isEmpty(), "no worker ended: " + cluster.exits());
    }

    @Test
    void aFailureThatFitsAlone_butNotWithItsOutputFiles_arrivesWithoutThem_andSaysSo(@TempDir Path out) {
        // A 7 MiB message (14 MiB of failure: its text, and the exception serialized) and 11 MiB of files.
        CompletableFuture<Object> f = pool.with(TaskOptions.defaults().outputsTo(out)).submit(() -> {
            Files.write(CurrentTask.outputDirectory().resolve("partial.bin"), new byte[11 * MB]);
            throw new IllegalStateException("x".repeat(7 * MB));
        });
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(60, TimeUnit.SECONDS));
        IllegalStateException cause = assertInstanceOf(IllegalStateException.class, e.getCause(), "its own exception");
        assertEquals(7 * MB, cause.getMessage().length());
        assertEquals(1, cause.getSuppressed().length, "with a note");
        String note = cause.getSuppressed()[0].getMessage();
        assertTrue(note.contains("its output files (" + 11 * MB + " bytes) were not sent"), note);
        assertTrue(note.contains("above the limit of " + Sockets.maxPayloadBytes() + " bytes"), note);
        assertFalse(Files.exists(out.resolve("partial.bin")));
    }

    private static <T> T assertDoesNotHang(CompletableFuture<T> f) {
        try {
            return f.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the task did not complete: " + e, e);
        }
    }
}
