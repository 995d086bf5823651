package io.scoop.root;

import io.scoop.wire.TaskFailure;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import io.scoop.SerializableFunction;
import java.util.function.IntSupplier;

/**
 * The results of {@code map}, pulled lazily: the input is read only as far as a bounded window of chunks in
 * flight needs, so memory stays flat however long the input is.
 *
 * <p><b>Chunks.</b> Items travel in runs ({@link MapChunk}). The first chunks hold one item each; as
 * results come back with their run time, the chunk size moves toward about {@link #TARGET_CHUNK_NANOS} of
 * work (at most four times larger per step, at most {@link #MAX_CHUNK} items), so tiny items share a
 * message and long items still spread over every worker.
 *
 * <p><b>Window.</b> At most {@code max(4, 2 × worker threads)} chunks are in flight; in ordered mode that
 * includes finished chunks waiting behind a slower one, so a straggler stalls reading, not memory.
 *
 * <p><b>Failures.</b> An item that threw surfaces, at its position, as a {@link CompletionException} whose
 * cause is the task's exception; the items before it are all delivered first.
 */
public final class MapIterator<R> implements Iterator<R>, AutoCloseable {
    static final long TARGET_CHUNK_NANOS = 2_000_000;
    static final int MAX_CHUNK = 8192;

    /** Sends one chunk, returning its future. */
    public interface ChunkSender {
        RemoteFuture<Object[]> send(MapChunk chunk);
    }

    private final Iterator<?> input;
    /** The function, or a {@code Shared} handle to it. */
    private final Object fn;
    private final ChunkSender sender;
    private final IntSupplier clusterThreads;
    private final boolean ordered;
    private final ArrayDeque<RemoteFuture<Object[]>> inFlight = new ArrayDeque<>();
    private final LinkedBlockingQueue<RemoteFuture<Object[]>> completed = new LinkedBlockingQueue<>();
    private int unorderedOutstanding;
    private Object[] current;
    private int pos;
    private int chunkSize = 1;
    private boolean closed;
    private Runnable onDone = () -> { };

    public MapIterator(Object fn, Iterator<?> input, ChunkSender sender, IntSupplier clusterThreads,
            boolean ordered) {
        this.fn = fn;
        this.input = input;
        this.sender = sender;
        this.clusterThreads = clusterThreads;
        this.ordered = ordered;
    }

    /** Runs {@code r} once, when the results are all read or the iterator is closed. */
    public void onDone(Runnable r) {
        this.onDone = r;
    }

    private void done() {
        Runnable r = onDone;
        onDone = () -> { };
        r.run();
    }

    @Override
    public boolean hasNext() {
        while (current == null || pos == current.length) {
            if (closed) {
                return false;
            }
            refill();
            RemoteFuture<Object[]> next = takeNext();
            if (next == null) {
                done();
                return false;
            }
            current = next.join();
            adapt(next);
            pos = 0;
            refill();
        }
        return true;
    }

    @Override
    @SuppressWarnings("unchecked")
    public R next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Object v = current[pos++];
        if (v instanceof TaskFailure f) {
            throw new CompletionException("map item failed on worker " + f.worker, Failures.toThrowable(f, -1));
        }
        return (R) v;
    }

    private RemoteFuture<Object[]> takeNext() {
        if (ordered) {
            return inFlight.pollFirst();
        }
        if (unorderedOutstanding == 0) {
            return null;
        }
        try {
            RemoteFuture<Object[]> f = io.scoop.internal.Blocking.take(completed);
            unorderedOutstanding--;
            inFlight.remove(f);
            return f;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        }
    }

    private void refill() {
        int window = Math.max(4, 2 * clusterThreads.getAsInt());
        while (inFlight.size() < window && input.hasNext()) {
            int n = chunkSize;
            Object[] items = new Object[n];
            int k = 0;
            while (k < n && input.hasNext()) {
                items[k++] = input.next();
            }
            if (k < n) {
                items = java.util.Arrays.copyOf(items, k);
            }
            RemoteFuture<Object[]> f = sender.send(new MapChunk(fn, items));
            inFlight.addLast(f);
            if (!ordered) {
                unorderedOutstanding++;
                f.whenComplete((v, e) -> completed.add(f));
            }
        }
    }

    private void adapt(RemoteFuture<Object[]> f) {
        chunkSize = nextChunkSize(chunkSize, current.length, f.runNanos());
    }

    /**
     * The size of the next chunk, from the current size and a chunk of {@code items} that ran for
     * {@code nanos}: toward {@link #TARGET_CHUNK_NANOS} of work, at most four times larger per step.
     */
    static int nextChunkSize(int chunkSize, int items, long nanos) {
        if (nanos <= 0 || items == 0) {
            return Math.min(MAX_CHUNK, chunkSize * 2);
        }
        double perItem = (double) nanos / items;
        long want = (long) Math.max(1, Math.min(MAX_CHUNK, TARGET_CHUNK_NANOS / Math.max(1.0, perItem)));
        return (int) Math.max(1, Math.min(want, (long) chunkSize * 4));
    }

    /** Cancels what is still in flight; the iterator then ends. */
    @Override
    public void close() {
        closed = true;
        for (RemoteFuture<Object[]> f : inFlight) {
            f.cancel(true);
        }
        inFlight.clear();
        done();
    }
}
