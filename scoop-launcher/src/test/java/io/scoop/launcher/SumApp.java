package io.scoop.launcher;

import io.scoop.DistributedExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;

/**
 * A root program for the launcher tests: {@code SumApp N WORKERS} sums the squares of 1..N on the workers,
 * then runs eight tasks that report the pid they ran in, and prints what a test needs to check that the
 * tasks ran on the launcher's workers: the sum, the workers' pids, its own pid and how many children it has.
 */
public final class SumApp {
    private SumApp() {
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        int expectedWorkers = Integer.parseInt(args[1]);
        DistributedExecutor ex = new DistributedExecutor();
        try {
            // Wait until every worker has joined, so that the tasks below spread over all of them.
            Awaitility.await("all " + expectedWorkers + " workers connected to the broker, per " + ex)
                    .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> ex.workerCount() >= expectedWorkers);
            long sum = ex.map((Integer x) -> (long) x * x, IntStream.rangeClosed(1, n).boxed().toList())
                    .mapToLong(Long::longValue).sum();
            System.out.println("sum=" + sum);
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int id = i;
                futures.add(ex.submit(() -> {
                    long pid = ProcessHandle.current().pid();
                    System.out.println("task " + id + " ran in pid " + pid);
                    return pid;
                }));
            }
            Set<Long> pids = new TreeSet<>();
            for (CompletableFuture<Long> f : futures) {
                pids.add(f.get(30, TimeUnit.SECONDS));
            }
            System.out.println("pids=" + pids);
            System.out.println("root pid=" + ProcessHandle.current().pid());
            System.out.println("root children=" + ProcessHandle.current().children().count());
        } finally {
            ex.shutdown();
        }
    }
}
