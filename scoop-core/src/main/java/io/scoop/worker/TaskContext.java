package io.scoop.worker;

/**
 * What a running task may ask about where it runs: its worker (for nested submits), its priority
 * (children run at their parent's priority plus one, so a tree finishes depth-first instead of flooding
 * the queue with new roots), and, for {@link io.scoop.CurrentTask}, its id, attempt and label.
 */
public final class TaskContext {
    private static final ThreadLocal<TaskContext> CURRENT = new ThreadLocal<>();
    private static volatile Worker processWorker;

    private final Worker worker;
    private final int priority;
    private final long id;
    private final int attempt;
    private final String label;

    TaskContext(Worker worker, int priority, long id, int attempt, String label) {
        this.worker = worker;
        this.priority = priority;
        this.id = id;
        this.attempt = attempt;
        this.label = label;
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

    /** The broker's id of the task: the same on each attempt the broker makes. */
    public long id() {
        return id;
    }

    /** The attempts made before this one. */
    public int attempt() {
        return attempt;
    }

    /** The task's label, or null. */
    public String label() {
        return label;
    }

    private java.nio.file.Path outputDirectory;

    /** The task's output directory, made on first call. */
    public synchronized java.nio.file.Path outputDirectory() {
        if (outputDirectory == null) {
            try {
                outputDirectory = java.nio.file.Files.createTempDirectory("scoop-task-" + id + "-");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("the task's output directory could not be made in "
                        + System.getProperty("java.io.tmpdir") + ": " + e.getMessage(), e);
            }
        }
        return outputDirectory;
    }

    /** The output directory if the task asked for it, else null. */
    synchronized java.nio.file.Path outputDirectoryIfMade() {
        return outputDirectory;
    }
}
