package io.scoop;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.scoop.worker.TaskContext;

/**
 * How a {@link DistributedExecutor} that a task holds (a field of the enclosing instance of an anonymous
 * task class, a captured variable) travels: as nothing. On the worker it becomes the worker's own
 * executor, so the task submits its children through it, as if it had called
 * {@link DistributedExecutor#current()}. Not API: public only so that Kryo can create it.
 */
public final class ExecutorSerializer extends Serializer<DistributedExecutor> {
    /** Kryo creates it by reflection, from {@code @DefaultSerializer} on DistributedExecutor. */
    public ExecutorSerializer() {
    }

    @Override
    public void write(Kryo kryo, Output output, DistributedExecutor executor) {
        // nothing: the receiving worker supplies its own
    }

    @Override
    public DistributedExecutor read(Kryo kryo, Input input, Class<? extends DistributedExecutor> type) {
        if (TaskContext.processWorker() == null) {
            throw new KryoException("a DistributedExecutor travelled to a JVM that is not a worker; return results,"
                    + " not executors");
        }
        return DistributedExecutor.current();
    }
}
