package io.scoop.root;

import io.scoop.DependencyFailedException;
import io.scoop.RemoteTaskException;
import io.scoop.wire.TaskFailure;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The root's part of a task's options ({@code TaskOptions}): its label for messages, its attempt limit, the
 * exceptions it is attempted again on, and the futures it waits for before it is sent. A future without
 * options has no policy.
 */
public final class TaskPolicy {
    /** The attempt limit of a task that retries on exceptions but sets no limit of its own. */
    static final int DEFAULT_RETRY_ATTEMPTS = 3;

    final String label;
    final int priority;
    final int maxAttempts;
    /** Where the task must run ({@code "worker:NAME"}, {@code "host:NAME"}), or empty for anywhere. */
    private final String target;
    /** Where its output files go here, or null. */
    private final java.nio.file.Path outputDir;
    private final List<Class<? extends Throwable>> retryOn;
    /** The encoded task, kept to send again after an exception it retries on; null if it never retries. */
    private volatile byte[] payload;

    public TaskPolicy(String label, int priority, int maxAttempts, List<Class<? extends Throwable>> retryOn,
            String target, java.nio.file.Path outputDir) {
        this.label = label;
        this.outputDir = outputDir;
        this.target = target == null ? "" : target;
        this.priority = priority;
        this.retryOn = retryOn;
        this.maxAttempts = !retryOn.isEmpty() && maxAttempts == 0 ? DEFAULT_RETRY_ATTEMPTS : maxAttempts;
    }

    /** The task's attempt limit for the broker, 0 for the broker's own. */
    public int maxAttempts() {
        return maxAttempts;
    }

    public int priority() {
        return priority;
    }

    /** The task's label, or null. */
    public String label() {
        return label;
    }

    public String target() {
        return target;
    }

    public java.nio.file.Path outputDir() {
        return outputDir;
    }

    /** Keeps the encoded task if it may have to be sent again. */
    public void sending(byte[] encoded) {
        if (!retryOn.isEmpty()) {
            payload = encoded;
        }
    }

    /**
     * The encoded task to send again after {@code failure}, which {@code error} describes; null if the task
     * does not retry on it or has no attempt left (its payload is then let go).
     */
    byte[] retryPayload(TaskFailure failure, Throwable error) {
        byte[] p = payload;
        if (p == null || failure.kind != TaskFailure.THREW) {
            payload = null;
            return null;
        }
        if (failure.attempt + 1 >= maxAttempts || !retries(error)) {
            payload = null;
            return null;
        }
        return p;
    }

    private boolean retries(Throwable error) {
        for (Class<? extends Throwable> type : retryOn) {
            if (type.isInstance(error)
                    || (error instanceof RemoteTaskException r && isNamed(type, r.remoteClassName()))) {
                return true;
            }
        }
        return false;
    }

    /** A remote exception of a class this JVM lacks retries if its name is the type's own. */
    private static boolean isNamed(Class<?> type, String className) {
        return type.getName().equals(className);
    }

    /** How a task is named in messages: its label, or its class. */
    static String describe(RemoteFuture<?> f) {
        TaskPolicy p = f.policy();
        Object task = f.task();
        String type = task == null ? "null" : task.getClass().getName();
        return p != null && p.label != null ? "'" + p.label + "' (" + type + ")" : type;
    }

    /**
     * Runs {@code send} once every dependency has completed normally; if one fails or is cancelled first,
     * fails {@code f} at once with a {@link DependencyFailedException} naming it. Nothing happens if {@code f}
     * completed meanwhile (it was cancelled).
     */
    public static void sendWhenReady(List<CompletableFuture<?>> dependencies, RemoteFuture<?> f, Runnable send) {
        int n = dependencies.size();
        java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger(n);
        for (int i = 0; i < n; i++) {
            CompletableFuture<?> d = dependencies.get(i);
            int index = i;
            d.whenComplete((v, error) -> {
                if (f.isDone()) {
                    return;
                }
                if (error != null) {
                    Throwable cause = error instanceof CompletionException && error.getCause() != null
                            ? error.getCause() : error;
                    f.settle(null, new DependencyFailedException("task " + describe(f) + " did not run: its dependency "
                            + dependencyName(d, index) + (cause instanceof CancellationException ? " was cancelled"
                            : " failed: " + cause), cause), null, 0);
                } else if (waiting.decrementAndGet() == 0) {
                    try {
                        send.run();
                    } catch (RuntimeException e) {
                        f.settle(null, e, null, 0);
                    }
                }
            });
        }
    }

    private static String dependencyName(CompletableFuture<?> d, int index) {
        if (d instanceof RemoteFuture<?> r) {
            return "task " + describe(r) + (r.id() != 0 ? " (id " + r.id() + ")" : "");
        }
        return "#" + (index + 1) + " (" + d + ")";
    }
}
