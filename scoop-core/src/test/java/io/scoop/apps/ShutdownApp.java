package io.scoop.apps;

import io.scoop.DistributedExecutor;
import java.util.concurrent.Future;

/**
 * A root program as users write them: embedded default, one task, shutdown(), main returns. No
 * System.exit: the JVM must end by itself. Prints the worker's pid so the test can check it ended too.
 */
public final class ShutdownApp {
    public static void main(String[] args) throws Exception {
        DistributedExecutor pool = DistributedExecutor.builder().workers(1)
                .jvmOptions("-XX:TieredStopAtLevel=1", "-Xshare:auto").build();
        Future<Long> pid = pool.submit(() -> ProcessHandle.current().pid());
        System.out.println("worker-pid=" + pid.get());
        System.out.println("answer=" + pool.submit(() -> 6 * 7).get());
        pool.shutdown();
    }
}
