package io.scoop.apps;

import io.scoop.DistributedExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

/**
 * A root that hands {@code invokeAll} N plain lambdas, each capturing the same M MiB array (so each task
 * encodes to about M MiB, N x M in all), and checks every result. Run in a heap smaller than N x M, it shows
 * that {@code invokeAll} does not hold every encoded task at once. Prints
 * {@code invokeAll: N tasks of M MiB, F wrong, T ms, max heap H MiB}.
 */
public final class BigInvokeAllApp {
    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        int mib = Integer.parseInt(args[1]);
        byte[] data = new byte[mib << 20];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 + (i >>> 10));
        }
        CRC32 crc = new CRC32();
        crc.update(data);
        long expected = crc.getValue();
        try (DistributedExecutor pool = DistributedExecutor.builder().workers(2).build()) {
            long t0 = System.nanoTime();
            List<Callable<Long>> tasks = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                long k = i;
                tasks.add(() -> {
                    CRC32 c = new CRC32();
                    c.update(data);
                    return c.getValue() + k;
                });
            }
            List<Future<Long>> results = pool.invokeAll(tasks);
            int wrong = 0;
            for (int i = 0; i < n; i++) {
                if (results.get(i).get() != expected + i) {
                    wrong++;
                }
            }
            System.out.println("invokeAll: " + n + " tasks of " + mib + " MiB, " + wrong + " wrong, "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms, max heap "
                    + (Runtime.getRuntime().maxMemory() >> 20) + " MiB");
        }
    }
}
