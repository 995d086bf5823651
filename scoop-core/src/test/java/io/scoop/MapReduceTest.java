package io.scoop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** mapReduce and mapScan on real workers: results, order, where the reduction runs, empty and failing inputs. */
class MapReduceTest {
    private static TestCluster cluster;
    private static DistributedExecutor pool;

    @BeforeAll
    static void start() {
        cluster = TestCluster.start(2);
        pool = cluster.newExecutor();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
        cluster.close();
    }

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    /** A reducer that refuses to run anywhere but on a worker. */
    private static long sumOnWorker(long a, long b) {
        if (!CurrentTask.isRunning()) {
            throw new IllegalStateException("reduced outside a task");
        }
        return a + b;
    }

    private static String concatOnWorker(String a, String b) {
        if (!CurrentTask.isRunning()) {
            throw new IllegalStateException("reduced outside a task");
        }
        return a + "," + b;
    }

    @Test
    void mapReduce_sumOfSquares_isExactAndReducedOnWorkers() {
        Optional<Long> sum = pool.mapReduce(i -> (long) i * i, MapReduceTest::sumOnWorker, range(20_000));
        long expected = IntStream.range(0, 20_000).mapToLong(i -> (long) i * i).sum();
        assertEquals(Optional.of(expected), sum);
    }

    @Test
    void mapReduce_nonCommutativeReducer_keepsInputOrder() {
        List<Integer> in = range(3_000);
        String joined = pool.mapReduce(String::valueOf, MapReduceTest::concatOnWorker, in).orElseThrow();
        assertEquals(in.stream().map(String::valueOf).collect(Collectors.joining(",")), joined);
    }

    @Test
    void mapReduce_zeroAndOneInputs_asStreamReduceHasThem() {
        assertEquals(Optional.empty(), pool.mapReduce(i -> (long) i, MapReduceTest::sumOnWorker, List.<Integer>of()));
        assertEquals(0L, pool.mapReduce(i -> (long) i, 0L, MapReduceTest::sumOnWorker, List.<Integer>of()));
        assertEquals(Optional.of(49L), pool.mapReduce(i -> (long) i * i, MapReduceTest::sumOnWorker, List.of(7)));
        assertEquals(49L, pool.mapReduce(i -> (long) i * i, 0L, MapReduceTest::sumOnWorker, List.of(7)));
        assertEquals(5050L, pool.mapReduce(i -> (long) i, 0L, MapReduceTest::sumOnWorker, range(101)));
    }

    @Test
    void mapReduce_itemThatThrows_failsNamingTheCause() {
        CompletionException e = assertThrows(CompletionException.class, () -> pool.mapReduce(i -> {
            if (i == 777) {
                throw new IllegalArgumentException("item 777 is bad");
            }
            return (long) i;
        }, MapReduceTest::sumOnWorker, range(2_000)));
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
        assertEquals("item 777 is bad", e.getCause().getMessage());
        // The executor goes on.
        assertEquals(Optional.of(6L), pool.mapReduce(i -> (long) i, MapReduceTest::sumOnWorker, List.of(1, 2, 3)));
    }

    @Test
    void mapScan_givesEveryPrefix_inOrder() {
        // mapScan folds the runs' totals on the root (one reducer call per run), so any reducer here.
        List<Long> prefixes = pool.mapScan(i -> (long) i, Long::sum, range(5_000));
        assertEquals(5_000, prefixes.size());
        for (int i = 0; i < prefixes.size(); i++) {
            assertEquals((long) i * (i + 1) / 2, prefixes.get(i), "prefix " + i);
        }
        List<String> words = pool.mapScan(i -> "w" + i, (a, b) -> a + "," + b, range(300));
        List<String> expected = new ArrayList<>();
        StringBuilder acc = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            acc.append(i == 0 ? "" : ",").append("w").append(i);
            expected.add(acc.toString());
        }
        assertEquals(expected, words);
    }

    @Test
    void mapScan_emptyAndSingle() {
        assertTrue(pool.mapScan(i -> (long) i, Long::sum, List.<Integer>of()).isEmpty());
        assertEquals(List.of(9L), pool.mapScan(i -> (long) i * i, Long::sum, List.of(3)));
    }

    @Test
    void mapReduceAndMapUnordered_insideTasksThatFillEveryWorkerThread_doNotDeadlock() throws Exception {
        // Each outer task waits for its own subtasks; with every worker thread taken by an outer task, the
        // subtasks run only because a waiting task lends its slot.
        List<CompletableFuture<Long>> outer = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            long offset = t;
            outer.add(pool.submit(() -> {
                DistributedExecutor here = DistributedExecutor.current();
                long sum = here.mapReduce((Integer i) -> i + offset, 0L, (a, b) -> a + b, range(40));
                long count = here.mapUnordered((Integer i) -> i, range(40)).count();
                return sum + count;
            }));
        }
        for (int t = 0; t < 4; t++) {
            assertEquals(780 + 40L * t + 40, outer.get(t).get(60, TimeUnit.SECONDS));
        }
    }
}
