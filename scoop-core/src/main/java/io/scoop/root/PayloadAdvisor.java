package io.scoop.root;

import io.scoop.internal.Log;
import io.scoop.wire.KryoCodec;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Says once per task class when its tasks are large, naming what they captured that weighs most and how to
 * send it once instead ({@code share}): a task that carries a big array to every worker with every call is
 * the commonest reason for a slow run.
 */
public final class PayloadAdvisor {
    /** Tasks at least this large (encoded) are reported. */
    public static final int REPORT_FROM = 1 << 20;
    private static final int NAMED = 3;
    /** Per task class: how many of its tasks were large so far, up to 2 (reported). */
    private static final java.util.Map<Class<?>, Integer> LARGE = new ConcurrentHashMap<>();

    private PayloadAdvisor() {
    }

    /**
     * Reports {@code task}, encoded to {@code size} bytes, if it is the second large task of its class (the first
     * may carry arrays that later tasks send by key only: {@link io.scoop.wire.SharedArrays}).
     */
    public static void check(Object task, long size) {
        if (size < REPORT_FROM || task == null) {
            return;
        }
        int seen = LARGE.merge(task.getClass(), 1, (a, b) -> Math.min(a + b, 3));
        if (seen == 2) {
            Log.warn(Log.ROOT, advice(task, size));
        }
    }

    /** What the report says: the size, the heaviest captured values, and the hint. */
    static String advice(Object task, long size) {
        List<Part> parts = parts(task);
        parts.sort(Comparator.comparingLong(Part::bytes).reversed());
        StringBuilder s = new StringBuilder("scoop: each task of ").append(task.getClass().getName())
                .append(" travels as ").append(human(size)).append(" encoded");
        if (!parts.isEmpty()) {
            s.append("; the most of it is ");
            for (int i = 0; i < Math.min(NAMED, parts.size()); i++) {
                Part p = parts.get(i);
                s.append(i == 0 ? "" : ", ").append(p.name).append(" (").append(p.type).append(", ")
                        .append(human(p.bytes)).append(')');
            }
        }
        return s.append(". It is sent with every such task: share large values once with"
                + " pool.share(value) and capture the handle (a map function is shared by itself). This is said"
                + " once per task class").toString();
    }

    private record Part(String name, String type, long bytes) {
    }

    private static List<Part> parts(Object task) {
        List<Part> out = new ArrayList<>();
        Object[] captured = KryoCodec.capturedValues(task);
        if (captured != null) {
            for (int i = 0; i < captured.length; i++) {
                add(out, "captured value #" + (i + 1), captured[i]);
            }
            return out;
        }
        for (Class<?> c = task.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) || Modifier.isTransient(f.getModifiers())) {
                    continue;
                }
                try {
                    f.setAccessible(true);
                    add(out, "field " + f.getName(), f.get(task));
                } catch (RuntimeException | IllegalAccessException e) {
                    // a field we cannot read is left out of the report
                }
            }
        }
        return out;
    }

    private static void add(List<Part> out, String name, Object value) {
        if (value == null) {
            return;
        }
        try {
            out.add(new Part(name, value.getClass().getTypeName(), KryoCodec.encode(value).length));
        } catch (RuntimeException e) {
            // not encodable alone: left out
        }
    }

    static String human(long bytes) {
        if (bytes >= 1 << 20) {
            return String.format(Locale.ROOT, "%.1f MB", bytes / 1048576.0);
        }
        return String.format(Locale.ROOT, "%.1f KB", bytes / 1024.0);
    }
}
