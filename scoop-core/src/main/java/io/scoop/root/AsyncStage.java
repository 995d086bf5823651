package io.scoop.root;

import io.scoop.internal.JdkInternals;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One asynchronous stage of a {@link CompletableFuture} ({@code supplyAsync(s, pool)},
 * {@code thenApplyAsync(f, pool)}, {@code thenCombineAsync(other, f, pool)} …) as the JDK hands it to
 * {@code execute}: a private {@code Runnable} that, run here, would call the user's function and complete the
 * dependent future. We take it apart instead: its function and the value(s) of the stage(s) it depends on
 * travel to a worker as a {@link Call}, and the dependent future is completed here with what comes back, or
 * with the function's exception (wrapped in a {@link CompletionException}, as the JDK stores it).
 */
public final class AsyncStage {
    private static final Map<String, Kind> KINDS = Map.ofEntries(
            Map.entry("AsyncSupply", Kind.SUPPLY), Map.entry("AsyncRun", Kind.RUN),
            Map.entry("UniApply", Kind.APPLY), Map.entry("UniAccept", Kind.ACCEPT), Map.entry("UniRun", Kind.RUN),
            Map.entry("UniWhenComplete", Kind.WHEN_COMPLETE), Map.entry("UniHandle", Kind.HANDLE),
            Map.entry("UniExceptionally", Kind.EXCEPTIONALLY), Map.entry("UniCompose", Kind.COMPOSE),
            Map.entry("UniComposeExceptionally", Kind.COMPOSE_EXCEPTIONALLY),
            Map.entry("BiApply", Kind.BI_APPLY), Map.entry("BiAccept", Kind.BI_ACCEPT), Map.entry("BiRun", Kind.RUN),
            Map.entry("OrApply", Kind.APPLY), Map.entry("OrAccept", Kind.ACCEPT), Map.entry("OrRun", Kind.RUN));

    /** What the function is, and so how it is called. */
    enum Kind { SUPPLY, RUN, APPLY, ACCEPT, WHEN_COMPLETE, HANDLE, EXCEPTIONALLY, COMPOSE, COMPOSE_EXCEPTIONALLY,
        BI_APPLY, BI_ACCEPT }

    private final CompletableFuture<Object> dep;
    private final Call call;
    /** For whenComplete: the source's own outcome, which the dependent takes on unless the action throws. */
    private final Object sourceValue;
    private final Throwable sourceFailure;

    private AsyncStage(CompletableFuture<Object> dep, Call call, Object sourceValue, Throwable sourceFailure) {
        this.dep = dep;
        this.call = call;
        this.sourceValue = sourceValue;
        this.sourceFailure = sourceFailure;
    }

    /**
     * The stage {@code command} is, or null if it is not one of {@code CompletableFuture}'s.
     *
     * @throws RejectedExecutionException if it is one but this JVM does not let us read it
     */
    @SuppressWarnings("unchecked")
    public static AsyncStage of(Runnable command) {
        Class<?> type = command.getClass();
        Kind kind = type.getEnclosingClass() == CompletableFuture.class ? KINDS.get(type.getSimpleName()) : null;
        if (kind == null) {
            return null;
        }
        try {
            Object fn = field(command, type, "fn");
            CompletableFuture<Object> dep = (CompletableFuture<Object>) field(command, type, "dep");
            if (dep == null || fn == null) {
                return null; // already run or claimed elsewhere: nothing left to do
            }
            if (kind == Kind.SUPPLY || type.getSimpleName().equals("AsyncRun")) {
                return new AsyncStage(dep, new Call(kind, fn, null, null, null), null, null);
            }
            CompletableFuture<?> src = (CompletableFuture<?>) field(command, type, "src");
            CompletableFuture<?> snd = type.getSimpleName().startsWith("Bi") || type.getSimpleName().startsWith("Or")
                    ? (CompletableFuture<?>) field(command, type, "snd") : null;
            Object[] first = outcome(type.getSimpleName().startsWith("Or") && !src.isDone() ? snd : src);
            Object second = snd != null && type.getSimpleName().startsWith("Bi") ? outcome(snd)[0] : null;
            return new AsyncStage(dep, new Call(kind, fn, first[0], (Throwable) first[1], second), first[0],
                    (Throwable) first[1]);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new RejectedExecutionException("cannot run the CompletableFuture stage " + type.getName()
                    + " on a worker: this JVM does not let Scoop read it (" + e + "); start it with "
                    + String.join(" ", JdkInternals.FLAGS), e);
        }
    }

    private static Object field(Object target, Class<?> type, String name) throws ReflectiveOperationException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                c.getDeclaredField(name);
                return JdkInternals.field(target, c, name);
            } catch (NoSuchFieldException e) {
                // declared higher up
            }
        }
        throw new NoSuchFieldException(type.getName() + "." + name);
    }

    /** {value, failure as the JDK stored it} of a completed future. */
    private static Object[] outcome(CompletableFuture<?> f) {
        return f.handle((v, x) -> new Object[] {v, x}).join();
    }

    /** The work that travels. */
    public Callable<Object> call() {
        return call;
    }

    /** Completes the dependent future with the outcome of {@link #call()}. */
    public void settle(Object value, Throwable failure) {
        if (call.kind == Kind.WHEN_COMPLETE) {
            if (sourceFailure != null) {
                if (failure != null && failure != sourceFailure) {
                    sourceFailure.addSuppressed(failure);
                }
                dep.completeExceptionally(sourceFailure);
            } else if (failure != null) {
                dep.completeExceptionally(wrap(failure));
            } else {
                dep.complete(sourceValue);
            }
        } else if (failure != null) {
            dep.completeExceptionally(wrap(failure));
        } else {
            dep.complete(value);
        }
    }

    private static Throwable wrap(Throwable x) {
        return x instanceof CompletionException ? x : new CompletionException(x);
    }

    /** A stage's function and its inputs, run on a worker. */
    static final class Call implements Callable<Object> {
        final Kind kind;
        final Object fn;
        final Object value;
        final Throwable failure;
        final Object other;

        Call(Kind kind, Object fn, Object value, Throwable failure, Object other) {
            this.kind = kind;
            this.fn = fn;
            this.value = value;
            this.failure = failure;
            this.other = other;
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public Object call() throws Exception {
            switch (kind) {
                case SUPPLY:
                    return ((Supplier) fn).get();
                case RUN:
                    ((Runnable) fn).run();
                    return null;
                case APPLY:
                    return ((Function) fn).apply(value);
                case ACCEPT:
                    ((Consumer) fn).accept(value);
                    return null;
                case WHEN_COMPLETE:
                    ((BiConsumer) fn).accept(value, failure);
                    return null;
                case HANDLE:
                    return ((BiFunction) fn).apply(value, failure);
                case EXCEPTIONALLY:
                    return ((Function) fn).apply(failure);
                case COMPOSE:
                    return await((CompletionStage<?>) ((Function) fn).apply(value));
                case COMPOSE_EXCEPTIONALLY:
                    return await((CompletionStage<?>) ((Function) fn).apply(failure));
                case BI_APPLY:
                    return ((BiFunction) fn).apply(value, other);
                case BI_ACCEPT:
                    ((BiConsumer) fn).accept(value, other);
                    return null;
                default:
                    throw new AssertionError(kind);
            }
        }

        /** The composed stage's value; it is completed here, on the worker, nested tasks included. */
        private static Object await(CompletionStage<?> stage) throws Exception {
            try {
                return stage.toCompletableFuture().join();
            } catch (CompletionException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                if (cause instanceof Exception ex) {
                    throw ex;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw e;
            }
        }
    }
}
