package io.scoop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** SCOOP's wait and as_completed over futures of tasks running on real workers. */
class FuturesTest {
    private static TestCluster cluster;
    private static ExecutorService pool;

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

    private static CompletableFuture<Integer> after(long millis, int value) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return value;
        }, pool);
    }

    private static CompletableFuture<Integer> failing() {
        return CompletableFuture.supplyAsync(() -> {
            throw new IllegalStateException("failed on purpose");
        }, pool);
    }

    @Test
    void firstException_returnsWhenOneFails_withoutWaitingForASlowSibling() throws Exception {
        CompletableFuture<Integer> slow = after(20_000, 1);
        CompletableFuture<Integer> bad = failing();
        long t0 = System.nanoTime();
        Futures.Done<CompletableFuture<Integer>> d = Futures.wait(List.of(slow, bad), Futures.ReturnWhen.FIRST_EXCEPTION,
                Duration.ofSeconds(30));
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(15), "returned before the slow task");
        assertEquals(Set.of(bad), d.done());
        assertEquals(Set.of(slow), d.notDone());
        slow.cancel(true);
    }

    @Test
    @Tag("slow") // over 10 s: run by .ci/run with the slow group
    void firstCompleted_and_allCompleted() throws Exception {
        CompletableFuture<Integer> quick = after(0, 1);
        CompletableFuture<Integer> later = after(500, 2);
        Futures.Done<CompletableFuture<Integer>> first = Futures.wait(List.of(later, quick),
                Futures.ReturnWhen.FIRST_COMPLETED, null);
        assertTrue(first.done().contains(quick) || first.done().contains(later));
        Futures.Done<CompletableFuture<Integer>> all = Futures.wait(List.of(later, quick),
                Futures.ReturnWhen.ALL_COMPLETED, Duration.ofSeconds(30));
        assertEquals(List.of(later, quick), new ArrayList<>(all.done()));
        assertTrue(all.notDone().isEmpty());
        assertTrue(Futures.wait(List.<CompletableFuture<Integer>>of(), Futures.ReturnWhen.ALL_COMPLETED, null)
                .done().isEmpty());
    }

    @Test
    void wait_timesOut_sayingWhatIsNotDone() throws Exception {
        CompletableFuture<Integer> slow = after(20_000, 1);
        Futures.Done<CompletableFuture<Integer>> d = Futures.wait(List.of(slow), Futures.ReturnWhen.ALL_COMPLETED,
                Duration.ofMillis(200));
        assertEquals(Set.of(slow), d.notDone());
        slow.cancel(true);
    }

    @Test
    void asCompleted_yieldsInCompletionOrder_thenTimesOut() {
        CompletableFuture<Integer> first = after(0, 1);
        first.join();
        CompletableFuture<Integer> second = after(1_500, 2);
        CompletableFuture<Integer> never = after(20_000, 3);
        Iterator<CompletableFuture<Integer>> it = Futures.asCompleted(List.of(never, second, first),
                Duration.ofSeconds(8)).iterator();
        assertEquals(1, it.next().join());
        assertEquals(2, it.next().join());
        Futures.AsCompletedTimeoutException e = assertThrows(Futures.AsCompletedTimeoutException.class, it::next);
        assertInstanceOf(TimeoutException.class, e.getCause());
        assertTrue(e.getMessage().contains("1 of 3 futures were not done"), e.getMessage());
        never.cancel(true);
    }
}
