package io.scoop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * SCOOP's {@code futures.wait} and {@code futures.as_completed} for {@link CompletableFuture}s (every future
 * Scoop returns is one, and so is any {@code CompletableFuture} of the JDK's):
 *
 * <pre>{@code
 * Futures.Done<CompletableFuture<Double>> d = Futures.wait(fs, Futures.ReturnWhen.FIRST_EXCEPTION, Duration.ofMinutes(5));
 * for (CompletableFuture<Double> f : Futures.asCompleted(fs, Duration.ofMinutes(5))) { ... }
 * }</pre>
 *
 * Neither cancels anything: a future still running when the call returns keeps running.
 */
public final class Futures {
    private Futures() {
    }

    /** When {@link #wait} returns, as SCOOP's (and Python's) {@code return_when}. */
    public enum ReturnWhen {
        /** As soon as any future completes, normally or not. */
        FIRST_COMPLETED,
        /** As soon as any future completes exceptionally (or is cancelled), or all have completed. */
        FIRST_EXCEPTION,
        /** When every future has completed. */
        ALL_COMPLETED
    }

    /**
     * The futures that had completed when {@link #wait} returned, and those that had not, each in the order
     * they were given.
     */
    public record Done<F>(Set<F> done, Set<F> notDone) {
    }

    /**
     * Waits until {@code when} holds for {@code futures}, or {@code timeout} passes (null: no limit), and says
     * which are done. Returns at once for an empty collection.
     *
     * @throws InterruptedException if this thread is interrupted while waiting
     * @throws NullPointerException if {@code futures}, an element, or {@code when} is null
     */
    public static <F extends CompletableFuture<?>> Done<F> wait(Collection<F> futures, ReturnWhen when,
            Duration timeout) throws InterruptedException {
        Objects.requireNonNull(when, "when");
        List<F> fs = copy(futures);
        CountDownLatch enough = new CountDownLatch(1);
        Runnable check = () -> {
            if (satisfied(fs, when)) {
                enough.countDown();
            }
        };
        check.run();
        if (enough.getCount() > 0) {
            for (F f : fs) {
                f.whenComplete((v, e) -> check.run());
            }
            if (timeout == null) {
                enough.await();
            } else {
                enough.await(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
            }
        }
        Set<F> done = new LinkedHashSet<>();
        Set<F> notDone = new LinkedHashSet<>();
        for (F f : fs) {
            (f.isDone() ? done : notDone).add(f);
        }
        return new Done<>(Collections.unmodifiableSet(done), Collections.unmodifiableSet(notDone));
    }

    private static boolean satisfied(List<? extends CompletableFuture<?>> fs, ReturnWhen when) {
        int done = 0;
        for (CompletableFuture<?> f : fs) {
            if (f.isDone()) {
                done++;
                if (when == ReturnWhen.FIRST_COMPLETED
                        || when == ReturnWhen.FIRST_EXCEPTION && f.isCompletedExceptionally()) {
                    return true;
                }
            }
        }
        return done == fs.size();
    }

    /**
     * The futures in the order they complete, each yielded once it is done (the ones already done first, in the
     * order given). Iterating waits; once {@code timeout} (counted from this call; null: no limit) has passed
     * with futures still pending, {@code next()} throws {@link AsCompletedTimeoutException}; so does an interrupt
     * of the iterating thread, whose interrupt status is set again.
     *
     * @throws NullPointerException if {@code futures} or an element is null
     */
    public static <F extends CompletableFuture<?>> Iterable<F> asCompleted(Collection<F> futures, Duration timeout) {
        List<F> fs = copy(futures);
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + Math.max(0, timeout.toNanos());
        BlockingQueue<F> completed = new LinkedBlockingQueue<>();
        for (F f : fs) {
            f.whenComplete((v, e) -> completed.add(f));
        }
        return () -> new Iterator<>() {
            private int yielded;

            @Override
            public boolean hasNext() {
                return yielded < fs.size();
            }

            @Override
            public F next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                try {
                    F f = timeout == null ? completed.take()
                            : completed.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                    if (f == null) {
                        throw new AsCompletedTimeoutException((fs.size() - yielded) + " of " + fs.size()
                                + " futures were not done within " + timeout);
                    }
                    yielded++;
                    return f;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AsCompletedTimeoutException("interrupted while " + (fs.size() - yielded) + " of "
                            + fs.size() + " futures were pending");
                }
            }
        };
    }

    private static <F> List<F> copy(Collection<F> futures) {
        Objects.requireNonNull(futures, "futures");
        List<F> fs = new ArrayList<>(futures.size());
        for (F f : futures) {
            fs.add(Objects.requireNonNull(f, "a future"));
        }
        return fs;
    }

    /**
     * {@link #asCompleted}'s iterator ran out of time (or was interrupted) with futures still pending; an
     * unchecked exception, since an {@link Iterator} cannot throw a {@link TimeoutException}, which is its cause.
     */
    public static final class AsCompletedTimeoutException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        AsCompletedTimeoutException(String message) {
            super(message, new TimeoutException(message));
        }
    }
}
