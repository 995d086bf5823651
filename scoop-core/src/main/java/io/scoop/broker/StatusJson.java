package io.scoop.broker;

import java.util.List;
import java.util.function.Consumer;

/**
 * The status page's JSON, written from a {@link StatusSnapshot} on the page's thread. Every string is escaped for
 * JSON and also for HTML ({@code < > &} and the line separators as {@code \\u} escapes), though the page only
 * ever sets text, never markup.
 */
final class StatusJson {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final StringBuilder b = new StringBuilder(16 * 1024);
    /** Whether the object or array being written has no member yet (so the next one takes no comma). */
    private boolean first = true;

    private StatusJson() {
    }

    static String of(StatusSnapshot s) {
        StatusJson j = new StatusJson();
        j.snapshot(s);
        return j.b.toString();
    }

    private void snapshot(StatusSnapshot s) {
        open('{');
        num("takenAt", s.takenAt());
        num("startedAt", s.startedAt());
        str("address", s.address());
        str("secret", s.secret());
        num("workerCount", s.workers().size());
        num("queued", s.queued());
        num("inFlight", s.inFlight());
        num("roots", s.roots());
        num("done", s.ok());
        num("failed", s.failed());
        num("badMessages", s.badMessages());
        num("joined", s.joined());
        key("perSecond");
        open('[');
        for (long v : s.perSecond()) {
            comma();
            b.append(v);
        }
        close(']');
        array("workers", s.workers(), w -> {
            str("name", w.name());
            str("host", w.host());
            num("pid", w.pid());
            num("threads", w.threads());
            str("state", w.state());
            num("assigned", w.assigned());
            array("running", w.running(), r -> {
                num("id", r.id());
                str("label", r.label());
            });
            num("cpuPermille", w.cpuPermille());
            num("heapUsed", w.heapUsed());
            num("heapMax", w.heapMax());
            num("done", w.done());
            num("failed", w.failed());
            num("lastSeen", w.lastSeen());
        });
        array("lostWorkers", s.lostWorkers(), w -> {
            str("name", w.name());
            str("host", w.host());
            num("pid", w.pid());
            num("at", w.at());
            str("reason", w.reason());
        });
        array("failures", s.failures(), f -> {
            num("id", f.id());
            str("label", f.label());
            str("status", f.status());
            str("worker", f.worker());
            num("at", f.at());
            str("text", f.text());
        });
        array("tasks", s.records(), t -> {
            num("id", t.id());
            str("label", t.label());
            str("root", t.root());
            str("status", t.status());
            str("worker", t.worker());
            str("host", t.host());
            num("attempt", t.attempt());
            millis("queuedMs", t.queued());
            millis("waitMs", t.waited());
            millis("runMs", t.run());
            num("sentBytes", t.sentBytes());
            num("returnedBytes", t.returnedBytes());
            num("allocatedBytes", t.allocated());
            num("endedAt", t.endedAt());
        });
        close('}');
    }

    /* ---------------- a member at a time: commas are placed here, nowhere else ---------------- */

    private void comma() {
        if (!first) {
            b.append(',');
        }
        first = false;
    }

    private void open(char bracket) {
        b.append(bracket);
        first = true;
    }

    private void close(char bracket) {
        b.append(bracket);
        first = false;
    }

    private void key(String name) {
        comma();
        b.append('"').append(name).append("\":");
    }

    private void num(String name, long v) {
        key(name);
        b.append(v);
    }

    /** A duration in ms, to the microsecond; -1 for a value that is not a number. */
    private void millis(String name, double d) {
        key(name);
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            b.append("-1");
        } else {
            b.append(Math.round(d * 1000) / 1000.0);
        }
    }

    private void str(String name, String v) {
        key(name);
        quote(v);
    }

    /** An array of objects, each written by {@code fields}. */
    private <T> void array(String name, List<T> items, Consumer<T> fields) {
        key(name);
        open('[');
        for (T item : items) {
            comma();
            open('{');
            fields.accept(item);
            close('}');
        }
        close(']');
    }

    private void quote(String s) {
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
                        if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
                            unicode(c);
                        } else if (Character.isSurrogate(c) && !validSurrogate(s, i)) {
                            unicode(0xfffd); // a lone half of a pair: the replacement character
                        } else {
                            b.append(c);
                        }
                    }
                }
            }
        }
        b.append('"');
    }

    private void unicode(int c) {
        b.append("\\u").append(HEX[c >> 12 & 15]).append(HEX[c >> 8 & 15]).append(HEX[c >> 4 & 15])
                .append(HEX[c & 15]);
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
