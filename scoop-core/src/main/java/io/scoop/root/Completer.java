package io.scoop.root;

import io.scoop.internal.Log;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Completes a root's futures off its receiving thread, so that no callback can stop the heartbeats.
 *
 * <p>One thread runs the completions in the order the results arrived: a dependent stage that is not
 * {@code *Async} runs on it, as it would on whichever thread completes a {@code CompletableFuture}. Should a
 * completion run longer than the stall limit while others wait (a {@code thenAccept} that blocks, or one that
 * waits on another future of the same root, which would otherwise deadlock), the receiving thread
 * {@linkplain #checkStalled hands the queue to a new thread}; the stalled one ends when its callback returns.
 * So the order of completions is the order of arrival, except that completions behind a stalled callback do
 * not wait for it.
 *
 * <p>A completion of several results (one message's) is {@link Resumable}: if one of its results stalls (its
 * decoding runs user code, which may hang), the new thread takes over the rest of it too.
 */
final class Completer {
    private final LinkedBlockingDeque<Runnable> queue = new LinkedBlockingDeque<>();
    /** The owner's current completion, while it runs. */
    private volatile Runnable current;

    /**
     * A completion of several parts that any number of threads may run at once, each taking the parts not yet
     * taken: the thread that takes over from a stalled one runs the parts the stalled one has not reached.
     */
    interface Resumable extends Runnable {
        /** Whether parts remain that no thread has taken yet. */
        boolean hasMore();
    }
    private final String name;
    private final ClassLoader loader;
    private final AtomicInteger threads = new AtomicInteger();
    private volatile Thread owner;
    /** When the owner's current completion started (nanoTime | 1), or 0 while it waits for work. */
    private volatile long busySince;
    private volatile boolean closed;
    private int handovers;

    Completer(String name, ClassLoader loader) {
        this.name = name;
        this.loader = loader;
        spawn();
    }

    /** Queues a completion. Any thread. */
    void execute(Runnable completion) {
        queue.add(completion);
    }

    /**
     * Called by the receiving thread now and then: when the current completion has run longer than
     * {@code limitNanos} and others wait behind it, a new thread takes over the queue.
     *
     * @return how many hand-overs there have been so far
     */
    synchronized int checkStalled(long now, long limitNanos) {
        long since = busySince;
        Runnable stalled = current;
        boolean rest = stalled instanceof Resumable r && r.hasMore();
        if (since != 0 && now - since > limitNanos && (rest || !queue.isEmpty()) && !closed) {
            handovers++;
            if (rest) {
                queue.addFirst(stalled);
            }
            spawn();
        }
        return handovers;
    }

    /** Ends the threads once the queue is empty; queued completions still run. */
    void close() {
        closed = true;
    }

    private synchronized void spawn() {
        Thread t = new Thread(null, this::loop, "scoop-complete-" + threads.incrementAndGet() + " " + name, 0, false);
        t.setDaemon(true);
        t.setContextClassLoader(loader);
        busySince = 0;
        owner = t;
        t.start();
    }

    private void loop() {
        Thread me = Thread.currentThread();
        while (owner == me && !(closed && queue.isEmpty())) {
            Runnable r;
            try {
                r = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                continue;
            }
            if (r == null) {
                continue;
            }
            current = r;
            busySince = System.nanoTime() | 1;
            try {
                r.run();
            } catch (Throwable t) {
                // CompletableFuture catches what dependent stages throw; this is a bug of ours. Keep completing.
                Log.error(Log.ROOT, "scoop root " + name + ": a completion failed: " + t, t);
            } finally {
                if (owner == me) {
                    busySince = 0;
                    current = null;
                }
                Thread.interrupted();
            }
        }
    }
}
