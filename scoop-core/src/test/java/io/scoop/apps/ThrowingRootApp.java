package io.scoop.apps;

import io.scoop.DistributedExecutor;
import java.util.concurrent.ExecutorService;

/**
 * A root program whose main fails before it ever shuts its pool down, as real programs do when their first
 * submit is refused: {@code refused} submits a lambda that captures a thread (refused at submit), {@code early}
 * throws before any task. On a JDK pool such a program exits with status 1; so must it here.
 */
public final class ThrowingRootApp {
    public static void main(String[] args) {
        ExecutorService pool = DistributedExecutor.builder().workers(1)
                .jvmOptions("-XX:TieredStopAtLevel=1", "-Xshare:auto").build();
        if (args.length > 0 && args[0].equals("refused")) {
            Thread t = Thread.currentThread();
            pool.submit(() -> t.getName());
        }
        throw new IllegalStateException("main failed before shutdown()");
    }
}
