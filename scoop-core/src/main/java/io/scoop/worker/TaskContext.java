package io.scoop.worker;

/**
 * What a running task may ask about where it runs: its worker (for nested submits) and its priority
 * (children run at their parent's priority plus one, so a tree finishes depth-first instead of flooding
 * the queue with new roots).
 */
public final class TaskContext {
    /** The worker JVM's system property that bounds the size of an encoded result, in bytes. */
    public static final String MAX_MESSAGE_BYTES_PROPERTY = "scoop.maxMessageBytes";
    /** Its default: 512 MiB. */
    public static final long DEFAULT_MAX_MESSAGE_BYTES = 512L << 20;
    private static final ThreadLocal<TaskContext> CURRENT = new ThreadLocal<>();
    private static volatile Worker processWorker;

    private final Worker worker;
    private final int priority;

    TaskContext(Worker worker, int priority) {
        this.worker = worker;
        this.priority = priority;
    }

    /** The context of the task running on this thread, or null outside a task. */
    public static TaskContext current() {
        return CURRENT.get();
    }

    /** The worker running in this JVM, or null if this JVM is not a worker. */
    public static Worker processWorker() {
        return processWorker;
    }

    static void setProcessWorker(Worker w) {
        processWorker = w;
    }

    static TaskContext enter(TaskContext c) {
        TaskContext previous = CURRENT.get();
        CURRENT.set(c);
        return previous;
    }

    static void exit(TaskContext previous) {
        if (previous == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(previous);
        }
    }

    public Worker worker() {
        return worker;
    }

    public int priority() {
        return priority;
    }
}
