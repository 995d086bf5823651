package io.scoop;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scoop.internal.SharedStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Large values travel once per worker: explicitly (share), for map's large functions, and for large arrays that
 * tasks capture (from their second use), on real workers.
 */
class SharedDataTest {
    private static final int MB16 = 16 << 20;

    private static TestCluster cluster;
    private static DistributedExecutor pool;

    @BeforeAll
    static void start() {
        cluster = TestCluster.start(2, List.of("-Xmx256m"));
        pool = cluster.newExecutor();
        await().atMost(Duration.ofSeconds(30)).until(() -> pool.workerCount() == 2);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
        cluster.close();
    }

    private long fetchesBefore;

    @BeforeEach
    void mark() {
        fetchesBefore = cluster.brokerStats().fetches();
    }

    private long fetchesSince() {
        return cluster.brokerStats().fetches() - fetchesBefore;
    }

    private static byte[] data(int seed) {
        byte[] b = new byte[MB16];
        for (int i = 0; i < b.length; i += 4096) {
            b[i] = (byte) (i / 4096 + seed);
        }
        return b;
    }

    private static long checksum(byte[] b, int param) {
        long sum = param;
        for (int i = 0; i < b.length; i += 4096) {
            sum += b[i];
        }
        return sum;
    }

    /** How many decoded shared values each worker keeps now. */
    private static Map<String, Long> cachedOnEachWorker() {
        Map<String, Long> n = new TreeMap<>();
        pool.onEachWorker(() -> SharedStore.cacheSize()[0]).forEach((w, f) -> n.put(w, f.join()));
        return n;
    }

    @Test
    void share_sixteenMegabytesUsedByFortyTasks_travelsOncePerWorker() throws Exception {
        Map<String, Long> cachedBefore = cachedOnEachWorker();
        byte[] big = data(1);
        Shared<byte[]> handle = pool.share(big);
        assertSame(big, handle.get(), "at the root, the value itself");
        assertTrue(handle.size() > MB16, "its encoded size: " + handle.size());
        List<Callable<Long>> tasks = new ArrayList<>();
        for (int p = 0; p < 40; p++) {
            int param = p;
            tasks.add(() -> checksum(handle.get(), param));
        }
        List<Future<Long>> results = pool.invokeAll(tasks);
        for (int p = 0; p < 40; p++) {
            assertEquals(checksum(big, p), results.get(p).get());
        }
        assertTrue(fetchesSince() <= 2, "fetched " + fetchesSince() + " times for 2 workers");
        // A worker keeps one decoded copy however many tasks used it (the writes a task makes into captured
        // arrays come back to the root, but a shared value is not one of them: nothing of it travels back).
        Map<String, Long> cached = cachedOnEachWorker();
        assertEquals(cachedBefore.keySet(), cached.keySet());
        cached.forEach((worker, n) -> assertTrue(n <= cachedBefore.get(worker) + 1,
                "values cached on " + worker + ": " + cachedBefore.get(worker) + ", then " + n));
        assertTrue(results.stream().allMatch(f -> TaskRecord.of(f).orElseThrow().sentBytes() < 4096),
                "each task travels without the value");
    }

    @Test
    void map_aFunctionCapturingSixteenMegabytes_sendsItOncePerWorker_andLetsItGoAfter() {
        byte[] big = data(2);
        int sharedBefore = cluster.brokerStats().sharedValues();
        List<Long> out = pool.map(p -> checksum(big, p), IntStream.range(0, 40).boxed().toList()).toList();
        for (int p = 0; p < 40; p++) {
            assertEquals(checksum(big, p), out.get(p));
        }
        assertTrue(fetchesSince() <= 2, "fetched " + fetchesSince() + " times for 2 workers");
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.brokerStats().sharedValues() == sharedBefore);
    }

    @Test
    void map_aSmallFunction_isNotShared() {
        List<Integer> out = pool.map(i -> i * 2, List.of(1, 2, 3)).toList();
        assertEquals(List.of(2, 4, 6), out);
        assertEquals(0, fetchesSince());
    }

    @Test
    void share_aValueThatCannotTravel_failsNamingIt() {
        TaskNotSerializableException e = assertThrows(TaskNotSerializableException.class,
                () -> pool.share(new Thread()));
        assertTrue(e.getMessage().startsWith("shared value java.lang.Thread"), e.getMessage());
    }

    @Test
    void share_theSameValueTwice_isKeptOnce() {
        int before = cluster.brokerStats().sharedValues();
        byte[] small = {1, 2, 3};
        Shared<byte[]> a = pool.share(small);
        Shared<byte[]> b = pool.share(small.clone());
        assertEquals(a.key(), b.key());
        assertTrue(cluster.brokerStats().sharedValues() <= before + 1);
    }

    @Test
    void release_letsTheBrokerDropIt_onceEveryHoldIsReleased() {
        int before = cluster.brokerStats().sharedValues();
        byte[] value = data(3);
        Shared<byte[]> a = pool.share(value);
        Shared<byte[]> b = pool.share(value);
        assertEquals(before + 1, cluster.brokerStats().sharedValues());
        pool.release(a);
        pool.release(a); // a second release of the same handle gives up nothing more
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                .until(() -> cluster.brokerStats().sharedValues() == before + 1);
        assertEquals(checksum(value, 7), pool.submit(() -> checksum(b.get(), 7)).join(), "b still holds it");
        pool.release(b);
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.brokerStats().sharedValues() == before);
    }

    @Test
    void map_aLargeFunctionsStreamLeftUnread_isLetGoOnceCollected() {
        byte[] big = data(4);
        int before = cluster.brokerStats().sharedValues();
        Optional<Long> first = pool.map(p -> checksum(big, p), IntStream.range(0, 40).boxed().toList()).findFirst();
        assertEquals(Optional.of(checksum(big, 0)), first);
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            System.gc();
            return cluster.brokerStats().sharedValues() == before;
        });
    }

    @Test
    void invokeAll_fortyLambdasCapturingSixteenMegabytes_sendItOncePerWorker_andLetItGoAfter() throws Exception {
        Map<String, Long> cachedBefore = cachedOnEachWorker();
        int sharedBefore = cluster.brokerStats().sharedValues();
        byte[] big = data(5);
        List<Callable<Long>> tasks = new ArrayList<>();
        for (int p = 0; p < 40; p++) {
            int param = p;
            tasks.add(() -> checksum(big, param)); // a plain lambda, as a thread pool's user writes it
        }
        List<Future<Long>> results = pool.invokeAll(tasks);
        for (int p = 0; p < 40; p++) {
            assertEquals(checksum(big, p), results.get(p).get());
        }
        assertTrue(fetchesSince() <= 2, "fetched " + fetchesSince() + " times for 2 workers");
        // The tasks of one call that capture the same array take it by key from the first (a task sent alone
        // takes it so from the second time: anArrayChangedAtTheRoot...).
        for (int p = 0; p < 40; p++) {
            long sent = TaskRecord.of(results.get(p)).orElseThrow().sentBytes();
            assertTrue(sent < 4096, "task " + p + " travels without the array: " + sent + " bytes");
        }
        Map<String, Long> cached = cachedOnEachWorker();
        cached.forEach((worker, n) -> assertTrue(n <= cachedBefore.get(worker) + 1,
                "values cached on " + worker + ": " + cachedBefore.get(worker) + ", then " + n));
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.brokerStats().sharedValues() == sharedBefore);
    }

    @Test
    void anArraySentOnce_eachTaskWritesItsOwnCopy_andTheWritesComeBack() throws Exception {
        int sharedBefore = cluster.brokerStats().sharedValues();
        int[] counts = new int[100_000]; // 400 KB
        List<Callable<Long>> tasks = new ArrayList<>();
        for (int p = 0; p < 20; p++) {
            int i = p;
            tasks.add(() -> {
                counts[i] = i + 1;
                return java.util.Arrays.stream(counts).asLongStream().sum();
            });
        }
        List<Future<Long>> results = pool.invokeAll(tasks);
        for (int p = 0; p < 20; p++) {
            assertEquals(p + 1, results.get(p).get(), "task " + p + " saw only its own write");
            assertEquals(p + 1, counts[p], "its write came back to the root's array");
        }
        assertTrue(TaskRecord.of(results.get(19)).orElseThrow().sentBytes() < 4096, "sent once, by its key");
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.brokerStats().sharedValues() == sharedBefore);
    }

    @Test
    void anArrayChangedAtTheRoot_travelsAgain_withItsNewContent() {
        int sharedBefore = cluster.brokerStats().sharedValues();
        long[] table = new long[50_000]; // 400 KB
        assertEquals(0L, pool.submit(() -> table[5]).join());
        CompletableFuture<Long> second = pool.submit(() -> table[5]);
        assertEquals(0L, second.join());
        assertTrue(TaskRecord.of(second).orElseThrow().sentBytes() < 4096, "the second time by its key");
        table[5] = 7;
        CompletableFuture<Long> changed = pool.submit(() -> table[5]);
        assertEquals(7L, changed.join(), "the change reached the worker");
        assertTrue(TaskRecord.of(changed).orElseThrow().sentBytes() > 400_000, "a new value, inline once more");
        CompletableFuture<Long> again = pool.submit(() -> table[5]);
        assertEquals(7L, again.join());
        assertTrue(TaskRecord.of(again).orElseThrow().sentBytes() < 4096, "then by its new key");
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.brokerStats().sharedValues() == sharedBefore);
    }

    @Test
    void aGridOfRows_capturedInCommon_travelsOnce_andAChangedRowTravelsAgain() throws Exception {
        int sharedBefore = cluster.brokerStats().sharedValues();
        double[][] grid = new double[256][1024]; // 2 MiB in rows of 8 KiB, each under the 64 KiB of one array
        for (int r = 0; r < grid.length; r++) {
            for (int c = 0; c < grid[r].length; c++) {
                grid[r][c] = r + c / 1024.0;
            }
        }
        List<Callable<Double>> tasks = new ArrayList<>();
        for (int p = 0; p < 40; p++) {
            int row = p;
            tasks.add(() -> grid[row][row] + grid.length);
        }
        List<Future<Double>> results = pool.invokeAll(tasks);
        for (int p = 0; p < 40; p++) {
            assertEquals(p + p / 1024.0 + 256, results.get(p).get());
            long sent = TaskRecord.of(results.get(p)).orElseThrow().sentBytes();
            assertTrue(sent < 4096, "task " + p + " travels without the grid: " + sent + " bytes");
        }
        CompletableFuture<Double> alone = pool.submit(() -> grid[7][7]);
        assertEquals(7 + 7 / 1024.0, alone.join());
        assertTrue(TaskRecord.of(alone).orElseThrow().sentBytes() < 4096, "unchanged: by its key");
        grid[7][7] = -1;
        CompletableFuture<Double> changed = pool.submit(() -> grid[7][7]);
        assertEquals(-1.0, changed.join(), "the changed row reached the worker");
        assertTrue(TaskRecord.of(changed).orElseThrow().sentBytes() > 2_000_000, "a new value, inline once more");
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.brokerStats().sharedValues() == sharedBefore);
    }

    @Test
    void aGridAndOneOfItsRows_capturedTogether_stayOneRowOnTheWorker() throws Exception {
        int sharedBefore = cluster.brokerStats().sharedValues();
        double[][] grid = new double[64][2048]; // 1 MiB, sent once
        double[] row = grid[5];
        List<Callable<Double>> tasks = new ArrayList<>();
        for (int p = 0; p < 10; p++) {
            int i = p;
            tasks.add(() -> {
                double before = grid[5][i];
                row[i] = 100 + i;
                return grid[5][i] + before + (row == grid[5] ? 0 : 1000);
            });
        }
        List<Future<Double>> results = pool.invokeAll(tasks);
        for (int p = 0; p < 10; p++) {
            assertEquals(100.0 + p, results.get(p).get(), "task " + p + ": the row it wrote is the grid's row");
            assertEquals(100.0 + p, row[p], "its write came back to the root's row");
            long sent = TaskRecord.of(results.get(p)).orElseThrow().sentBytes();
            assertTrue(sent < 4096, "task " + p + ": the grid by its key, the row as a reference: " + sent + " bytes");
        }
        // Let go before the next test counts the broker's values (each test here leaves none held behind it).
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.brokerStats().sharedValues() == sharedBefore);
    }

    @Test
    void aGridWhoseRowsRepeat_andAnArrayAfterIt_arriveAsTheyWere() throws Exception {
        double[][] grid = new double[100][];
        java.util.Arrays.fill(grid, new double[1000]); // 800 KB in all, one row a hundred times
        double[] other = {42};
        List<Callable<Double>> tasks = new ArrayList<>();
        for (int p = 0; p < 5; p++) {
            tasks.add(() -> grid[3][0] + other[0] + (grid[3] == grid[4] ? 0 : 1000));
        }
        for (Future<Double> f : pool.invokeAll(tasks)) {
            assertEquals(42.0, f.get(), "the rows stay one row, and the array written after the grid is itself");
        }
    }
}
