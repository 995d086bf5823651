package io.scoop.examples;

import io.scoop.DistributedExecutor;
import java.io.PrintStream;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * SCOOP's first example, {@code futures.map}, in Java: {@code java -jar scoop-examples.jar map [n]}.
 * Results come back in input order, each as soon as it and those before it are done; {@code mapUnordered}
 * gives them as they finish.
 */
public final class OrderedMap {
    private OrderedMap() {
    }

    static String describe(int x) throws InterruptedException {
        Thread.sleep(10L * (x % 5));
        return x + "^2 = " + (x * x) + " (worker pid " + ProcessHandle.current().pid() + ")";
    }

    static void run(DistributedExecutor pool, PrintStream out, String... args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        pool.map(OrderedMap::describe, IntStream.range(0, n).boxed()).forEach(out::println);
        List<Integer> firstDone = pool.mapUnordered((Integer x) -> x, IntStream.range(0, n).boxed())
                .collect(Collectors.toList());
        out.println("unordered: " + firstDone);
    }

    public static void main(String[] args) {
        try (DistributedExecutor pool = new DistributedExecutor()) {
            run(pool, System.out, args);
        }
    }
}
