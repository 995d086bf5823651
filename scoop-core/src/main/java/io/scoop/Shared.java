package io.scoop;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.scoop.internal.SharedStore;

/**
 * A value sent to the workers once, however many tasks use it: SCOOP's {@code shared.setConst}, Dask's
 * {@code scatter}. Made by {@link DistributedExecutor#share}; a task captures the handle (a few dozen bytes)
 * instead of the value, and {@link #get()} returns the value: at the root, the object itself; on a worker,
 * that worker's copy, fetched from the broker the first time a task there needs it and kept for the next.
 *
 * <pre>{@code
 * Shared<double[][]> grid = pool.share(loadGrid());            // 16 MB, sent once per worker
 * List<Double> scores = pool.map(p -> simulate(grid.get(), p), parameters).toList();
 * }</pre>
 *
 * <p>Treat the value as read-only: every task on a worker gets the same copy, and what a task changes in it
 * is seen by the worker's later tasks, not by the root. The broker keeps the encoded value until the executor
 * that shared it ends or {@linkplain DistributedExecutor#release(Shared) releases} it; a worker keeps decoded values up to a quarter of its heap (system property
 * {@code scoop.sharedCacheBytes}), dropping the least recently used, and fetches a dropped one again if a task
 * needs it.
 *
 * @param <T> the value's type
 */
@DefaultSerializer(Shared.HandleSerializer.class)
public final class Shared<T> {
    private final String key;
    private final long size;
    private final T value;
    /** Whether {@link DistributedExecutor#release(Shared)} was called on this handle (at the root). */
    private boolean released;

    Shared(String key, long size, T value) {
        this.key = key;
        this.size = size;
        this.value = value;
    }

    /** Marks this handle released; true the first time only. */
    synchronized boolean markReleased() {
        boolean first = !released;
        released = true;
        return first;
    }

    /** The value: the object itself at the root, this worker's copy on a worker. */
    public T get() {
        return value;
    }

    /** Its encoded size in bytes: what travels once to each worker. */
    public long size() {
        return size;
    }

    /** The content hash the value is known by. */
    public String key() {
        return key;
    }

    @Override
    public String toString() {
        return "Shared[" + key.substring(0, Math.min(12, key.length())) + ", " + size + " bytes]";
    }

    /**
     * How a handle travels: its key and size only; on arrival, the value is this JVM's copy. Not API: public
     * only so that Kryo can create it.
     */
    public static final class HandleSerializer extends Serializer<Shared<?>> {
        public HandleSerializer() {
        }

        @Override
        public void write(Kryo kryo, Output output, Shared<?> shared) {
            output.writeString(shared.key);
            output.writeVarLong(shared.size, true);
        }

        @Override
        public Shared<?> read(Kryo kryo, Input input, Class<? extends Shared<?>> type) {
            String key = input.readString();
            long size = input.readVarLong(true);
            try {
                return new Shared<>(key, size, SharedStore.resolve(key));
            } catch (RuntimeException e) {
                throw new KryoException("shared value " + key + " (" + size + " bytes) could not be had here: "
                        + e.getMessage(), e);
            }
        }
    }
}
