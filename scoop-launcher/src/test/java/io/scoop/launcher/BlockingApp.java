package io.scoop.launcher;

import io.scoop.DistributedExecutor;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;

/**
 * A root program that never ends by itself: its one task announces itself on the worker, then waits on a
 * latch nobody counts down, and the root waits for that task. Only stopping the launcher ends it.
 */
public final class BlockingApp {
    private BlockingApp() {
    }

    public static void main(String[] args) throws Exception {
        DistributedExecutor ex = new DistributedExecutor();
        Future<Object> f = ex.submit(() -> {
            System.out.println("blocking task started");
            new CountDownLatch(1).await();
            return null;
        });
        System.out.println("root is waiting for the blocking task");
        f.get();
    }
}
