package io.scoop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tasks that write into what they captured, as thread-pool programs do, run on copies in worker JVMs: their
 * writes come back and land in this JVM's objects, or the future fails with a {@link CapturedWriteException}
 * naming what was written; never a silently wrong result.
 */
class WriteBackTest {
    private static TestCluster cluster;
    private static ExecutorService pool;

    private final double[] squares = new double[30];

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

    private static void getAll(List<? extends Future<?>> futures) throws Exception {
        for (Future<?> f : futures) {
            f.get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void runnablesWritingIntoACapturedArray_resultsLandHere() throws Exception {
        long[] results = new long[40];
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < results.length; i++) {
            int n = i;
            futures.add(pool.submit(() -> {
                results[n] = (long) n * n;
            }));
        }
        getAll(futures);
        assertArrayEquals(IntStream.range(0, 40).mapToLong(i -> (long) i * i).toArray(), results);
    }

    @Test
    void anonymousRunnablesWritingIntoTheirOwnersArray_resultsLandHere() throws Exception {
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < squares.length; i++) {
            int n = i;
            futures.add(pool.submit(new Runnable() {
                @Override
                public void run() {
                    squares[n] = Math.sqrt(n);
                }
            }));
        }
        getAll(futures);
        for (int i = 0; i < squares.length; i++) {
            assertEquals(Math.sqrt(i), squares[i]);
        }
    }

    @Test
    void callablesRewritingSlicesOfASharedBuffer_inPlace() throws Exception {
        int[] buffer = new int[100];
        List<Callable<Integer>> tasks = new ArrayList<>();
        for (int s = 0; s < 4; s++) {
            int from = s * 25;
            tasks.add(() -> {
                int sum = 0;
                for (int i = from; i < from + 25; i++) {
                    buffer[i] = i + 1;
                    sum += buffer[i];
                }
                return sum;
            });
        }
        int total = 0;
        for (Future<Integer> f : pool.invokeAll(tasks)) {
            total += f.get();
        }
        assertEquals(5050, total);
        assertArrayEquals(IntStream.rangeClosed(1, 100).toArray(), buffer);
    }

    @Test
    void listsMapsAndCounters_collectWhatEveryTaskAdded() throws Exception {
        List<Integer> list = Collections.synchronizedList(new ArrayList<>());
        Map<Integer, AtomicInteger> counts = new ConcurrentHashMap<>();
        AtomicInteger done = new AtomicInteger();
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int n = i;
            futures.add(pool.submit(() -> {
                list.add(n);
                counts.computeIfAbsent(n % 3, k -> new AtomicInteger()).incrementAndGet();
                done.incrementAndGet();
            }));
        }
        getAll(futures);
        List<Integer> sorted = new ArrayList<>(list);
        Collections.sort(sorted);
        assertEquals(IntStream.range(0, 20).boxed().toList(), sorted);
        assertEquals(Map.of(0, 7, 1, 7, 2, 6), counts.entrySet().stream().collect(
                java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get())));
        assertEquals(20, done.get());
    }

    @Test
    void twoTasksInFlightWritingDifferentValuesToOneElement_theLaterFailsNamingIt() throws Exception {
        int[] cell = new int[1];
        List<Callable<Object>> tasks = List.of(
                () -> {
                    Thread.sleep(300);
                    cell[0] = 1;
                    return null;
                },
                () -> {
                    Thread.sleep(300);
                    cell[0] = 2;
                    return null;
                });
        List<Future<Object>> futures = pool.invokeAll(tasks);
        int failed = 0;
        for (Future<Object> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                CapturedWriteException c = assertInstanceOf(CapturedWriteException.class, e.getCause());
                assertTrue(c.getMessage().contains("element 0 of the int[1]"), c.getMessage());
                failed++;
            }
        }
        assertEquals(1, failed);
        assertTrue(cell[0] == 1 || cell[0] == 2);
        // Written again later, by a task that saw the first write: no conflict.
        pool.submit(() -> {
            cell[0] = 3;
        }).get(60, TimeUnit.SECONDS);
        assertEquals(3, cell[0]);
    }

    @Test
    void twoTasksInFlightSettingOneKeyToDifferentValues_theLaterFailsNamingTheKey() throws Exception {
        Map<String, Integer> map = new ConcurrentHashMap<>();
        List<Callable<Object>> tasks = List.of(
                () -> {
                    Thread.sleep(300);
                    return map.merge("k", 1, Integer::sum);
                },
                () -> {
                    Thread.sleep(300);
                    return map.merge("k", 2, Integer::sum);
                });
        int failed = 0;
        for (Future<Object> f : pool.invokeAll(tasks)) {
            try {
                f.get();
            } catch (ExecutionException e) {
                CapturedWriteException c = assertInstanceOf(CapturedWriteException.class, e.getCause());
                assertTrue(c.getMessage().contains("set key k of the ConcurrentHashMap"), c.getMessage());
                failed++;
            }
        }
        assertEquals(1, failed);
    }

    @Test
    void removingFromACapturedList_failsNamingTheList() {
        List<String> names = new ArrayList<>(List.of("a", "b"));
        ExecutionException e = assertThrows(ExecutionException.class, () -> pool.submit(() -> {
            names.remove(0);
        }).get(60, TimeUnit.SECONDS));
        CapturedWriteException c = assertInstanceOf(CapturedWriteException.class, e.getCause());
        assertTrue(c.getMessage().contains("removed 1 elements from the ArrayList"), c.getMessage());
        assertEquals(List.of("a", "b"), names);
    }
}
