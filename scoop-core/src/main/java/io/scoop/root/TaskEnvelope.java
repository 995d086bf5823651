package io.scoop.root;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * What travels for a task with a label, a time limit or output files to return: the task, and those, which the
 * worker reads before it runs the task. Tasks without them travel bare.
 *
 * <p>Its encoding puts the label, the time limit and the flag before the task, and a worker learns them
 * ({@link #decode}) before it decodes the task: decoding runs the user's code too (a captured value's
 * {@code readObject} or Kryo {@code read}), which may hang, and the time limit must already count then.
 */
@DefaultSerializer(TaskEnvelope.Codec.class)
public final class TaskEnvelope implements Callable<Object> {
    private static final ThreadLocal<Consumer<TaskEnvelope>> HEADER = new ThreadLocal<>();

    private final Callable<?> task;
    private final String label;
    private final long timeoutNanos;
    private final boolean returnsFiles;

    public TaskEnvelope(Callable<?> task, String label, long timeoutNanos, boolean returnsFiles) {
        this.task = task;
        this.label = label;
        this.timeoutNanos = timeoutNanos;
        this.returnsFiles = returnsFiles;
    }

    /** Whether the files the task writes into its output directory go back to the root. */
    public boolean returnsFiles() {
        return returnsFiles;
    }

    public Callable<?> task() {
        return task;
    }

    /** The task's label, or null. */
    public String label() {
        return label;
    }

    /** The longest the task may run on its worker, or 0 for no limit. */
    public long timeoutNanos() {
        return timeoutNanos;
    }

    @Override
    public Object call() throws Exception {
        return task.call();
    }

    /**
     * Decodes a task with {@code decoder}, telling {@code header} of an envelope's label, time limit and flag (as an
     * envelope whose task is null) as soon as they are read, before its task is decoded.
     */
    public static <T> T decode(java.util.function.Supplier<T> decoder, Consumer<TaskEnvelope> header) {
        Consumer<TaskEnvelope> previous = HEADER.get();
        HEADER.set(header);
        try {
            return decoder.get();
        } finally {
            if (previous == null) {
                HEADER.remove();
            } else {
                HEADER.set(previous);
            }
        }
    }

    /** The envelope's fields first, then its task. Not API: public only so that Kryo can create it. */
    public static final class Codec extends Serializer<TaskEnvelope> {
        public Codec() {
        }

        @Override
        public void write(Kryo kryo, Output output, TaskEnvelope e) {
            output.writeString(e.label);
            output.writeVarLong(e.timeoutNanos, true);
            output.writeBoolean(e.returnsFiles);
            kryo.writeClassAndObject(output, e.task);
        }

        @Override
        public TaskEnvelope read(Kryo kryo, Input input, Class<? extends TaskEnvelope> type) {
            String label = input.readString();
            long timeoutNanos = input.readVarLong(true);
            boolean returnsFiles = input.readBoolean();
            Consumer<TaskEnvelope> header = HEADER.get();
            if (header != null) {
                HEADER.remove(); // for this envelope only, not one the task may hold
                header.accept(new TaskEnvelope(null, label, timeoutNanos, returnsFiles));
            }
            Callable<?> task = (Callable<?>) kryo.readClassAndObject(input);
            return new TaskEnvelope(task, label, timeoutNanos, returnsFiles);
        }
    }
}
