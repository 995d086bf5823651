package io.scoop;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** progress(): the counts of an executor's work, on real workers. */
class ProgressTest {
    @Test
    void counts_tasksAndMapItems_succeededFailedInFlight() throws Exception {
        try (TestCluster cluster = TestCluster.start(2)) {
            DistributedExecutor ex = cluster.newExecutor();
            Progress before = ex.progress();
            assertEquals(new Progress(0, 0, 0, 0, Duration.ZERO), before);
            assertTrue(before.eta().isEmpty());

            for (int i = 0; i < 5; i++) {
                int n = i;
                assertEquals(n * 2, ex.submit(() -> n * 2).get(30, TimeUnit.SECONDS));
            }
            assertEquals(5, ex.progress().succeeded(), "a task whose get() returned is counted");
            CompletableFuture<Object> failing = ex.submit(() -> {
                throw new IllegalStateException("on purpose");
            });
            await().atMost(Duration.ofSeconds(30)).until(failing::isDone);
            // A map's items count one by one, however they travel in chunks.
            assertEquals(100, ex.map(x -> x + 1, IntStream.range(0, 100).boxed().toList()).count());
            await().atMost(Duration.ofSeconds(10)).until(() -> ex.progress().completed() == 106);

            // A task still running is in flight.
            CompletableFuture<Integer> slow = ex.submit(() -> {
                Thread.sleep(1500);
                return 1;
            });
            Progress during = ex.progress();
            assertEquals(107, during.submitted());
            assertEquals(1, during.inFlight(), during.toString());
            assertEquals(105, during.succeeded());
            assertEquals(1, during.failed());
            assertTrue(during.rate() > 0, during.toString());
            assertTrue(during.eta().isPresent(), during.toString());
            assertEquals(1, slow.get(30, TimeUnit.SECONDS));
            await().atMost(Duration.ofSeconds(10)).until(() -> ex.progress().inFlight() == 0);
            Progress after = ex.with(TaskOptions.defaults().label("view")).progress();
            assertEquals(List.of(107L, 106L, 1L, 0L), List.of(after.submitted(), after.succeeded(), after.failed(),
                    after.inFlight()));
            ex.shutdown();
            ex.awaitTermination(10, TimeUnit.SECONDS);
        }
    }
}
