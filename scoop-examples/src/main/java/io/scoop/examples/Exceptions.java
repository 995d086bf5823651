package io.scoop.examples;

import io.scoop.DistributedExecutor;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * SCOOP's exception handling: {@code java -jar scoop-examples.jar exceptions}. An exception thrown by a task on
 * a worker comes back as the cause of the {@code ExecutionException} that {@code get} throws, with its own
 * type, message and the worker's stack trace; the other tasks are not affected, and a map stops at the first
 * failure in input order.
 */
public final class Exceptions {
    private Exceptions() {
    }

    static double inverse(int x) {
        if (x == 0) {
            throw new ArithmeticException("no inverse of 0");
        }
        return 1.0 / x;
    }

    static void run(DistributedExecutor pool, PrintStream out, String... args) throws Exception {
        List<CompletableFuture<Double>> inverses = new ArrayList<>();
        for (int x = -2; x <= 2; x++) {
            int v = x;
            inverses.add(pool.submit(() -> inverse(v)));
        }
        for (int i = 0; i < inverses.size(); i++) {
            int x = i - 2;
            try {
                out.println("1/" + x + " = " + inverses.get(i).get());
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                StackTraceElement where = cause.getStackTrace()[0];
                out.println("1/" + x + " failed: " + cause.getClass().getName() + ": " + cause.getMessage()
                        + " (thrown at " + where.getClassName() + "." + where.getMethodName() + ")");
            }
        }
        double fallback = pool.submit(() -> inverse(0)).exceptionally(e -> Double.NaN).get();
        out.println("with a fallback: " + fallback);
        try {
            pool.map(Exceptions::inverse, List.of(1, 0, 2)).forEach(v -> out.println("mapped " + v));
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            out.println("map stopped at the failure: " + cause.getClass().getSimpleName() + ": " + cause.getMessage());
        }
    }

    public static void main(String[] args) throws Exception {
        try (DistributedExecutor pool = new DistributedExecutor()) {
            run(pool, System.out, args);
        }
    }
}
