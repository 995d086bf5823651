package io.scoop.examples;

import io.scoop.DistributedExecutor;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * SCOOP's fullTree: every node of a binary tree is a task that submits its two children and waits for
 * them: {@code java -jar scoop-examples.jar tree [depth]}. A task that waits on a child gives its worker
 * slot away while it waits, so this finishes even on one single-threaded worker.
 */
public final class NestedTree {
    private NestedTree() {
    }

    /** Counts the nodes below and including this one. */
    static final class Node implements Callable<Long> {
        private final int depth;

        Node(int depth) {
            this.depth = depth;
        }

        @Override
        public Long call() throws Exception {
            if (depth == 0) {
                return 1L;
            }
            DistributedExecutor here = DistributedExecutor.current();
            CompletableFuture<Long> left = here.submit(new Node(depth - 1));
            CompletableFuture<Long> right = here.submit(new Node(depth - 1));
            return 1 + left.get() + right.get();
        }
    }

    static void run(DistributedExecutor pool, PrintStream out, String... args) throws Exception {
        int depth = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        long start = System.nanoTime();
        long nodes = pool.submit(new Node(depth)).get();
        out.printf("tree of depth %d: %d nodes, one task each, in %.2f s%n", depth, nodes,
                (System.nanoTime() - start) / 1e9);
    }

    public static void main(String[] args) throws Exception {
        try (DistributedExecutor pool = new DistributedExecutor()) {
            run(pool, System.out, args);
        }
    }
}
