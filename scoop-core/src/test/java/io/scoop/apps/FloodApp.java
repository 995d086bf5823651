package io.scoop.apps;

import io.scoop.DistributedExecutor;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A root that submits N tiny tasks in a loop without keeping their futures, as a careless program would, then
 * waits for all of them: with backpressure it runs in a small heap ({@code -Xmx64m}). Prints
 * {@code flood: N tasks, F failed, T ms}.
 */
public final class FloodApp {
    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        DistributedExecutor pool = DistributedExecutor.builder().workers(2).build();
        CountDownLatch done = new CountDownLatch(n);
        AtomicLong failed = new AtomicLong();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            pool.submit(new Echo(i)).whenComplete((v, e) -> {
                if (e != null && failed.getAndIncrement() == 0) {
                    e.printStackTrace();
                }
                done.countDown();
            });
        }
        if (!done.await(10, TimeUnit.MINUTES)) {
            System.out.println("flood: timed out with " + done.getCount() + " tasks left");
            System.exit(1);
        }
        System.out.println("flood: " + n + " tasks, " + failed.get() + " failed, "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms, max heap "
                + (Runtime.getRuntime().maxMemory() >> 20) + " MiB");
        pool.shutdown();
    }

    /** Returns its number. */
    static final class Echo implements Callable<Integer> {
        final int value;

        Echo(int value) {
            this.value = value;
        }

        @Override
        public Integer call() {
            return value;
        }
    }
}
