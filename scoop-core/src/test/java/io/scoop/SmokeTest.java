package io.scoop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void submitAndMap() throws Exception {
        try (TestCluster cluster = TestCluster.start(2)) {
            DistributedExecutor ex = cluster.newExecutor();
            assertEquals(42, ex.submit(() -> 6 * 7).get(30, TimeUnit.SECONDS));
            List<Integer> out = ex.map(x -> x + 1, IntStream.range(0, 20000).boxed()).collect(Collectors.toList());
            assertEquals(20000, out.size());
            for (int i = 0; i < out.size(); i++) {
                assertEquals(i + 1, out.get(i));
            }
            ex.shutdown();
            ex.awaitTermination(10, TimeUnit.SECONDS);
        }
    }
}
