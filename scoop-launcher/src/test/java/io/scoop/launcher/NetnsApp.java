package io.scoop.launcher;

import io.scoop.DistributedExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A root program that reports where its tasks ran: {@code NetnsApp WORKERS} waits for that many workers, then
 * runs eight tasks that each print and return their pid and network namespace ({@code /proc/self/ns/net},
 * e.g. {@code net:[4026532177]}), and prints the sets it got back and its own namespace.
 */
public final class NetnsApp {
    private NetnsApp() {
    }

    public static void main(String[] args) throws Exception {
        int expectedWorkers = Integer.parseInt(args[0]);
        DistributedExecutor ex = new DistributedExecutor();
        try {
            Awaitility.await("all " + expectedWorkers + " workers connected to the broker, per " + ex)
                    .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> ex.workerCount() >= expectedWorkers);
            List<CompletableFuture<String>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int id = i;
                futures.add(ex.submit(() -> {
                    String where = ProcessHandle.current().pid() + " " + netns();
                    System.out.println("task " + id + " ran in pid " + where);
                    return where;
                }));
            }
            Set<String> pids = new TreeSet<>();
            Set<String> namespaces = new TreeSet<>();
            for (CompletableFuture<String> f : futures) {
                String[] where = f.get(30, TimeUnit.SECONDS).split(" ");
                pids.add(where[0]);
                namespaces.add(where[1]);
            }
            System.out.println("pids=" + pids);
            System.out.println("task namespaces=" + namespaces);
            System.out.println("root namespace=" + netns());
        } finally {
            ex.shutdown();
        }
    }

    /** This process's network namespace, e.g. {@code net:[4026531833]}. */
    static String netns() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
