package io.scoop.examples;

import io.scoop.DistributedExecutor;
import java.io.PrintStream;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * SCOOP's {@code add_done_callback}: {@code java -jar scoop-examples.jar callbacks [n]}. A callback runs in
 * this JVM when its task's result arrives, with the result or the failure; callbacks added to a future that
 * is already done run at once.
 */
public final class Callbacks {
    private Callbacks() {
    }

    static int cube(int x) {
        if (x == 3) {
            throw new IllegalStateException("three is not welcome");
        }
        return x * x * x;
    }

    static void run(DistributedExecutor pool, PrintStream out, String... args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 6;
        Map<Integer, String> seen = new TreeMap<>();
        CountDownLatch called = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            int x = i;
            CompletableFuture<Integer> f = pool.submit(() -> cube(x));
            // The failure is the task's own exception (a stage after this one would see it wrapped in a
            // CompletionException).
            f.whenComplete((result, failure) -> {
                synchronized (seen) {
                    seen.put(x, failure == null ? "cube = " + result
                            : "failed: " + failure.getClass().getSimpleName() + ": " + failure.getMessage());
                }
                called.countDown();
            });
        }
        if (!called.await(1, TimeUnit.MINUTES)) {
            throw new IllegalStateException("callbacks did not all run within a minute");
        }
        seen.forEach((x, what) -> out.println("callback for " + x + ": " + what));
        CompletableFuture<Integer> done = pool.submit(() -> cube(10));
        done.join();
        done.thenAccept(v -> out.println("added after it was done, ran at once: " + v));
    }

    public static void main(String[] args) throws Exception {
        try (DistributedExecutor pool = new DistributedExecutor()) {
            run(pool, System.out, args);
        }
    }
}
