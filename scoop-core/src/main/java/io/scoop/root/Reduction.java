package io.scoop.root;

import io.scoop.SerializableBinaryOperator;
import io.scoop.SerializableFunction;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;
import java.util.function.IntSupplier;

/**
 * {@code mapReduce} and {@code mapScan}, driven from the calling thread; every application of the function
 * and of the reducer runs on the workers.
 *
 * <p><b>mapReduce.</b> The input is read in runs of consecutive items (sized as {@code map} sizes its chunks);
 * each run is mapped and folded on a worker. The folded runs are segments of the input. As soon as two
 * adjacent segments are both known, a task combines them into one: the reduction is a tree that grows as
 * results arrive, never one long step at the end, and it keeps input order, so the reducer need only be
 * associative. At most a window of tasks is in flight, so the input is read lazily.
 *
 * <p><b>mapScan.</b> Each run is mapped and scanned (its running reductions) on a worker; the root then
 * folds the runs' totals, in order, into the value carried into each run, and a task per run applies its
 * carry to the run's running reductions.
 */
public final class Reduction<T, R> {
    private static final Object NOTHING = new Object();

    private final SerializableFunction<? super T, ? extends R> fn;
    private final SerializableBinaryOperator<R> reducer;
    private final Function<Callable<?>, CompletableFuture<?>> submit;
    private final IntSupplier clusterThreads;
    private final ChunkSizer sizer = new ChunkSizer();

    public Reduction(SerializableFunction<? super T, ? extends R> fn, SerializableBinaryOperator<R> reducer,
            Function<Callable<?>, CompletableFuture<?>> submit, IntSupplier clusterThreads) {
        this.fn = fn;
        this.reducer = reducer;
        this.submit = submit;
        this.clusterThreads = clusterThreads;
    }

    /* ---------------- mapReduce ---------------- */

    /** A run of the input, [start, end) in runs: pending while its task runs, then its value. */
    private static final class Segment {
        final int start;
        final int end;
        final CompletableFuture<?> future;
        /** The items of a leaf (a run mapped and folded), 0 for a combination of two segments. */
        final int items;
        Object value = NOTHING;

        Segment(int start, int end, CompletableFuture<?> future, int items) {
            this.start = start;
            this.end = end;
            this.future = future;
            this.items = items;
        }
    }

    /** Reduces the mapped input; empty if the input is. */
    @SuppressWarnings("unchecked")
    public Optional<R> reduce(Iterator<? extends T> input) {
        TreeMap<Integer, Segment> segments = new TreeMap<>();
        LinkedBlockingQueue<Segment> arrived = new LinkedBlockingQueue<>();
        int runs = 0;
        int inFlight = 0;
        try {
            while (true) {
                int window = Math.max(4, 2 * clusterThreads.getAsInt());
                while (inFlight < window && input.hasNext()) {
                    Object[] items = sizer.next(input);
                    Segment s = new Segment(runs, runs + 1, submit.apply(new MapFold<>(fn, reducer, items)),
                            items.length);
                    runs++;
                    track(s, segments, arrived);
                    inFlight++;
                }
                if (inFlight == 0) {
                    break;
                }
                Segment s = io.scoop.internal.Blocking.take(arrived);
                inFlight--;
                s.value = valueOf(s.future);
                if (s.items > 0) {
                    sizer.learn(s.future, s.items);
                }
                // Combine with a known neighbour, left first: the combined segment is one more task in flight.
                Map.Entry<Integer, Segment> left = segments.lowerEntry(s.start);
                Segment right = segments.get(s.end);
                Segment other = left != null && left.getValue().end == s.start && left.getValue().value != NOTHING
                        ? left.getValue() : right != null && right.value != NOTHING ? right : null;
                if (other != null) {
                    Segment a = other.start < s.start ? other : s;
                    Segment b = a == s ? other : s;
                    segments.remove(a.start);
                    segments.remove(b.start);
                    Segment merged = new Segment(a.start, b.end,
                            submit.apply(new Combine<>(reducer, (R) a.value, (R) b.value)), 0);
                    track(merged, segments, arrived);
                    inFlight++;
                }
            }
        } catch (InterruptedException e) {
            cancelAll(segments);
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        } catch (RuntimeException e) {
            cancelAll(segments);
            throw e;
        }
        if (segments.isEmpty()) {
            return Optional.empty();
        }
        return Optional.ofNullable((R) segments.firstEntry().getValue().value);
    }

    private static void track(Segment s, TreeMap<Integer, Segment> segments, LinkedBlockingQueue<Segment> arrived) {
        segments.put(s.start, s);
        s.future.whenComplete((v, e) -> arrived.add(s));
    }

    private static void cancelAll(TreeMap<Integer, Segment> segments) {
        for (Segment s : segments.values()) {
            s.future.cancel(true);
        }
    }

    /* ---------------- mapScan ---------------- */

    /** Every running reduction of the mapped input: element i reduces the results of items 0..i. */
    @SuppressWarnings("unchecked")
    public List<R> scan(Iterator<? extends T> input) {
        ArrayDeque<CompletableFuture<?>> scans = new ArrayDeque<>();
        List<CompletableFuture<?>> shifted = new ArrayList<>();
        R carry = null;
        boolean first = true;
        try {
            while (input.hasNext() || !scans.isEmpty()) {
                int window = Math.max(4, 2 * clusterThreads.getAsInt());
                while (scans.size() < window && input.hasNext()) {
                    scans.addLast(submit.apply(new MapScan<>(fn, reducer, sizer.next(input))));
                }
                CompletableFuture<?> next = scans.pollFirst();
                Object[] prefixes = (Object[]) valueOf(next);
                sizer.learn(next, prefixes.length);
                if (first) {
                    shifted.add(CompletableFuture.completedFuture(prefixes));
                    carry = (R) prefixes[prefixes.length - 1];
                    first = false;
                } else {
                    shifted.add(submit.apply(new Shift<>(reducer, carry, prefixes)));
                    carry = reducer.apply(carry, (R) prefixes[prefixes.length - 1]);
                }
            }
            List<R> out = new ArrayList<>();
            for (CompletableFuture<?> f : shifted) {
                for (Object o : (Object[]) valueOf(f)) {
                    out.add((R) o);
                }
            }
            return out;
        } catch (RuntimeException e) {
            scans.forEach(f -> f.cancel(true));
            shifted.forEach(f -> f.cancel(true));
            throw e;
        } catch (Exception e) {
            scans.forEach(f -> f.cancel(true));
            shifted.forEach(f -> f.cancel(true));
            throw new CompletionException("the reducer failed on the root, folding the runs' totals: " + e, e);
        }
    }

    /* ---------------- shared ---------------- */

    /** The value of a completed (or soon completed) task; its failure as a CompletionException with its cause. */
    private static Object valueOf(CompletableFuture<?> f) {
        try {
            return f.get();
        } catch (ExecutionException e) {
            throw new CompletionException(e.getCause());
        } catch (CancellationException e) {
            throw new CompletionException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        }
    }

    /** Sizes runs of the input toward a couple of milliseconds of work each, as {@code map} does. */
    private static final class ChunkSizer {
        private int size = 1;

        Object[] next(Iterator<?> input) {
            Object[] items = new Object[size];
            int k = 0;
            while (k < size && input.hasNext()) {
                items[k++] = input.next();
            }
            return k < size ? Arrays.copyOf(items, k) : items;
        }

        /** Learns from a run of {@code items} that completed {@code f}. */
        void learn(CompletableFuture<?> f, int items) {
            long nanos = f instanceof RemoteFuture<?> r ? r.runNanos() : 0;
            size = MapIterator.nextChunkSize(size, items, nanos);
        }
    }

    /** On a worker: maps a run of items and folds the results, in order. */
    static final class MapFold<T, R> implements Callable<R> {
        private final SerializableFunction<? super T, ? extends R> fn;
        private final SerializableBinaryOperator<R> reducer;
        private final Object[] items;

        MapFold(SerializableFunction<? super T, ? extends R> fn, SerializableBinaryOperator<R> reducer, Object[] items) {
            this.fn = fn;
            this.reducer = reducer;
            this.items = items;
        }

        @Override
        @SuppressWarnings("unchecked")
        public R call() throws Exception {
            R acc = fn.apply((T) items[0]);
            for (int i = 1; i < items.length; i++) {
                acc = reducer.apply(acc, fn.apply((T) items[i]));
            }
            return acc;
        }
    }

    /** On a worker: combines two adjacent segments, left then right. */
    static final class Combine<R> implements Callable<R> {
        private final SerializableBinaryOperator<R> reducer;
        private final R left;
        private final R right;

        Combine(SerializableBinaryOperator<R> reducer, R left, R right) {
            this.reducer = reducer;
            this.left = left;
            this.right = right;
        }

        @Override
        public R call() throws Exception {
            return reducer.apply(left, right);
        }
    }

    /** On a worker: maps a run of items and returns its running reductions. */
    static final class MapScan<T, R> implements Callable<Object[]> {
        private final SerializableFunction<? super T, ? extends R> fn;
        private final SerializableBinaryOperator<R> reducer;
        private final Object[] items;

        MapScan(SerializableFunction<? super T, ? extends R> fn, SerializableBinaryOperator<R> reducer, Object[] items) {
            this.fn = fn;
            this.reducer = reducer;
            this.items = items;
        }

        @Override
        @SuppressWarnings("unchecked")
        public Object[] call() throws Exception {
            Object[] out = new Object[items.length];
            R acc = fn.apply((T) items[0]);
            out[0] = acc;
            for (int i = 1; i < items.length; i++) {
                acc = reducer.apply(acc, fn.apply((T) items[i]));
                out[i] = acc;
            }
            return out;
        }
    }

    /** On a worker: puts the reduction of every earlier run in front of a run's running reductions. */
    static final class Shift<R> implements Callable<Object[]> {
        private final SerializableBinaryOperator<R> reducer;
        private final R carry;
        private final Object[] prefixes;

        Shift(SerializableBinaryOperator<R> reducer, R carry, Object[] prefixes) {
            this.reducer = reducer;
            this.carry = carry;
            this.prefixes = prefixes;
        }

        @Override
        @SuppressWarnings("unchecked")
        public Object[] call() throws Exception {
            Object[] out = new Object[prefixes.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = reducer.apply(carry, (R) prefixes[i]);
            }
            return out;
        }
    }
}
