package io.scoop.wire;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.util.List;
import java.util.Map;

/**
 * Refuses, with a reason, the objects that belong to the JVM they live in: a thread, a lock, an open stream,
 * socket or channel, a class loader, another executor. Copying one would give the worker something that looks
 * right and does nothing (a lock no one else holds, a stream to nowhere), so encoding fails at submit instead.
 */
final class Untravelable extends Serializer<Object> {
    /** Kinds of object and why each cannot travel; a type is refused if it is or extends one of them. */
    static final Map<Class<?>, String> KINDS = Map.ofEntries(
            Map.entry(Thread.class, "a thread runs in the JVM that started it"),
            Map.entry(ThreadGroup.class, "threads run in the JVM that started them"),
            Map.entry(ClassLoader.class, "a class loader belongs to its JVM"),
            Map.entry(java.io.InputStream.class, "an open stream belongs to this JVM's file or connection"),
            Map.entry(java.io.OutputStream.class, "an open stream belongs to this JVM's file or connection"),
            Map.entry(java.io.Reader.class, "an open reader belongs to this JVM's file or connection"),
            Map.entry(java.io.Writer.class, "an open writer belongs to this JVM's file or connection"),
            Map.entry(java.io.RandomAccessFile.class, "an open file belongs to this JVM"),
            Map.entry(java.net.Socket.class, "a connection belongs to this JVM"),
            Map.entry(java.net.ServerSocket.class, "a listening socket belongs to this JVM"),
            Map.entry(java.nio.channels.Channel.class, "an open channel belongs to this JVM"),
            Map.entry(java.util.concurrent.locks.Lock.class, "a lock only excludes threads of its own JVM"),
            Map.entry(java.util.concurrent.locks.Condition.class, "a condition only signals threads of its own JVM"),
            Map.entry(java.util.concurrent.Semaphore.class, "a semaphore only counts threads of its own JVM"),
            Map.entry(java.util.concurrent.CountDownLatch.class, "a latch only releases threads of its own JVM"),
            Map.entry(java.util.concurrent.CyclicBarrier.class, "a barrier only gathers threads of its own JVM"),
            Map.entry(java.util.concurrent.Future.class, "a future is completed in the JVM that made it;"
                    + " pass its value (get() it first) or chain the work with thenApplyAsync(fn, pool)"),
            Map.entry(java.util.concurrent.Executor.class, "an executor runs tasks on this JVM's threads; a task"
                    + " on a worker can submit through DistributedExecutor.current()"),
            Map.entry(java.lang.ref.Reference.class, "a reference tracks this JVM's garbage collector"),
            Map.entry(Process.class, "a process is a child of this JVM"),
            Map.entry(ProcessHandle.class, "a process handle names a process of this machine"));

    private static final List<Class<?>> ORDER = List.copyOf(KINDS.keySet());

    private final String reason;

    private Untravelable(String reason) {
        this.reason = reason;
    }

    /** The serializer that refuses {@code type}, or null when it may travel. */
    static Serializer<?> refusing(Class<?> type) {
        if (type.getName().startsWith("io.scoop.")) {
            return null; // Scoop's own executor travels as a handle to the worker's (ExecutorSerializer)
        }
        for (Class<?> kind : ORDER) {
            if (kind.isAssignableFrom(type)) {
                return new Untravelable(KINDS.get(kind));
            }
        }
        return null;
    }

    @Override
    public void write(Kryo kryo, Output output, Object object) {
        throw new TravelException(article(object.getClass()) + ", which cannot be sent to another JVM: " + reason
                + ". Create it inside the task, or capture only the data it needs", null);
    }

    @Override
    public Object read(Kryo kryo, Input input, Class<?> type) {
        throw new TravelException("a " + type.getName() + " cannot be received from another JVM: " + reason, null);
    }

    /**
     * Why encoding failed, for a sentence "X captures a T, which …": a JDK object whose fields the module system
     * keeps private (and that is not serializable) cannot travel at all, so no JVM flag is suggested for it.
     */
    static String why(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.lang.reflect.InaccessibleObjectException) {
                String field = String.valueOf(t.getMessage()).replaceAll("^.*?field (.*?) accessible.*$", "$1");
                return "cannot be sent to another JVM: it holds a JDK object that is neither serializable nor"
                        + " known to Scoop (at " + field + ")";
            }
            if (t instanceof TravelException) {
                return t.getMessage();
            }
        }
        return "could not be encoded: " + e.getMessage();
    }

    /** "a java.lang.Thread", "an io.Example". */
    static String article(Class<?> type) {
        String name = type.isAnonymousClass() || type.isHidden() ? type.getName() : type.getTypeName();
        return ("aeiouAEIOU".indexOf(name.charAt(0)) >= 0 ? "an " : "a ") + name;
    }
}
