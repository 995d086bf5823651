package io.scoop.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A thread-pool baseline in a JVM of its own, forked like a worker ({@code Bench pool-jvm}, the worker JVMs'
 * options, nothing else running in it): no Scoop root, broker, JeroMQ I/O threads, watchdogs or idle executors
 * share its CPU, heap or JIT profile. The parent talks to it one line at a time over its stdin and stdout:
 * <ul>
 *   <li>{@code calibrate}: warms {@link Tasks.Pi#hits} up and answers {@code points N}, the points of one
 *       ~10 ms task ({@link W3CpuBound#calibrate}) in this JVM;
 *   <li>{@code pi POINTS}: runs W3's 200 tasks through its {@code newFixedThreadPool(2)} with
 *       {@code invokeAll}; answers {@code ms T hits H};
 *   <li>{@code serial POINTS K}: runs K of those tasks one after the other on one thread, each timed alone;
 *       answers {@code ms T} with the median time of one task (the floor of 200 tasks on 2 cores is 200 T / 2);
 *   <li>{@code crc N}: W4's compute alone, N checksums of a 1 MiB array through the pool; answers {@code ms T}.
 * </ul>
 */
final class PoolJvm implements AutoCloseable {
    private final Process process;
    private final BufferedReader in;
    private final PrintWriter out;

    PoolJvm(List<String> jvmOptions) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Jvm.java());
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(Jvm.classpath());
        cmd.add(Bench.class.getName());
        cmd.add("pool-jvm");
        process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        out = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
    }

    long pid() {
        return process.pid();
    }

    /** Sends one command, returns the answer's words after the first. */
    String[] ask(String command) throws IOException {
        out.println(command);
        String line = in.readLine();
        if (line == null) {
            throw new IOException("pool JVM " + process.pid() + " ended (asked: " + command + ")");
        }
        String[] w = line.trim().split(" ");
        if (w[0].equals("error")) {
            throw new IOException("pool JVM: " + line);
        }
        return w;
    }

    @Override
    public void close() {
        out.close();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** {@code Bench pool-jvm}: the forked side. */
    static void main() throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        byte[] mib = W4Payload.payload(0);
        String line;
        while ((line = r.readLine()) != null) {
            String[] w = line.trim().split(" ");
            try {
                switch (w[0]) {
                    case "calibrate" -> System.out.println("points " + W3CpuBound.calibrate());
                    case "pi" -> {
                        List<Callable<Long>> tasks = W3CpuBound.tasks(Integer.parseInt(w[1]));
                        long t0 = System.nanoTime();
                        long hits = 0;
                        for (Future<Long> f : pool.invokeAll(tasks)) {
                            hits += f.get();
                        }
                        long t1 = System.nanoTime();
                        System.out.println("ms " + (t1 - t0) / 1e6 + " hits " + hits);
                    }
                    case "serial" -> {
                        int points = Integer.parseInt(w[1]);
                        double[] ms = new double[Integer.parseInt(w[2])];
                        long sink = 0;
                        for (int i = 0; i < ms.length; i++) {
                            long t0 = System.nanoTime();
                            sink += Tasks.Pi.hits(i, points);
                            ms[i] = (System.nanoTime() - t0) / 1e6;
                        }
                        System.out.println("ms " + Stats.median(ms) + " sink " + sink);
                    }
                    case "crc" -> {
                        int n = Integer.parseInt(w[1]);
                        List<Callable<Long>> tasks = new ArrayList<>(n);
                        for (int i = 0; i < n; i++) {
                            tasks.add(() -> W4Payload.crc(mib));
                        }
                        long t0 = System.nanoTime();
                        long sum = 0;
                        for (Future<Long> f : pool.invokeAll(tasks)) {
                            sum += f.get();
                        }
                        System.out.println("ms " + (System.nanoTime() - t0) / 1e6 + " sum " + sum);
                    }
                    default -> System.out.println("error unknown command " + Arrays.toString(w));
                }
            } catch (Exception e) {
                System.out.println("error " + e.toString().replace('\n', ' '));
            }
            System.out.flush();
        }
        pool.shutdownNow();
        System.exit(0);
    }
}
