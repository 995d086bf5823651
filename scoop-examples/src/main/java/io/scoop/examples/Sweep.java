package io.scoop.examples;

import io.scoop.DistributedExecutor;
import io.scoop.Futures;
import io.scoop.Shared;
import io.scoop.TaskOptions;
import io.scoop.TaskRecord;
import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A parameter sweep: one function of (shared data, parameter) over a list of parameters, the data sent once.
 * {@code java -jar scoop-examples.jar sweep}. Each parameter is a task labelled with it, so its printed lines
 * come out prefixed with the parameter and are kept on its future ({@link TaskRecord}); a parameter that
 * fails is reported beside the others' results, and the wait has a deadline.
 */
public final class Sweep {
    private Sweep() {
    }

    /** A damped fit of the samples for one smoothing parameter; refuses a negative one. */
    static double fit(double[] samples, double alpha) {
        if (alpha < 0) {
            throw new IllegalArgumentException("alpha must be at least 0, not " + alpha);
        }
        double level = samples[0];
        double error = 0;
        for (int i = 1; i < samples.length; i++) {
            error += (samples[i] - level) * (samples[i] - level);
            level += alpha * (samples[i] - level);
        }
        double rms = Math.sqrt(error / (samples.length - 1));
        System.out.printf("alpha %.2f: rms %.4f over %d samples%n", alpha, rms, samples.length);
        return rms;
    }

    static double[] samples(int n) {
        SplittableRandom random = new SplittableRandom(42);
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            s[i] = Math.sin(i / 500.0) + 0.1 * random.nextGaussian();
        }
        return s;
    }

    static void run(DistributedExecutor pool, PrintStream out, String... args) throws Exception {
        Shared<double[]> data = pool.share(samples(args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000));
        List<Double> alphas = List.of(0.01, 0.05, 0.1, 0.3, -1.0, 0.6, 1.0);
        Map<Double, CompletableFuture<Double>> sweep = new LinkedHashMap<>();
        for (double alpha : alphas) {
            sweep.put(alpha, pool.with(TaskOptions.defaults().label("alpha=" + alpha))
                    .submit(() -> fit(data.get(), alpha)));
        }
        Futures.Done<CompletableFuture<Double>> done = Futures.wait(sweep.values(), Futures.ReturnWhen.ALL_COMPLETED,
                Duration.ofMinutes(10));
        out.println(done.done().size() + " of " + sweep.size() + " parameters done");
        double best = Double.NaN;
        double bestRms = Double.POSITIVE_INFINITY;
        for (Map.Entry<Double, CompletableFuture<Double>> e : sweep.entrySet()) {
            try {
                double rms = e.getValue().join();
                String printed = TaskRecord.of(e.getValue()).map(TaskRecord::out).orElse("").strip();
                out.printf("alpha %5.2f  rms %.4f  printed: %s%n", e.getKey(), rms, printed);
                if (rms < bestRms) {
                    bestRms = rms;
                    best = e.getKey();
                }
            } catch (CompletionException failed) {
                out.printf("alpha %5.2f  failed: %s%n", e.getKey(), failed.getCause().getMessage());
            }
        }
        out.printf("best alpha %.2f (rms %.4f)%n", best, bestRms);
    }

    public static void main(String[] args) throws Exception {
        try (DistributedExecutor pool = new DistributedExecutor()) {
            run(pool, System.out, args);
        }
    }
}
