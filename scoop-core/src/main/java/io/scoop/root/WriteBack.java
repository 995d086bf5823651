package io.scoop.root;

import io.scoop.CapturedWriteException;
import io.scoop.wire.KryoCodec;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Carries back what a task wrote into the arrays, lists, sets, maps and atomic counters it captured, and applies
 * it to the root's own objects: the thread-pool habit of {@code results[i] = f(i)}, {@code list.add(x)},
 * {@code counts.merge(k, 1, Integer::sum)} or {@code done.incrementAndGet()} inside a task then works as on a
 * thread pool, although the task ran on a copy in another JVM.
 *
 * <p>How: at submit, the containers the task holds (its fields and captured values, and theirs, three levels
 * deep) are listed; the task travels wrapped with that list, so the worker's copies are known by position. The
 * worker copies each container before the task runs and compares after; the differences come back with the
 * result and are applied here when it arrives, before the future completes:
 * <ul>
 *   <li>array elements and list elements set in place: element by element. Two tasks in flight together that
 *       write different values to one element conflict: the later fails with {@link CapturedWriteException}
 *       rather than silently overwrite;
 *   <li>elements added at the end of a list, added to or removed from a set, keys put or removed in a map
 *       (two tasks in flight together that set one key to different values conflict, as elements do);
 *   <li>counters held as a map's values ({@code counts.computeIfAbsent(k, x -> new LongAdder()).increment()}):
 *       their changes add up;
 *   <li>{@code AtomicInteger}, {@code AtomicLong}, {@code LongAdder}: the task's net change is added, so
 *       concurrent increments add up; {@code AtomicBoolean}, {@code AtomicReference}: the value set.
 * </ul>
 * Other changes to a list (removals, insertions in the middle) fail the task with
 * {@link CapturedWriteException} naming the list. Writes into other objects' fields are not carried back.
 */
public final class WriteBack {
    private static final int MAX_DEPTH = 3;
    private static final int MAX_CONTAINERS = 64;

    /** Fields worth looking into, per class: non-static, non-primitive. */
    private static final ClassValue<Field[]> FIELDS = new ClassValue<>() {
        @Override
        protected Field[] computeValue(Class<?> type) {
            List<Field> out = new ArrayList<>();
            for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
                if (c.getModule().isNamed()) {
                    break;
                }
                for (Field f : c.getDeclaredFields()) {
                    if (!Modifier.isStatic(f.getModifiers()) && !f.getType().isPrimitive()
                            && !Modifier.isTransient(f.getModifiers())) {
                        try {
                            f.setAccessible(true);
                            out.add(f);
                        } catch (RuntimeException e) {
                            // not ours to read
                        }
                    }
                }
            }
            return out.toArray(new Field[0]);
        }
    };

    /** When each element (of an array or list) and each key (of a map) was last written here, by identity. */
    private final Map<Object, long[]> lastWrite = Collections.synchronizedMap(new IdentityHashMap<>());
    private final Map<Object, Map<Object, Long>> keyWrites = Collections.synchronizedMap(new IdentityHashMap<>());
    private final AtomicLong clock = new AtomicLong();

    /** The containers {@code task} holds, or an empty array. */
    public static Object[] containersOf(Object task) {
        Map<Object, Boolean> seen = new IdentityHashMap<>();
        List<Object> found = new ArrayList<>();
        Deque<Object[]> queue = new ArrayDeque<>();
        queue.add(new Object[] {task, 0});
        seen.put(task, Boolean.TRUE);
        while (!queue.isEmpty() && found.size() < MAX_CONTAINERS) {
            Object[] next = queue.poll();
            Object o = next[0];
            int depth = (int) next[1];
            for (Object child : children(o)) {
                if (child == null || seen.put(child, Boolean.TRUE) != null) {
                    continue;
                }
                if (isContainer(child)) {
                    found.add(child);
                } else if (depth + 1 < MAX_DEPTH && !child.getClass().getModule().isNamed()
                        && !child.getClass().isEnum() && !(child instanceof java.util.concurrent.Executor)) {
                    queue.add(new Object[] {child, depth + 1});
                }
            }
        }
        return found.toArray();
    }

    private static List<Object> children(Object o) {
        Object[] captured = KryoCodec.capturedValues(o);
        if (captured != null) {
            return List.of(captured).stream().filter(Objects::nonNull).toList();
        }
        if (o instanceof java.util.concurrent.Executor || o instanceof MapChunk || o instanceof io.scoop.Shared<?>) {
            return List.of();
        }
        List<Object> out = new ArrayList<>();
        for (Field f : FIELDS.get(o.getClass())) {
            try {
                out.add(f.get(o));
            } catch (IllegalAccessException e) {
                // skip
            }
        }
        return out;
    }

    static boolean isContainer(Object v) {
        if (v.getClass().isArray()) {
            return Array.getLength(v) > 0;
        }
        if (v instanceof Collection<?> || v instanceof Map<?, ?>) {
            // The JDK's unmodifiable collections (List.of, toList()) cannot be written.
            return !v.getClass().getName().startsWith("java.util.ImmutableCollections")
                    && !v.getClass().getName().startsWith("java.util.Collections$Unmodifiable")
                    && !v.getClass().getName().startsWith("java.util.Collections$Empty")
                    && !v.getClass().getName().startsWith("java.util.Collections$Singleton");
        }
        return v instanceof AtomicInteger || v instanceof AtomicLong || v instanceof LongAdder
                || v instanceof AtomicBoolean || v instanceof AtomicReference<?>;
    }

    /** A stamp to take at submit: writes applied after it are ones the task could not have seen. */
    public long stamp() {
        return clock.incrementAndGet();
    }

    /** What travels: the task, and the containers it holds, by position. */
    public static final class Task implements Callable<Object> {
        private final Callable<?> inner;
        private final Object[] containers;

        public Task(Callable<?> inner, Object[] containers) {
            this.inner = inner;
            this.containers = containers;
        }

        /** The task it wraps. */
        public Callable<?> inner() {
            return inner;
        }

        /** Runs on the worker: copies, runs, compares. */
        @Override
        public Object call() throws Exception {
            // An array decoded from a key (sent once for many tasks) is compared with those bytes afterwards,
            // not copied first.
            Map<Object, byte[]> origins = io.scoop.wire.SharedArrays.takeOrigins();
            Object[] before = new Object[containers.length];
            for (int i = 0; i < before.length; i++) {
                byte[] origin = origins.get(containers[i]);
                before[i] = origin != null ? new Origin(origin) : copy(containers[i]);
            }
            Object value = inner.call();
            Object[] changes = new Object[containers.length];
            for (int i = 0; i < changes.length; i++) {
                changes[i] = diff(before[i], containers[i]);
            }
            return new Outcome(value, changes);
        }
    }

    /** A wrapped task's result and the changes it made, by container position (null: none). */
    public static final class Outcome {
        final Object value;
        final Object[] changes;

        Outcome(Object value, Object[] changes) {
            this.value = value;
            this.changes = changes;
        }
    }

    record ElementWrites(int[] index, Object[] values) {
    }

    record ListWrites(int[] index, Object[] values, List<Object> appended) {
    }

    /** Keys set; counters (atomic values) changed, as {change, the task's counter}; keys removed. */
    record MapWrites(Map<Object, Object> put, Map<Object, Object[]> add, List<Object> removed) {
    }

    record SetWrites(List<Object> added, List<Object> removed) {
    }

    record Delta(long by) {
    }

    record NewValue(Object value) {
    }

    /** A change that cannot be carried back: what it was. */
    record Unsupported(String what) {
    }

    private static Object copy(Object c) {
        if (c.getClass().isArray()) {
            int n = Array.getLength(c);
            Object out = Array.newInstance(c.getClass().getComponentType(), n);
            System.arraycopy(c, 0, out, 0, n);
            return out;
        }
        if (c instanceof List<?> l) {
            return new ArrayList<>(l);
        }
        if (c instanceof Set<?> s) {
            return new ArrayList<>(s);
        }
        if (c instanceof Map<?, ?> m) {
            Map<Object, Object> copy = new HashMap<>(m);
            Map<Object, Long> counters = new HashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (isCounter(e.getValue())) {
                    counters.put(e.getKey(), ((Number) e.getValue()).longValue());
                }
            }
            return new Object[] {copy, counters};
        }
        if (c instanceof Collection<?> other) {
            return new ArrayList<>(other);
        }
        if (c instanceof AtomicInteger a) {
            return a.longValue();
        }
        if (c instanceof AtomicLong a) {
            return a.get();
        }
        if (c instanceof LongAdder a) {
            return a.sum();
        }
        if (c instanceof AtomicBoolean a) {
            return a.get();
        }
        return ((AtomicReference<?>) c).get();
    }

    /**
     * The first index from {@code from} on where two primitive arrays of length {@code n} differ (as
     * {@code Arrays.equals} compares: floating-point values by their bits), or -1.
     */
    static int mismatchFrom(Object a, Object b, int from, int n) {
        if (from >= n) {
            return -1;
        }
        int m;
        if (a instanceof byte[] x) {
            m = Arrays.mismatch(x, from, n, (byte[]) b, from, n);
        } else if (a instanceof int[] x) {
            m = Arrays.mismatch(x, from, n, (int[]) b, from, n);
        } else if (a instanceof long[] x) {
            m = Arrays.mismatch(x, from, n, (long[]) b, from, n);
        } else if (a instanceof double[] x) {
            m = Arrays.mismatch(x, from, n, (double[]) b, from, n);
        } else if (a instanceof float[] x) {
            m = Arrays.mismatch(x, from, n, (float[]) b, from, n);
        } else if (a instanceof char[] x) {
            m = Arrays.mismatch(x, from, n, (char[]) b, from, n);
        } else if (a instanceof short[] x) {
            m = Arrays.mismatch(x, from, n, (short[]) b, from, n);
        } else {
            m = Arrays.mismatch((boolean[]) a, from, n, (boolean[]) b, from, n);
        }
        return m < 0 ? -1 : from + m;
    }

    /** An array's state before its task ran, as the bytes it was decoded from. */
    private record Origin(byte[] bytes) {
    }

    @SuppressWarnings("unchecked")
    private static Object diff(Object before, Object now) {
        if (before instanceof Origin o) {
            if (io.scoop.wire.SharedArrays.firstChange(now, o.bytes) < 0) {
                return null;
            }
            before = io.scoop.wire.SharedArrays.decodeOrigin(now.getClass(), o.bytes);
        }
        if (now.getClass().isArray()) {
            List<Integer> idx = new ArrayList<>();
            List<Object> values = new ArrayList<>();
            int n = Array.getLength(now);
            if (now.getClass().getComponentType().isPrimitive()) {
                // Compared in bulk (a task that only reads a 1 MiB array must not pay a million boxed reads):
                // each mismatch is found by the JDK's vectorized compare, and only changed elements are read.
                for (int i = mismatchFrom(before, now, 0, n); i >= 0; i = mismatchFrom(before, now, i + 1, n)) {
                    idx.add(i);
                    values.add(Array.get(now, i));
                }
            } else {
                Object[] a = (Object[]) before;
                Object[] b = (Object[]) now;
                for (int i = 0; i < n; i++) {
                    if (a[i] != b[i]) {
                        idx.add(i);
                        values.add(b[i]);
                    }
                }
            }
            return idx.isEmpty() ? null : new ElementWrites(idx.stream().mapToInt(Integer::intValue).toArray(),
                    values.toArray());
        }
        if (now instanceof List<?> list) {
            List<Object> old = (List<Object>) before;
            if (list.size() < old.size()) {
                return new Unsupported("removed " + (old.size() - list.size()) + " elements from");
            }
            List<Integer> idx = new ArrayList<>();
            List<Object> values = new ArrayList<>();
            for (int i = 0; i < old.size(); i++) {
                if (list.get(i) != old.get(i)) {
                    idx.add(i);
                    values.add(list.get(i));
                }
            }
            if (!idx.isEmpty() && list.size() > old.size()) {
                return new Unsupported("inserted elements into");
            }
            List<Object> appended = new ArrayList<>(list.subList(old.size(), list.size()));
            return idx.isEmpty() && appended.isEmpty() ? null : new ListWrites(idx.stream().mapToInt(
                    Integer::intValue).toArray(), values.toArray(), appended);
        }
        if (now instanceof Set<?> set) {
            List<Object> old = (List<Object>) before;
            Set<Object> oldSet = Collections.newSetFromMap(new IdentityHashMap<>());
            oldSet.addAll(old);
            List<Object> added = new ArrayList<>();
            for (Object o : set) {
                if (!oldSet.remove(o)) {
                    added.add(o);
                }
            }
            List<Object> removed = new ArrayList<>(oldSet);
            return added.isEmpty() && removed.isEmpty() ? null : new SetWrites(added, removed);
        }
        if (now instanceof Map<?, ?> map) {
            Map<Object, Object> old = (Map<Object, Object>) ((Object[]) before)[0];
            Map<Object, Long> counters = (Map<Object, Long>) ((Object[]) before)[1];
            Map<Object, Object> put = new LinkedHashMap<>();
            Map<Object, Object[]> add = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                Object k = e.getKey();
                Object v = e.getValue();
                if (isCounter(v) && (old.get(k) == v || !old.containsKey(k))) {
                    long by = ((Number) v).longValue() - counters.getOrDefault(k, 0L);
                    if (by != 0 || !old.containsKey(k)) {
                        add.put(k, new Object[] {by, v});
                    }
                } else if (!old.containsKey(k) || old.get(k) != v) {
                    put.put(k, v);
                }
            }
            List<Object> removed = new ArrayList<>();
            for (Object k : old.keySet()) {
                if (!map.containsKey(k)) {
                    removed.add(k);
                }
            }
            return put.isEmpty() && removed.isEmpty() && add.isEmpty() ? null : new MapWrites(put, add, removed);
        }
        if (now instanceof Collection<?> c) {
            return c.size() == ((List<?>) before).size() ? null : new Unsupported("changed");
        }
        if (now instanceof AtomicInteger || now instanceof AtomicLong || now instanceof LongAdder) {
            long by = ((Number) now).longValue() - (Long) before;
            return by == 0 ? null : new Delta(by);
        }
        Object value = now instanceof AtomicBoolean b ? (Object) b.get() : ((AtomicReference<?>) now).get();
        return Objects.equals(value, before) ? null : new NewValue(value);
    }

    /**
     * Applies a wrapped task's changes to the root's containers and returns its result.
     *
     * @param stamp the task's {@link #stamp()} at submit
     * @throws CapturedWriteException if a change conflicts with another task's or cannot be carried back
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Object apply(Object result, Object[] containers, long stamp, long taskId) {
        if (!(result instanceof Outcome outcome)) {
            return result;
        }
        for (int i = 0; i < containers.length && i < outcome.changes.length; i++) {
            Object change = outcome.changes[i];
            Object c = containers[i];
            if (change == null) {
                continue;
            }
            if (change instanceof Unsupported u) {
                throw new CapturedWriteException("task " + taskId + " " + u.what() + " the " + describe(c)
                        + " it captured; that cannot be carried back from the worker's copy. Return the result from"
                        + " the task (submit a Callable, or use map) instead");
            }
            synchronized (c) {
                if (change instanceof ElementWrites w) {
                    writeElements(c, w.index(), w.values(), stamp, taskId);
                } else if (change instanceof ListWrites w) {
                    writeElements(c, w.index(), w.values(), stamp, taskId);
                    ((List) c).addAll(w.appended());
                } else if (change instanceof SetWrites w) {
                    ((Set) c).removeAll(w.removed());
                    ((Set) c).addAll(w.added());
                } else if (change instanceof MapWrites w) {
                    writeEntries((Map<Object, Object>) c, w, stamp, taskId);
                } else if (change instanceof Delta d) {
                    addTo(c, d.by());
                } else if (change instanceof NewValue v) {
                    if (c instanceof AtomicBoolean b) {
                        b.set((Boolean) v.value());
                    } else {
                        ((AtomicReference) c).set(v.value());
                    }
                }
            }
        }
        return outcome.value;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void writeElements(Object c, int[] index, Object[] values, long stamp, long taskId) {
        if (index.length == 0) {
            return;
        }
        boolean array = c.getClass().isArray();
        int length = array ? Array.getLength(c) : ((List) c).size();
        long[] last = lastWrite.computeIfAbsent(c, k -> new long[length]);
        if (last.length < length) {
            last = java.util.Arrays.copyOf(last, length);
            lastWrite.put(c, last);
        }
        for (int j = 0; j < index.length; j++) {
            int i = index[j];
            Object current = array ? Array.get(c, i) : ((List) c).get(i);
            if (last[i] > stamp && !Objects.equals(current, values[j])) {
                throw new CapturedWriteException("task " + taskId + " wrote " + values[j] + " to element " + i
                        + " of the " + describe(c) + " it captured, which a task running at the same time had set"
                        + " to " + current + "; the later write is refused rather than lost silently. Give each"
                        + " task its own elements, or return results instead");
            }
        }
        long now = clock.incrementAndGet();
        for (int j = 0; j < index.length; j++) {
            if (array) {
                Array.set(c, index[j], values[j]);
            } else {
                ((List) c).set(index[j], values[j]);
            }
            last[index[j]] = now;
        }
    }

    private void writeEntries(Map<Object, Object> map, MapWrites w, long stamp, long taskId) {
        Map<Object, Long> last = keyWrites.computeIfAbsent(map, k -> new HashMap<>());
        for (Map.Entry<Object, Object> e : w.put().entrySet()) {
            Long at = last.get(e.getKey());
            Object current = map.get(e.getKey());
            if (at != null && at > stamp && !Objects.equals(current, e.getValue())) {
                throw new CapturedWriteException("task " + taskId + " set key " + e.getKey() + " of the "
                        + describe(map) + " it captured to " + e.getValue() + ", which a task running at the same"
                        + " time had set to " + current + "; the later write is refused rather than lost silently."
                        + " To count, use LongAdder or AtomicInteger values (their increments add up), or return"
                        + " each task's counts and merge them here");
            }
        }
        long now = clock.incrementAndGet();
        for (Object k : w.removed()) {
            map.remove(k);
            last.put(k, now);
        }
        for (Map.Entry<Object, Object> e : w.put().entrySet()) {
            map.put(e.getKey(), e.getValue());
            last.put(e.getKey(), now);
        }
        for (Map.Entry<Object, Object[]> e : w.add().entrySet()) {
            Object counter = map.get(e.getKey());
            if (isCounter(counter)) {
                addTo(counter, (Long) e.getValue()[0]);
            } else {
                map.put(e.getKey(), e.getValue()[1]); // a counter the task created: it arrives as the task left it
            }
        }
    }

    private static boolean isCounter(Object v) {
        return v instanceof AtomicInteger || v instanceof AtomicLong || v instanceof LongAdder;
    }

    private static void addTo(Object counter, long by) {
        if (counter instanceof AtomicInteger a) {
            a.addAndGet((int) by);
        } else if (counter instanceof AtomicLong a) {
            a.addAndGet(by);
        } else {
            ((LongAdder) counter).add(by);
        }
    }

    private static String describe(Object c) {
        if (c.getClass().isArray()) {
            return c.getClass().getComponentType().getSimpleName() + "[" + Array.getLength(c) + "]";
        }
        return c.getClass().getSimpleName();
    }
}
