package io.scoop.root;

import io.scoop.wire.TaskFailure;
import io.scoop.worker.TaskContext;
import java.util.concurrent.Callable;
import io.scoop.SerializableFunction;
import io.scoop.Shared;

/**
 * What travels for a run of consecutive {@code map} items: the function (or, for a large one, a
 * {@link Shared} handle to it, so that it travels once per worker), the items, and back an array of results
 * in which an item that threw holds its {@link TaskFailure}.
 */
public final class MapChunk implements Callable<Object[]> {
    private final Object fn;
    private final Object[] items;

    /** A chunk of {@code items} for {@code fn}: a {@link SerializableFunction}, or a {@link Shared} one. */
    public MapChunk(Object fn, Object[] items) {
        this.fn = fn;
        this.items = items;
    }

    public int size() {
        return items.length;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Object[] call() {
        SerializableFunction<Object, Object> fn = (SerializableFunction<Object, Object>)
                (this.fn instanceof Shared<?> s ? s.get() : this.fn);
        Object[] out = new Object[items.length];
        for (int i = 0; i < items.length; i++) {
            try {
                out[i] = fn.apply(items[i]);
            } catch (Throwable e) {
                TaskContext ctx = TaskContext.current();
                out[i] = TaskFailure.of(TaskFailure.THREW, e, ctx == null ? null : ctx.worker().describe());
            }
        }
        return out;
    }
}
