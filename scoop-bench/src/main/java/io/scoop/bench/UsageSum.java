package io.scoop.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Sums {@link ProcStats} usage over several measured intervals (leaving out what happened between them). */
final class UsageSum {
    private final Map<String, double[]> acc = new LinkedHashMap<>();
    private double wallSeconds;

    void add(ProcStats.Snapshot a, ProcStats.Snapshot b) {
        wallSeconds += (b.nanos() - a.nanos()) / 1e9;
        for (ProcStats.Usage u : ProcStats.diff(a, b)) {
            double[] v = acc.computeIfAbsent(u.process() + "\u0000" + u.group(), k -> new double[3]);
            v[0] += u.cpuMillis();
            v[1] += u.voluntary();
            v[2] += u.involuntary();
        }
    }

    double wallSeconds() {
        return wallSeconds;
    }

    List<ProcStats.Usage> usage() {
        List<ProcStats.Usage> out = new ArrayList<>();
        for (Map.Entry<String, double[]> e : acc.entrySet()) {
            String[] k = e.getKey().split("\u0000", 2);
            double[] v = e.getValue();
            out.add(new ProcStats.Usage(k[0], k[1], v[0], (long) v[1], (long) v[2]));
        }
        out.sort((x, y) -> Double.compare(y.cpuMillis(), x.cpuMillis()));
        return out;
    }

    List<String> describe(long units, String perWhat) {
        List<String> lines = new ArrayList<>();
        for (String l : ProcStats.describe(usage(), Math.max(1e-9, wallSeconds), units, perWhat)) {
            lines.add("    " + l);
        }
        return lines;
    }
}
