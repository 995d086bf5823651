package io.scoop.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Command-line settings shared by the workloads.
 *
 * @param runs          measured runs per measurement (at least 5 for a reported figure)
 * @param warmup        warm-up runs before them (at least)
 * @param warmupSeconds and at least this long warming up (W1, W2: JIT compilation must be over)
 * @param workerOptions the worker-JVM option sets to measure Scoop with, each one row ("default" = none)
 * @param launcher      the launcher jar for W5
 * @param quietSeconds  before each round of runs, wait at most this long for other processes to go quiet
 * @param cpu           whether to print per-thread CPU accounting from /proc
 * @param out           where tables go
 */
record Config(int runs, int warmup, double warmupSeconds, List<String> workerOptions, Path launcher, double quietSeconds, boolean cpu, PrintStream out) {
    /** Runs {@code body} at least {@code warmup} times and for at least {@code warmupSeconds}. */
    void warmUp(W1Throughput.Body body) throws Exception {
        long end = System.nanoTime() + (long) (warmupSeconds * 1e9);
        for (int i = 0; i < warmup || System.nanoTime() < end; i++) {
            body.run();
        }
    }

    String variantLabel(String opts) {
        return opts.isBlank() || opts.equals("default") ? "" : " [" + opts.trim() + "]";
    }
}
