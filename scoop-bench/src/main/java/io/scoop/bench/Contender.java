package io.scoop.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One thing a workload measures (Scoop with some options, a JeroMQ baseline, a thread pool), set up once and
 * then run alternately with the others: {@link #interleave} runs contender 1, 2, 3, 1, 2, 3... (each round
 * starting one further along), so that the load other users put on the machine falls on every row alike and
 * the ratios between rows hold even when absolute times drift.
 */
final class Contender implements AutoCloseable {
    /** One measured run: returns its metrics (e.g. tasks/s; or p50 and p99). */
    interface Run {
        double[] run() throws Exception;
    }

    final String label;
    final Run run;
    final ProcStats procs;
    final AutoCloseable resource;
    final UsageSum cpu = new UsageSum();
    final List<double[]> results = new ArrayList<>();
    Watchdog watchdog;

    /**
     * @param procs    processes to account CPU for around each run (null: none)
     * @param resource closed at the end (executor, cluster, pool)
     */
    Contender(String label, Run run, Map<Long, String> procs, AutoCloseable resource) {
        this.label = label;
        this.run = run;
        this.procs = procs == null ? null : new ProcStats(procs);
        this.resource = resource;
    }

    Contender watchdog(Watchdog w) {
        this.watchdog = w;
        return this;
    }

    double[] metric(int i) {
        double[] out = new double[results.size()];
        for (int k = 0; k < out.length; k++) {
            out[k] = results.get(k)[i];
        }
        return out;
    }

    int stalls() {
        return watchdog == null ? 0 : watchdog.stalls();
    }

    private void once() throws Exception {
        ProcStats.Snapshot s0 = procs == null ? null : procs.snapshot();
        double[] r = run.run();
        if (procs != null) {
            cpu.add(s0, procs.snapshot());
        }
        results.add(r);
    }

    /**
     * Warms every contender up (one after the other), then runs them interleaved {@code c.runs()} times; before
     * each round waits (at most {@code c.quietSeconds()}) for other processes to leave the machine alone.
     *
     * @return how busy the machine was during the measured runs, as a sentence
     */
    static String interleave(Config c, List<Contender> cs) throws Exception {
        for (Contender x : cs) {
            c.warmUp(() -> x.run.run());
        }
        Machine.Meter meter = new Machine.Meter();
        double waited = 0;
        for (int i = 0; i < c.runs(); i++) {
            waited += Machine.awaitQuiet(c.quietSeconds());
            meter.begin();
            for (int k = 0; k < cs.size(); k++) {
                cs.get((i + k) % cs.size()).once();
            }
            meter.end();
        }
        return meter.describe() + String.format(java.util.Locale.ROOT, " (waited %.0f s for quiet before the rounds)",
                waited);
    }

    @Override
    public void close() {
        if (watchdog != null) {
            watchdog.close();
        }
        if (resource != null) {
            try {
                resource.close();
            } catch (Exception e) {
                System.err.println("closing " + label + ": " + e);
            }
        }
    }

    static void closeAll(List<Contender> cs) {
        for (Contender x : cs) {
            x.close();
        }
    }
}
