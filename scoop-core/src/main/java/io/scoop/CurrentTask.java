package io.scoop;

import io.scoop.worker.TaskContext;

/**
 * What a task running on a worker may know about itself: its attempt number, its label and its id.
 *
 * <pre>{@code
 * pool.with(TaskOptions.defaults().label("fetch").retryOn(IOException.class)).submit(() -> {
 *     log.info("{} attempt {}", CurrentTask.label(), CurrentTask.attempt());
 *     return download(url);
 * });
 * }</pre>
 */
public final class CurrentTask {
    private CurrentTask() {
    }

    /** Whether this thread is running a task on a worker. */
    public static boolean isRunning() {
        return TaskContext.current() != null;
    }

    /**
     * The attempt this run is, from 1: higher after the task's worker died under it, or after it threw an
     * exception its options retry on.
     *
     * @throws IllegalStateException outside a task on a worker
     */
    public static int attempt() {
        return context().attempt() + 1;
    }

    /**
     * The task's {@linkplain TaskOptions#label label}, or null if it has none.
     *
     * @throws IllegalStateException outside a task on a worker
     */
    public static String label() {
        return context().label();
    }

    /**
     * The task's id in its run: unique among the run's tasks, and the same on every attempt after a worker
     * died under it (a retry after an exception gets a new one).
     *
     * @throws IllegalStateException outside a task on a worker
     */
    public static long id() {
        return context().id();
    }

    /**
     * A directory of this task's own on its worker, made empty for it on first call: what the task writes there
     * comes back to the root's directory named by {@link TaskOptions#outputsTo}, if its options name one. It is
     * deleted when the task ends.
     *
     * @throws IllegalStateException outside a task on a worker
     * @throws java.io.UncheckedIOException if it cannot be made
     */
    public static java.nio.file.Path outputDirectory() {
        return context().outputDirectory();
    }

    private static TaskContext context() {
        TaskContext c = TaskContext.current();
        if (c == null) {
            throw new IllegalStateException("CurrentTask is for code running as a task on a worker; this thread ("
                    + Thread.currentThread().getName() + ") is not running one");
        }
        return c;
    }
}
