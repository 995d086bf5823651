package io.scoop.root;

import io.scoop.wire.TaskFailure;
import io.scoop.worker.TaskContext;
import java.util.concurrent.Callable;
import io.scoop.SerializableFunction;

/**
 * What travels for a run of consecutive {@code map} items: the function once, the items, and back an
 * array of results in which an item that threw holds its {@link TaskFailure}.
 */
public final class MapChunk implements Callable<Object[]> {
    private final SerializableFunction<Object, Object> fn;
    private final Object[] items;

    @SuppressWarnings("unchecked")
    public MapChunk(SerializableFunction<?, ?> fn, Object[] items) {
        this.fn = (SerializableFunction<Object, Object>) fn;
        this.items = items;
    }

    public int size() {
        return items.length;
    }

    @Override
    public Object[] call() {
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
