package io.scoop.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A result table: one row per measured thing (median, min and max over the runs), and one ratio column per
 * baseline row, computed from the medians so that a ratio above 1 always means "better than the baseline"
 * (for times and latencies the ratio is baseline / value, for rates value / baseline).
 */
final class Table {
    record Row(String label, String unit, boolean higherIsBetter, double[] runs) {
        double median() {
            return Stats.median(runs);
        }
    }

    private final String title;
    private final List<Row> rows = new ArrayList<>();
    private final Map<String, Row> baselines = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();

    Table(String title) {
        this.title = title;
    }

    Row add(String label, String unit, boolean higherIsBetter, double[] runs) {
        Row r = new Row(label, unit, higherIsBetter, runs);
        rows.add(r);
        return r;
    }

    /** Marks a row as a baseline: every row gets a ratio column against it. */
    void baseline(String columnName, Row row) {
        baselines.put(columnName, row);
    }

    void note(String s) {
        notes.add(s);
    }

    Row row(String label) {
        for (Row r : rows) {
            if (r.label.equals(label)) {
                return r;
            }
        }
        return null;
    }

    /** The ratio of {@code r} to {@code base}, above 1 when r is better. */
    static double ratio(Row r, Row base) {
        if (r == null || base == null) {
            return Double.NaN;
        }
        if (r.unit().equals(base.unit())) {
            return r.higherIsBetter ? r.median() / base.median() : base.median() / r.median();
        }
        return Double.NaN;
    }

    void print(PrintStream out) {
        int labelWidth = 10;
        for (Row r : rows) {
            labelWidth = Math.max(labelWidth, r.label.length());
        }
        out.println();
        out.println(title);
        StringBuilder h = new StringBuilder(String.format("%-" + labelWidth + "s %12s %12s %12s  %-8s", "", "median",
                "min", "max", "unit"));
        for (String b : baselines.keySet()) {
            h.append(String.format(" %14s", "vs " + b));
        }
        out.println(h);
        for (Row r : rows) {
            StringBuilder s = new StringBuilder(String.format("%-" + labelWidth + "s %12s %12s %12s  %-8s", r.label,
                    Stats.num(r.median()), Stats.num(Stats.min(r.runs)), Stats.num(Stats.max(r.runs)), r.unit));
            for (Row b : baselines.values()) {
                s.append(String.format(" %14s", b == r ? "1 (base)" : Stats.ratio(ratio(r, b))));
            }
            out.println(s);
        }
        for (String n : notes) {
            out.println("  " + n);
        }
        out.flush();
    }
}
