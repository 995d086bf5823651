package io.scoop.wire;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;

/**
 * Why a task did not produce a result, as a worker reports it to the root.
 *
 * <p>It always carries the text (class name, message, stack, worker) so that the root can explain the
 * failure even when it cannot load the exception's class; it carries the exception itself, Java-serialized,
 * when that was possible, so that the root can rethrow the original type.
 */
public final class TaskFailure {
    /** The task threw {@link #className}. */
    public static final int THREW = 0;
    /** The task ran, but its result could not be encoded. */
    public static final int RESULT_NOT_SERIALIZABLE = 1;
    /** The task could not be decoded on the worker: a class is missing there ({@link #missingClass}). */
    public static final int MISSING_CLASS = 2;
    /** The task could not be decoded on the worker for another reason. */
    public static final int NOT_DECODABLE = 3;
    /** The task ran past its time limit, and was interrupted. */
    public static final int TIMED_OUT = 4;

    public int kind;
    public String className;
    public String message;
    public StackTraceElement[] stack;
    public TaskFailure cause;
    public String worker;
    public String missingClass;
    public byte[] serialized;
    /** The attempts made before the one that failed. */
    public int attempt;

    public TaskFailure() {
    }

    /** Describes {@code t} (and its causes), thrown on {@code worker}. */
    public static TaskFailure of(int kind, Throwable t, String worker) {
        TaskFailure f = describe(t, 0);
        f.kind = kind;
        f.worker = worker;
        f.serialized = javaSerialize(t);
        return f;
    }

    private static TaskFailure describe(Throwable t, int depth) {
        TaskFailure f = new TaskFailure();
        f.className = t.getClass().getName();
        f.message = t.getMessage();
        f.stack = t.getStackTrace();
        if (t.getCause() != null && t.getCause() != t && depth < 16) {
            f.cause = describe(t.getCause(), depth + 1);
        }
        return f;
    }

    private static byte[] javaSerialize(Throwable t) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(t);
            }
            return bytes.toByteArray();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
