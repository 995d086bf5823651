package io.scoop.examples;

import io.scoop.DistributedExecutor;
import io.scoop.Shared;
import java.io.PrintStream;
import java.util.stream.IntStream;

/**
 * SCOOP's shared constants ({@code shared.setConst}): {@code java -jar scoop-examples.jar shared [mb]}. A large
 * table is shared once; each worker fetches it the first time a task needs it and keeps it, so a thousand
 * tasks that read it do not carry it a thousand times.
 */
public final class SharedData {
    private SharedData() {
    }

    static void run(DistributedExecutor pool, PrintStream out, String... args) {
        int mb = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        double[] table = new double[mb * 1024 * 1024 / Double.BYTES];
        for (int i = 0; i < table.length; i++) {
            table[i] = i % 1000;
        }
        Shared<double[]> shared = pool.share(table);
        int tasks = 1000;
        int stride = table.length / tasks;
        double total = pool.map((Integer t) -> {
            double[] t0 = shared.get(); // fetched once per worker, then found in its cache
            double s = 0;
            for (int i = t * stride; i < (t + 1) * stride; i++) {
                s += t0[i];
            }
            return s;
        }, IntStream.range(0, tasks).boxed()).mapToDouble(Double::doubleValue).sum();
        double expected = 0;
        for (int i = 0; i < tasks * stride; i++) {
            expected += table[i];
        }
        out.printf("%d tasks read a shared %d MB table: sum %.0f (expected %.0f)%n", tasks, mb, total, expected);
    }

    public static void main(String[] args) {
        try (DistributedExecutor pool = new DistributedExecutor()) {
            run(pool, System.out, args);
        }
    }
}
