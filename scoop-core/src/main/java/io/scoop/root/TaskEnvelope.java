package io.scoop.root;

import java.util.concurrent.Callable;

/**
 * What travels for a task with a label, a time limit or output files to return: the task, and those, which the
 * worker reads before it runs the task. Tasks without them travel bare.
 */
public final class TaskEnvelope implements Callable<Object> {
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
}
