package io.scoop.broker;

import java.util.List;

/**
 * The status page's JSON, written from a {@link StatusSnapshot} on the page's thread. Every string is escaped for
 * JSON and also for HTML ({@code < > &} and the line separators as {@code \\u} escapes), though the page only
 * ever sets text, never markup.
 */
final class StatusJson {
    private final StringBuilder b = new StringBuilder(16 * 1024);

    private StatusJson() {
    }

    static String of(StatusSnapshot s) {
        StatusJson j = new StatusJson();
        j.snapshot(s);
        return j.b.toString();
    }

    private void snapshot(StatusSnapshot s) {
        b.append('{');
        field("takenAt").append(s.takenAt()).append(',');
        field("startedAt").append(s.startedAt()).append(',');
        field("address");
        str(s.address()).append(',');
        field("secret");
        str(s.secret()).append(',');
        field("workerCount").append(s.workers().size()).append(',');
        field("queued").append(s.queued()).append(',');
        field("inFlight").append(s.inFlight()).append(',');
        field("roots").append(s.roots()).append(',');
        field("done").append(s.ok()).append(',');
        field("failed").append(s.failed()).append(',');
        field("badMessages").append(s.badMessages()).append(',');
        field("joined").append(s.joined()).append(',');
        field("perSecond").append('[');
        long[] ps = s.perSecond();
        for (int i = 0; i < ps.length; i++) {
            b.append(i == 0 ? "" : ",").append(ps[i]);
        }
        b.append("],");
        field("workers").append('[');
        List<StatusSnapshot.WorkerRow> ws = s.workers();
        for (int i = 0; i < ws.size(); i++) {
            StatusSnapshot.WorkerRow w = ws.get(i);
            b.append(i == 0 ? "{" : ",{");
            field("name");
            str(w.name()).append(',');
            field("host");
            str(w.host()).append(',');
            field("pid").append(w.pid()).append(',');
            field("threads").append(w.threads()).append(',');
            field("state");
            str(w.state()).append(',');
            field("assigned").append(w.assigned()).append(',');
            field("running").append('[');
            for (int k = 0; k < w.running().size(); k++) {
                var r = w.running().get(k);
                b.append(k == 0 ? "{" : ",{");
                field("id").append(r.id()).append(',');
                field("label");
                str(r.label()).append('}');
            }
            b.append("],");
            field("cpuPermille").append(w.cpuPermille()).append(',');
            field("heapUsed").append(w.heapUsed()).append(',');
            field("heapMax").append(w.heapMax()).append(',');
            field("done").append(w.done()).append(',');
            field("failed").append(w.failed()).append(',');
            field("lastSeen").append(w.lastSeen()).append('}');
        }
        b.append("],");
        field("lostWorkers").append('[');
        List<StatusSnapshot.LostWorker> ls = s.lostWorkers();
        for (int i = 0; i < ls.size(); i++) {
            StatusSnapshot.LostWorker w = ls.get(i);
            b.append(i == 0 ? "{" : ",{");
            field("name");
            str(w.name()).append(',');
            field("host");
            str(w.host()).append(',');
            field("pid").append(w.pid()).append(',');
            field("at").append(w.at()).append(',');
            field("reason");
            str(w.reason()).append('}');
        }
        b.append("],");
        field("failures").append('[');
        List<StatusSnapshot.Failure> fs = s.failures();
        for (int i = 0; i < fs.size(); i++) {
            StatusSnapshot.Failure f = fs.get(i);
            b.append(i == 0 ? "{" : ",{");
            field("id").append(f.id()).append(',');
            field("label");
            str(f.label()).append(',');
            field("status");
            str(f.status()).append(',');
            field("worker");
            str(f.worker()).append(',');
            field("at").append(f.at()).append(',');
            field("text");
            str(f.text()).append('}');
        }
        b.append("],");
        field("tasks").append('[');
        List<StatusSnapshot.TaskRow> ts = s.records();
        for (int i = 0; i < ts.size(); i++) {
            StatusSnapshot.TaskRow t = ts.get(i);
            b.append(i == 0 ? "{" : ",{");
            field("id").append(t.id()).append(',');
            field("label");
            str(t.label()).append(',');
            field("root");
            str(t.root()).append(',');
            field("status");
            str(t.status()).append(',');
            field("worker");
            str(t.worker()).append(',');
            field("host");
            str(t.host()).append(',');
            field("attempt").append(t.attempt()).append(',');
            field("queuedMs");
            num(t.queued()).append(',');
            field("waitMs");
            num(t.waited()).append(',');
            field("runMs");
            num(t.run()).append(',');
            field("sentBytes").append(t.sentBytes()).append(',');
            field("returnedBytes").append(t.returnedBytes()).append(',');
            field("allocatedBytes").append(t.allocated()).append(',');
            field("endedAt").append(t.endedAt()).append('}');
        }
        b.append("]}");
    }

    private StringBuilder field(String name) {
        return b.append('"').append(name).append("\":");
    }

    private StringBuilder num(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return b.append("-1");
        }
        return b.append(Math.round(d * 1000) / 1000.0);
    }

    private StringBuilder str(String s) {
        b.append('"');
        if (s != null) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> b.append("\\\"");
                    case '\\' -> b.append("\\\\");
                    case '\n' -> b.append("\\n");
                    case '\r' -> b.append("\\r");
                    case '\t' -> b.append("\\t");
                    default -> {
                        if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029'
                                || Character.isSurrogate(c) && !validSurrogate(s, i)) {
                            b.append(String.format("\\u%04x", (int) (Character.isSurrogate(c) ? 0xfffd : c)));
                        } else {
                            b.append(c);
                        }
                    }
                }
            }
        }
        return b.append('"');
    }

    /** Whether the surrogate at {@code i} is half of a well-formed pair (a lone one is replaced). */
    private static boolean validSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
