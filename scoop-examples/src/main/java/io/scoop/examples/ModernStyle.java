package io.scoop.examples;

import io.scoop.DistributedExecutor;
import java.security.PrivilegedAction;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

/**
 * A program written for a thread pool in today's Java — plain lambdas through an {@code ExecutorService},
 * method references, streams, {@code CompletableFuture} pipelines, the JDK's own adapters — with its one line
 * changed: {@code java -jar scoop-examples.jar modern}. Nothing in it is serializable or knows about Scoop
 * except that line. It prints one line per check, then whether the tasks ran in other JVMs.
 */
public final class ModernStyle {
    private final ExecutorService pool;
    private final int offset = 1000;

    ModernStyle(ExecutorService pool) {
        this.pool = pool;
    }

    public static void main(String[] args) throws Exception {
        ExecutorService pool = new DistributedExecutor(); // was: Executors.newFixedThreadPool(2)
        ModernStyle program = new ModernStyle(pool);
        program.run().forEach(System.out::println);
        System.out.println("tasks ran in another JVM: " + !program.workerPids().contains(ProcessHandle.current().pid()));
        pool.shutdown();
    }

    static int square(int x) {
        return x * x;
    }

    static long pid() {
        return ProcessHandle.current().pid();
    }

    String post(int x) {
        return "post(" + (x + offset) + ")";
    }

    /** The checks, one line each; the same lines on a thread pool and on Scoop. */
    List<String> run() throws Exception {
        List<String> out = new ArrayList<>();
        int x = 7;
        String word = "distributed";

        out.add("submit lambda: " + pool.submit(() -> square(x)).get());
        out.add("submit runnable: " + pool.submit(() -> System.out.print("")).get());
        out.add("submit bound method ref: " + pool.submit(word::length).get());

        List<Callable<Integer>> tasks = IntStream.range(0, 10).<Callable<Integer>>mapToObj(i -> () -> square(i))
                .toList();
        List<Integer> squares = new ArrayList<>();
        for (Future<Integer> f : pool.invokeAll(tasks)) {
            squares.add(f.get());
        }
        out.add("invokeAll: " + squares);
        out.add("invokeAny: " + pool.invokeAny(List.of(() -> square(12))));

        ExecutorCompletionService<Integer> ecs = new ExecutorCompletionService<>(pool);
        for (int i = 1; i <= 4; i++) {
            int n = i;
            ecs.submit(() -> n * 10);
        }
        int sum = 0;
        for (int i = 0; i < 4; i++) {
            sum += ecs.take().get();
        }
        out.add("completion service sum: " + sum);

        out.add("supplyAsync then thenApplyAsync(this::post): "
                + CompletableFuture.supplyAsync(() -> square(x), pool).thenApplyAsync(this::post, pool).get());
        out.add("thenApplyAsync(String::length): "
                + CompletableFuture.supplyAsync(() -> word, pool).thenApplyAsync(String::length, pool).get());
        out.add("supplyAsync(StringBuilder::new): "
                + CompletableFuture.supplyAsync(StringBuilder::new, pool).thenApplyAsync(sb -> sb.append("built"), pool)
                        .get());
        out.add("runAsync: " + CompletableFuture.runAsync(() -> square(x), pool).get());
        CompletableFuture<Integer> a = CompletableFuture.supplyAsync(() -> 20, pool);
        CompletableFuture<Integer> b = CompletableFuture.supplyAsync(() -> 22, pool);
        out.add("thenCombineAsync: " + a.thenCombineAsync(b, Integer::sum, pool).get());
        out.add("thenComposeAsync: " + a.thenComposeAsync(v -> CompletableFuture.supplyAsync(() -> v * 2, pool), pool)
                .get());
        out.add("handleAsync of a failure: " + CompletableFuture.supplyAsync(() -> {
            if (x > 0) {
                throw new IllegalArgumentException("no");
            }
            return x;
        }, pool).handleAsync((v, e) -> e.getCause().getClass().getSimpleName(), pool).get());
        out.add("whenCompleteAsync: " + a.whenCompleteAsync((v, e) -> square(v), pool).get());
        out.add("thenAcceptAsync: " + a.thenAcceptAsync(v -> square(v), pool).get());

        List<CompletableFuture<Integer>> fanOut = IntStream.range(0, 16)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> square(i), pool)).toList();
        CompletableFuture.allOf(fanOut.toArray(new CompletableFuture<?>[0])).get();
        out.add("allOf over 16 supplyAsync: " + fanOut.stream().mapToInt(CompletableFuture::join).sum());

        out.add("Executors.callable(runnable, result): " + pool.submit(Executors.callable(() -> square(x), "done"))
                .get());
        PrivilegedAction<String> action = () -> "privileged " + square(3);
        out.add("Executors.callable(PrivilegedAction): " + pool.submit(Executors.callable(action)).get());
        return out;
    }

    /** The pids of the JVMs that tasks of each kind ran in. */
    Set<Long> workerPids() throws Exception {
        Set<Long> pids = new TreeSet<>();
        pids.add(pool.submit(() -> pid()).get());
        pids.add(CompletableFuture.supplyAsync(ModernStyle::pid, pool).get());
        pids.add(CompletableFuture.completedFuture(1).thenApplyAsync(v -> pid(), pool).get());
        pids.add(CompletableFuture.completedFuture(1).thenCombineAsync(CompletableFuture.completedFuture(2),
                (u, v) -> pid(), pool).get());
        for (Future<Long> f : pool.invokeAll(IntStream.range(0, 8).<Callable<Long>>mapToObj(i -> ModernStyle::pid)
                .toList())) {
            pids.add(f.get());
        }
        return pids;
    }
}
