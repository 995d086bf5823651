package io.scoop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * How the tasks of one {@linkplain DistributedExecutor#with view} of an executor run: a label, a priority,
 * an attempt limit, the exceptions worth another attempt, a time limit and the futures they wait for.
 * Immutable: each method returns a copy with one setting changed.
 *
 * <pre>{@code
 * ExecutorService fits = pool.with(TaskOptions.defaults()
 *         .label("fit")
 *         .timeout(Duration.ofMinutes(5))             // cancelled, and its worker ended if it ignores that
 *         .retryOn(IOException.class).maxAttempts(4)
 *         .dependsOn(loaded));                         // sent once `loaded` has succeeded
 * }</pre>
 *
 * <p><b>Attempts.</b> A task is attempted again when its worker dies under it (up to the limit, then
 * {@link WorkerLostException}), and, if it threw one of the {@link #retryOn} types, when it throws (up to
 * the limit, then its last exception). The limit is the executor's ({@code maxAttempts}, 3 by default)
 * unless set here; {@link #notRestartable()} is a limit of one. A running task reads its attempt number
 * with {@link CurrentTask#attempt()}.
 */
public final class TaskOptions {
    private static final TaskOptions DEFAULTS = new TaskOptions(null, null, 0, List.of(), 0, List.of(), null, null);

    private final String label;
    private final Integer priority;
    private final int maxAttempts;
    private final List<Class<? extends Throwable>> retryOn;
    private final long timeoutNanos;
    private final List<CompletableFuture<?>> dependsOn;
    private final String target;
    private final java.nio.file.Path outputDir;

    private TaskOptions(String label, Integer priority, int maxAttempts, List<Class<? extends Throwable>> retryOn,
            long timeoutNanos, List<CompletableFuture<?>> dependsOn, String target, java.nio.file.Path outputDir) {
        this.target = target;
        this.outputDir = outputDir;
        this.label = label;
        this.priority = priority;
        this.maxAttempts = maxAttempts;
        this.retryOn = retryOn;
        this.timeoutNanos = timeoutNanos;
        this.dependsOn = dependsOn;
    }

    /** No label, the default priority and attempt limit, no retry on exceptions, no time limit, no dependency. */
    public static TaskOptions defaults() {
        return DEFAULTS;
    }

    /**
     * A name for the tasks, for people: it appears in their errors and is read by a running task with
     * {@link CurrentTask#label()}.
     */
    public TaskOptions label(String label) {
        Objects.requireNonNull(label, "label");
        return new TaskOptions(label, priority, maxAttempts, retryOn, timeoutNanos, dependsOn, target, outputDir);
    }

    /**
     * Higher runs first among the tasks waiting at the broker. Without it, a task submitted from the root has
     * priority 0 and a task submitted by a running task its parent's priority plus one (so that trees finish
     * depth-first).
     */
    public TaskOptions priority(int priority) {
        return new TaskOptions(label, priority, maxAttempts, retryOn, timeoutNanos, dependsOn, target, outputDir);
    }

    /**
     * The most attempts of each task, counting the first.
     *
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public TaskOptions maxAttempts(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1 (1 = never attempted again): " + n);
        }
        return new TaskOptions(label, priority, n, retryOn, timeoutNanos, dependsOn, target, outputDir);
    }

    /**
     * One attempt only: a task whose worker dies under it fails with {@link WorkerLostException} instead of
     * running again, for tasks with effects outside the JVM that must not happen twice.
     */
    public TaskOptions notRestartable() {
        return maxAttempts(1);
    }

    /**
     * A task that throws one of these (or a subclass) is attempted again, up to the attempt limit; its last
     * exception is the future's. Other exceptions fail it at once, as without this option.
     */
    @SafeVarargs
    public final TaskOptions retryOn(Class<? extends Throwable>... types) {
        List<Class<? extends Throwable>> all = new ArrayList<>(retryOn);
        for (Class<? extends Throwable> t : types) {
            all.add(Objects.requireNonNull(t, "retryOn type"));
        }
        return new TaskOptions(label, priority, maxAttempts, List.copyOf(all), timeoutNanos, dependsOn, target, outputDir);
    }

    /**
     * The longest a task may run, counted on its worker from when it starts (decoding it there included, since
     * that runs the custom deserialization of what it captured): it is then interrupted and its
     * future fails with {@link TaskTimeoutException}; if it ignores the interrupt, its worker JVM is ended
     * (and replaced) after the kill delay, as for {@code cancel(true)}. The task is not attempted again.
     *
     * @throws IllegalArgumentException if {@code timeout} is not positive
     */
    public TaskOptions timeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        long nanos;
        try {
            nanos = timeout.toNanos();
        } catch (ArithmeticException e) {
            nanos = Long.MAX_VALUE;
        }
        return new TaskOptions(label, priority, maxAttempts, retryOn, nanos, dependsOn, target, outputDir);
    }

    /**
     * The tasks wait, at this JVM, until every one of these has completed normally, and are sent then; if one
     * fails or is cancelled, they fail at once with {@link DependencyFailedException} naming it. Accepts any
     * {@link CompletionStage}, Scoop's futures or others.
     */
    public TaskOptions dependsOn(CompletionStage<?>... stages) {
        List<CompletableFuture<?>> all = new ArrayList<>(dependsOn);
        for (CompletionStage<?> s : stages) {
            all.add(Objects.requireNonNull(s, "dependency").toCompletableFuture());
        }
        return new TaskOptions(label, priority, maxAttempts, retryOn, timeoutNanos, Collections.unmodifiableList(all),
                target, outputDir);
    }

    /**
     * The tasks run only on the workers of this host (as the workers name it: see
     * {@link DistributedExecutor#workers()}), for work that needs a resource only that host has. A task for a
     * host from which no worker has joined fails at once ({@link WorkerLostException}, naming the hosts
     * there are); one whose workers are all busy or being replaced waits for them.
     */
    public TaskOptions onHost(String host) {
        Objects.requireNonNull(host, "host");
        return new TaskOptions(label, priority, maxAttempts, retryOn, timeoutNanos, dependsOn, "host:" + host, outputDir);
    }

    /**
     * The tasks run only on this worker (a name from {@link DistributedExecutor#workers()}). If the worker is
     * not in the run, or is lost before or while the task runs, the task fails with
     * {@link WorkerLostException}: it is never moved to another worker.
     */
    public TaskOptions onWorker(String worker) {
        Objects.requireNonNull(worker, "worker");
        return new TaskOptions(label, priority, maxAttempts, retryOn, timeoutNanos, dependsOn, "worker:" + worker, outputDir);
    }

    /**
     * The files each task writes into its output directory ({@link CurrentTask#outputDirectory()}, on its
     * worker) come back into {@code dir} on this machine, at the same relative paths, when the task completes
     * (also when it fails), before its future completes. Several tasks writing the same name overwrite one
     * another: name files after the task's input. They travel with the result, so their total is bounded by
     * the payload limit.
     */
    public TaskOptions outputsTo(java.nio.file.Path dir) {
        Objects.requireNonNull(dir, "dir");
        return new TaskOptions(label, priority, maxAttempts, retryOn, timeoutNanos, dependsOn, target,
                dir.toAbsolutePath().normalize());
    }

    /** These options with the settings of {@code other} put over them (a setting {@code other} has wins). */
    TaskOptions then(TaskOptions other) {
        List<Class<? extends Throwable>> types = new ArrayList<>(retryOn);
        types.addAll(other.retryOn);
        List<CompletableFuture<?>> deps = new ArrayList<>(dependsOn);
        deps.addAll(other.dependsOn);
        return new TaskOptions(other.label != null ? other.label : label,
                other.priority != null ? other.priority : priority,
                other.maxAttempts != 0 ? other.maxAttempts : maxAttempts,
                List.copyOf(types),
                other.timeoutNanos != 0 ? other.timeoutNanos : timeoutNanos,
                Collections.unmodifiableList(deps),
                other.target != null ? other.target : target,
                other.outputDir != null ? other.outputDir : outputDir);
    }

    boolean isDefault() {
        return this == DEFAULTS || (label == null && priority == null && maxAttempts == 0 && retryOn.isEmpty()
                && timeoutNanos == 0 && dependsOn.isEmpty() && target == null && outputDir == null);
    }

    String labelOrNull() {
        return label;
    }

    Integer priorityOrNull() {
        return priority;
    }

    int maxAttemptsOrZero() {
        return maxAttempts;
    }

    List<Class<? extends Throwable>> retryTypes() {
        return retryOn;
    }

    long timeoutNanos() {
        return timeoutNanos;
    }

    /** Where the tasks' output files go on this machine, or null if they stay on the workers. */
    java.nio.file.Path outputDir() {
        return outputDir;
    }

    /** Where the tasks must run, {@code "worker:NAME"} or {@code "host:NAME"}, or null for anywhere. */
    String target() {
        return target;
    }

    List<CompletableFuture<?>> dependencies() {
        return dependsOn;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("TaskOptions[");
        String sep = "";
        if (label != null) {
            s.append("label=").append(label);
            sep = ", ";
        }
        if (priority != null) {
            s.append(sep).append("priority=").append(priority);
            sep = ", ";
        }
        if (maxAttempts != 0) {
            s.append(sep).append("maxAttempts=").append(maxAttempts);
            sep = ", ";
        }
        if (!retryOn.isEmpty()) {
            s.append(sep).append("retryOn=").append(retryOn.stream().map(Class::getSimpleName).toList());
            sep = ", ";
        }
        if (timeoutNanos != 0) {
            s.append(sep).append("timeout=").append(Duration.ofNanos(timeoutNanos));
            sep = ", ";
        }
        if (!dependsOn.isEmpty()) {
            s.append(sep).append("dependsOn=").append(dependsOn.size()).append(" futures");
            sep = ", ";
        }
        if (target != null) {
            s.append(sep).append("on ").append(target);
            sep = ", ";
        }
        if (outputDir != null) {
            s.append(sep).append("outputsTo=").append(outputDir);
        }
        return s.append(']').toString();
    }
}
