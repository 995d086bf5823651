package io.scoop.root;

import io.scoop.internal.Blocking;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The future of one task: a {@link CompletableFuture} that the root completes when the result comes back,
 * and a {@link RunnableFuture}, so that the JDK's helpers built on {@code AbstractExecutorService}
 * ({@code invokeAll}, {@code invokeAny}, {@code ExecutorCompletionService}) can create and hand it back.
 *
 * <p>It never leaves this JVM: what travels is its task. {@link #run()} runs the task here, as
 * {@code FutureTask.run} would, but only if it was never sent (a task returned by {@code shutdownNow} that
 * the caller chooses to run itself); once sent, {@code run} does nothing. Dependent stages
 * ({@code thenApply} …) are plain {@code CompletableFuture}s.
 *
 * <p>On a worker's task thread, {@code get} and {@code join} lend the thread's slot to the worker while they
 * wait (see {@link Blocking}), which is what keeps recursive task trees from deadlocking.
 */
public final class RemoteFuture<T> extends CompletableFuture<T> implements RunnableFuture<T> {
    /** What the future tells the executor it belongs to. */
    public interface Owner {
        /** Cancels the task remotely: removes it from the queue, or interrupts it where it runs. */
        void cancelRemote(RemoteFuture<?> f, boolean mayInterrupt);

        /** The future is complete, by a result, a failure or a cancel; may be called more than once. */
        void done(RemoteFuture<?> f);

        /**
         * The future is about to complete (or be cancelled): called before its waiters wake, so that what it
         * held in flight is free by then (a caller that submits again right after {@code get()} finds room).
         * May be called more than once.
         */
        default void completing(RemoteFuture<?> f) {
        }

        /**
         * Runs the task on the calling thread, which is about to wait for it, if it is still held unsent (a
         * worker's child task: see {@link RootClient#runHere}); true if it ran (the future is complete).
         */
        default boolean runHere(RemoteFuture<?> f) {
            return false;
        }

        /**
         * As {@link #completing(RemoteFuture)}, when the outcome is known: the future is about to complete
         * with a value ({@code failed} false) or an exception.
         */
        default void completing(RemoteFuture<?> f, boolean failed) {
            completing(f);
        }
    }

    private final Owner owner;
    private final Object task;
    private final T fixedResult;
    private final boolean callable;
    private volatile long id;
    private volatile boolean sent;
    private volatile String worker;
    private volatile long runNanos;
    /** How its task ran, once known; the sizes of what travelled each way. */
    private volatile io.scoop.wire.RunInfo run;
    private volatile long sentBytes;
    private volatile long returnedBytes;
    /** The task's options, or null: set before it is sent. */
    private volatile TaskPolicy policy;
    /** Set before the task is sent when it holds containers; read when it settles. */
    private WriteBack writeBack;
    private Object[] containers;
    private long stamp;

    private RemoteFuture(Owner owner, Object task, T fixedResult, boolean callable) {
        this.owner = owner;
        this.task = task;
        this.fixedResult = fixedResult;
        this.callable = callable;
    }

    /** The future of a task submitted as a {@link Callable}: it completes with what the task returns. */
    public static <T> RemoteFuture<T> ofCallable(Owner owner, Callable<T> task) {
        return new RemoteFuture<>(owner, task, null, true);
    }

    /**
     * The future of a task submitted as a {@link Runnable}: it completes with {@code result}, which stays
     * here. (What the task was submitted as decides, for an object that is both.)
     */
    public static <T> RemoteFuture<T> ofRunnable(Owner owner, Runnable task, T result) {
        return new RemoteFuture<>(owner, task, result, false);
    }

    /** Whether the task was submitted as a Callable (else as a Runnable). */
    public boolean isCallable() {
        return callable;
    }

    public Owner owner() {
        return owner;
    }

    /** The user's task: a Callable or a Runnable. */
    public Object task() {
        return task;
    }

    public long id() {
        return id;
    }

    void markSent(long id) {
        this.id = id;
        this.sent = true;
    }

    /** Whether the task was sent (it may wait for its dependencies, or have come back unstarted). */
    public boolean isSent() {
        return sent;
    }

    /** How the task's last attempt ran, or null (not run, or lost with its worker). */
    public io.scoop.wire.RunInfo runInfo() {
        return run;
    }

    public long sentBytes() {
        return sentBytes;
    }

    public long returnedBytes() {
        return returnedBytes;
    }

    /** Its task was encoded to {@code bytes}. */
    public void sent(long bytes) {
        this.sentBytes = bytes;
    }

    /** Its task ran as {@code run} and sent back {@code bytes}. */
    void ran(io.scoop.wire.RunInfo run, long bytes) {
        this.run = run;
        this.returnedBytes = bytes;
    }

    /** The task's options, or null if it has none. */
    public TaskPolicy policy() {
        return policy;
    }

    public void policy(TaskPolicy policy) {
        this.policy = policy;
    }

    /** Lets {@link #run()} run the task here again: for a task the broker returned unstarted. */
    public void markUnsent() {
        this.sent = false;
    }

    /** How long the task ran on its worker, once known. */
    public long runNanos() {
        return runNanos;
    }

    /** The worker that ran the task, once known. */
    public String worker() {
        return worker;
    }

    /** Completes the future with what came back from the cluster. */
    @SuppressWarnings("unchecked")
    void settle(Object value, Throwable error, String worker, long nanos) {
        this.worker = worker;
        this.runNanos = nanos;
        if (writeBack != null && error == null) {
            try {
                value = writeBack.apply(value, containers, stamp, id);
            } catch (RuntimeException e) {
                error = e;
            }
        }
        TaskPolicy p = policy;
        io.scoop.wire.RunInfo r = run;
        if (p != null && p.outputDir() != null && r != null && !r.files().isEmpty()) {
            try {
                OutputWriter.write(p.outputDir(), r.files());
            } catch (java.io.IOException | RuntimeException e) {
                if (error == null) {
                    error = new java.io.UncheckedIOException("the output files of task " + TaskPolicy.describe(this)
                            + " could not be written to " + p.outputDir() + ": " + e.getMessage(),
                            e instanceof java.io.IOException io ? io : new java.io.IOException(e));
                }
            }
        }
        owner.completing(this, error != null);
        if (error != null) {
            completeExceptionally(error);
        } else if (callable) {
            complete((T) value);
        } else {
            complete(fixedResult);
        }
        owner.done(this);
    }

    /** The task travels wrapped (WriteBack.Task): apply what it wrote to {@code containers} when it completes. */
    public void writesBackTo(WriteBack writeBack, Object[] containers) {
        this.containers = containers;
        this.stamp = writeBack.stamp();
        this.writeBack = writeBack;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void run() {
        if (sent || isDone()) {
            return;
        }
        try {
            if (callable) {
                complete(((Callable<T>) task).call());
            } else {
                ((Runnable) task).run();
                complete(fixedResult);
            }
        } catch (Throwable t) {
            completeExceptionally(t);
        }
        owner.done(this);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        // As FutureTask, and unlike CompletableFuture: a future that is already done (cancelled included) says no.
        if (isDone()) {
            return false;
        }
        owner.completing(this);
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled) {
            if (sent) {
                owner.cancelRemote(this, mayInterruptIfRunning);
            }
            owner.done(this);
        }
        return cancelled;
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        Blocking.Hook hook = isDone() ? null : Blocking.current();
        if (hook != null && !Thread.currentThread().isInterrupted() && owner.runHere(this)) {
            hook = null;
        }
        if (hook != null) {
            hook.begin();
        }
        try {
            return super.get();
        } catch (ExecutionException e) {
            throw describe(e);
        } finally {
            if (hook != null) {
                hook.end();
            }
        }
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        Blocking.Hook hook = isDone() ? null : Blocking.current();
        if (hook != null) {
            hook.begin();
        }
        try {
            return super.get(timeout, unit);
        } catch (ExecutionException e) {
            throw describe(e);
        } finally {
            if (hook != null) {
                hook.end();
            }
        }
    }

    @Override
    public T join() {
        Blocking.Hook hook = isDone() ? null : Blocking.current();
        if (hook != null && !Thread.currentThread().isInterrupted() && owner.runHere(this)) {
            hook = null;
        }
        if (hook != null) {
            hook.begin();
        }
        try {
            return super.join();
        } finally {
            if (hook != null) {
                hook.end();
            }
        }
    }

    private ExecutionException describe(ExecutionException e) {
        String w = worker;
        if (w == null) {
            return e;
        }
        ExecutionException named = new ExecutionException("task " + id + " failed on worker " + w + ": " + e.getCause(),
                e.getCause());
        named.setStackTrace(e.getStackTrace());
        return named;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>();
    }

    @Override
    public String toString() {
        return "RemoteFuture[task " + id + ", " + super.toString().replaceFirst("^.*\\[", "").replace("]", "") + "]";
    }
}
