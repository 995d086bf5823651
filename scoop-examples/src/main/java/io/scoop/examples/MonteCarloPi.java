package io.scoop.examples;

import io.scoop.DistributedExecutor;
import java.io.PrintStream;
import java.util.SplittableRandom;
import java.util.stream.LongStream;

/**
 * Estimates pi by throwing darts, one batch of darts per task, the counts summed on the workers as they
 * arrive ({@code mapReduce}): {@code java -jar scoop-examples.jar pi [batches] [dartsPerBatch]}. Each batch
 * has its own fixed seed, so the estimate is the same on any number of workers.
 */
public final class MonteCarloPi {
    private MonteCarloPi() {
    }

    /** Darts of one batch that land inside the quarter circle. */
    static long hits(long seed, long darts) {
        SplittableRandom random = new SplittableRandom(seed);
        long hits = 0;
        for (long i = 0; i < darts; i++) {
            double x = random.nextDouble();
            double y = random.nextDouble();
            if (x * x + y * y <= 1.0) {
                hits++;
            }
        }
        return hits;
    }

    static void run(DistributedExecutor pool, PrintStream out, String... args) {
        int batches = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        long darts = args.length > 1 ? Long.parseLong(args[1]) : 1_000_000;
        long start = System.nanoTime();
        long hits = pool.mapReduce((Long seed) -> hits(seed, darts), 0L, Long::sum,
                LongStream.range(0, batches).boxed().toList());
        double pi = 4.0 * hits / (batches * darts);
        out.printf("pi ~ %.6f from %,d darts in %d tasks on %d workers, %.2f s%n", pi, batches * darts,
                batches, pool.workerCount(), (System.nanoTime() - start) / 1e9);
    }

    public static void main(String[] args) {
        try (DistributedExecutor pool = new DistributedExecutor()) {
            run(pool, System.out, args);
        }
    }
}
