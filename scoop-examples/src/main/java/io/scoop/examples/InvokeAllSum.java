package io.scoop.examples;

import io.scoop.DistributedExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * A program written for a thread pool, with its one line changed: {@code java -jar scoop-examples.jar
 * invokeall [tasks]}. The tasks are anonymous classes that capture locals (and need not be Serializable);
 * {@code invokeAll} returns their futures in task order.
 */
public final class InvokeAllSum {
    private InvokeAllSum() {
    }

    public static void main(String[] args) throws Exception {
        int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        long[] data = new long[1_000_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = i;
        }
        // before: ExecutorService pool = Executors.newFixedThreadPool(8);
        ExecutorService pool = new DistributedExecutor();
        List<Callable<Long>> parts = new ArrayList<>();
        int slice = data.length / tasks;
        for (int t = 0; t < tasks; t++) {
            int from = t * slice;
            int to = t == tasks - 1 ? data.length : from + slice;
            long[] part = java.util.Arrays.copyOfRange(data, from, to);
            parts.add(new Callable<>() {
                @Override
                public Long call() {
                    long s = 0;
                    for (long v : part) {
                        s += v;
                    }
                    return s;
                }
            });
        }
        long total = 0;
        for (Future<Long> f : pool.invokeAll(parts)) {
            total += f.get();
        }
        System.out.println("sum of 0.." + (data.length - 1) + " = " + total + " (expected "
                + ((long) data.length * (data.length - 1) / 2) + ")");
        pool.shutdown();
    }
}
