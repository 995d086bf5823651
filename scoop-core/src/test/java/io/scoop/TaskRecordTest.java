package io.scoop;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each task's record on its future, on the embedded default with one worker JVM of two task threads: its own
 * output (while another task prints on the same worker), where and how it ran, also when it failed.
 */
class TaskRecordTest {
    /** Lives in the worker JVM: holds each of the two concurrent tasks until the other has started too. */
    static final CountDownLatch BOTH_RUNNING = new CountDownLatch(2);

    private static DistributedExecutor pool;
    private static PrintStream realOut;
    private static final ByteArrayOutputStream live = new ByteArrayOutputStream();

    @BeforeAll
    static void start() {
        // The embedded workers' output is copied to this JVM's System.out: keep a copy to read the live lines.
        realOut = System.out;
        System.setOut(new PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (live) {
                    live.write(b, off, len);
                }
                realOut.write(b, off, len);
            }
        }, true));
        pool = DistributedExecutor.builder().workers(1).threadsPerWorker(2).build();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
        System.setOut(realOut);
    }

    private static String liveText() {
        synchronized (live) {
            return live.toString(StandardCharsets.UTF_8);
        }
    }

    private static List<String> printConcurrently(String name) throws InterruptedException {
        BOTH_RUNNING.countDown();
        if (!BOTH_RUNNING.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the other task never started");
        }
        List<String> lines = IntStream.range(0, 300).mapToObj(i -> name + " line " + i).toList();
        for (String line : lines) {
            System.out.println(line);
            if (line.endsWith("0")) {
                Thread.sleep(1);
            }
        }
        return lines;
    }

    @Test
    void twoTasksPrintingAtOnceOnOneWorker_eachFutureHoldsExactlyItsOwnLines() throws Exception {
        CompletableFuture<List<String>> a = pool.submit(() -> printConcurrently("alpha"));
        CompletableFuture<List<String>> b = pool.with(TaskOptions.defaults().label("beta-task"))
                .submit(() -> printConcurrently("beta"));
        List<String> aLines = a.get(60, TimeUnit.SECONDS);
        List<String> bLines = b.get(60, TimeUnit.SECONDS);
        TaskRecord ra = TaskRecord.of(a).orElseThrow();
        TaskRecord rb = TaskRecord.of(b).orElseThrow();
        assertEquals(aLines, ra.out().lines().toList());
        assertEquals(bLines, rb.out().lines().toList());
        assertEquals(ra.pid(), rb.pid(), "one worker ran both");
        assertEquals("beta-task", rb.label());
        // Live, each line went out at once with the task's name in front.
        await().atMost(Duration.ofSeconds(10)).until(() -> liveText().contains("[beta-task] beta line 299"));
        assertTrue(liveText().contains("[task " + ra.id() + "] alpha line 299"), "live lines name the task");
    }

    @Test
    void record_saysWhereAndHowItRan() throws Exception {
        CompletableFuture<Integer> f = pool.submit(() -> {
            byte[] big = new byte[8 << 20];
            Thread.sleep(200);
            return big.length;
        });
        assertEquals(8 << 20, f.get(30, TimeUnit.SECONDS));
        TaskRecord r = TaskRecord.of(f).orElseThrow();
        WorkerInfo w = pool.workers().get(0);
        assertEquals(w.name(), r.worker());
        assertEquals(w.host(), r.host());
        assertEquals(w.pid(), r.pid());
        assertEquals(1, r.attempt());
        assertTrue(r.run().toMillis() >= 200, "ran " + r.run());
        assertFalse(r.queued().isNegative());
        assertTrue(r.sentBytes() > 0 && r.returnedBytes() > 0, r.toString());
        assertTrue(r.allocatedBytes() >= 8 << 20 || r.allocatedBytes() == -1, "allocated " + r.allocatedBytes());
        assertEquals("", r.out());
        assertEquals(0, r.outDropped());
    }

    @Test
    void failedTask_keepsItsRecordAndItsError() {
        CompletableFuture<Object> f = pool.submit(() -> {
            System.err.println("about to fail");
            throw new IllegalStateException("failed on purpose");
        });
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, e.getCause());
        TaskRecord r = TaskRecord.of(f).orElseThrow();
        assertEquals("about to fail", r.err().strip());
        assertEquals(1, r.attempt());
    }

    @Test
    void largeOutput_keepsTheTail_andSaysHowMuchWasLeftOut() throws Exception {
        int lines = 20_000;
        CompletableFuture<Void> f = pool.submit(() -> {
            for (int i = 0; i < lines; i++) {
                System.out.println("row " + i);
            }
        }, null);
        f.get(60, TimeUnit.SECONDS);
        TaskRecord r = TaskRecord.of(f).orElseThrow();
        long total = IntStream.range(0, lines).mapToObj(i -> "row " + i + "\n").collect(Collectors.joining())
                .getBytes(StandardCharsets.UTF_8).length;
        assertEquals(64 * 1024, r.out().getBytes(StandardCharsets.UTF_8).length);
        assertEquals(total - 64 * 1024, r.outDropped());
        assertTrue(r.out().endsWith("row " + (lines - 1) + "\n"));
    }

    @Test
    void record_ofAFutureScoopDidNotMake_orOfARunningTask_isEmpty() throws Exception {
        assertTrue(TaskRecord.of(CompletableFuture.completedFuture(1)).isEmpty());
        CompletableFuture<Object> never = new CompletableFuture<>();
        CompletableFuture<Integer> held = pool.with(TaskOptions.defaults().dependsOn(never)).submit(() -> 1);
        assertTrue(TaskRecord.of(held).isEmpty());
        held.cancel(true);
    }

    @Test
    void onEachWorker_rightAfterTheEmbeddedDefaultStarts_reachesTheWorkersItStarts() throws Exception {
        try (DistributedExecutor fresh = DistributedExecutor.builder().workers(1).build()) {
            Map<String, CompletableFuture<Long>> pids = fresh.onEachWorker(() -> ProcessHandle.current().pid());
            assertEquals(1, pids.size(), "the worker it started, though it had not joined yet: " + pids);
            assertNotEquals(ProcessHandle.current().pid(), pids.values().iterator().next().get(30, TimeUnit.SECONDS));
        }
    }
}
