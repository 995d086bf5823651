package io.scoop.examples;

import io.scoop.DistributedExecutor;
import io.scoop.Futures;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * SCOOP's {@code as_completed} and {@code wait}: {@code java -jar scoop-examples.jar ascompleted [n]}. Tasks
 * take different times; their results are handled in the order they finish, not the order they were
 * submitted, and {@code Futures.wait} returns at the first that finishes.
 */
public final class AsCompleted {
    private AsCompleted() {
    }

    /** Sleeps longer for smaller inputs, so the last submitted finish first. */
    static int slowSquare(int x, int n) throws InterruptedException {
        Thread.sleep(40L * (n - x));
        return x * x;
    }

    static void run(DistributedExecutor pool, PrintStream out, String... args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        List<CompletableFuture<Integer>> squares = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int x = i;
            squares.add(pool.submit(() -> slowSquare(x, n)));
        }
        Futures.Done<CompletableFuture<Integer>> first = Futures.wait(squares, Futures.ReturnWhen.FIRST_COMPLETED,
                Duration.ofMinutes(1));
        out.println("wait(FIRST_COMPLETED): " + first.done().size() + " done, " + first.notDone().size()
                + " still running or queued");
        int handled = 0;
        for (CompletableFuture<Integer> f : Futures.asCompleted(squares, Duration.ofMinutes(1))) {
            handled++;
            out.println("finished #" + handled + ": task " + squares.indexOf(f) + " -> " + f.join());
        }
        out.println("as completed: " + handled + " of " + n);
    }

    public static void main(String[] args) throws Exception {
        try (DistributedExecutor pool = new DistributedExecutor()) {
            run(pool, System.out, args);
        }
    }
}
