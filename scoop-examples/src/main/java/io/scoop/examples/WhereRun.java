package io.scoop.examples;

import io.scoop.DistributedExecutor;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * Which node each task ran on: {@code java -jar scoop-examples.jar where [tasks] [millisPerTask] [workers]}, the
 * last one the number of workers to wait for (up to a minute) before the first task, so that every node of a
 * cluster whose workers start slowly gets some. Each task
 * waits a while (so that every worker gets some) and returns the name of its node: {@code SLURMD_NODENAME} in a
 * Slurm job, else the host's name ({@code HOSTNAME}, else the name this machine gives itself). The root prints
 * one line per task, then how many tasks each node ran: a check that a cluster run covers all its nodes.
 */
public final class WhereRun {
    private WhereRun() {
    }

    /** The name of the node this JVM runs on, as the batch scheduler gives it if there is one. */
    static String node() {
        for (String var : List.of("SLURMD_NODENAME", "HOSTNAME")) {
            String v = System.getenv(var);
            if (v != null && !v.isBlank()) {
                return v.strip();
            }
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }

    static void run(DistributedExecutor pool, PrintStream out, String... args) {
        int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 24;
        long millis = args.length > 1 ? Long.parseLong(args[1]) : 200;
        int await = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (pool.workerCount() < await && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (await > 0) {
            out.println(pool.workerCount() + " workers connected (waited for " + await + ")");
        }
        Map<String, Integer> perNode = new TreeMap<>();
        List<String> ran = pool.map((Integer i) -> {
            Thread.sleep(millis);
            return node();
        }, IntStream.range(0, tasks).boxed().toList()).toList();
        for (int i = 0; i < ran.size(); i++) {
            out.println("task " + i + " ran on " + ran.get(i));
            perNode.merge(ran.get(i), 1, Integer::sum);
        }
        StringBuilder sb = new StringBuilder("tasks per node:");
        perNode.forEach((node, n) -> sb.append(' ').append(node).append('=').append(n));
        out.println(sb);
    }

    public static void main(String[] args) {
        try (DistributedExecutor pool = new DistributedExecutor()) {
            run(pool, System.out, args);
        }
    }
}
