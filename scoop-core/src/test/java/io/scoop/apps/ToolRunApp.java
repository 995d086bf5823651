package io.scoop.apps;

import io.scoop.DistributedExecutor;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A program on the embedded default, as run by {@code mvn exec:java} in the test: prints which loader
 * loaded it and the sum of squares computed on two worker JVMs.
 */
public final class ToolRunApp {
    private ToolRunApp() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("loader=" + ToolRunApp.class.getClassLoader().getClass().getName());
        DistributedExecutor pool = DistributedExecutor.builder().workers(2)
                .jvmOptions("-XX:TieredStopAtLevel=1", "-Xshare:auto").build();
        try {
            List<Integer> inputs = IntStream.rangeClosed(1, 20).boxed().toList();
            long sum = pool.map(x -> (long) x * x, inputs).mapToLong(Long::longValue).sum();
            long pids = pool.invokeAll(List.of(() -> ProcessHandle.current().pid(),
                    () -> ProcessHandle.current().pid())).size();
            System.out.println("sum=" + sum + " tasks=" + (inputs.size() + pids));
        } finally {
            pool.shutdown();
        }
    }
}
