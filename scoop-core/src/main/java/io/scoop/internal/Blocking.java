package io.scoop.internal;

/**
 * Lets a worker lend out a task thread's slot while the task waits on another task's future, so that a
 * tree of tasks that wait on their children cannot deadlock a worker, however few threads it has.
 *
 * <p>The worker installs a {@link Hook} on each task thread; {@code DistributedFuture.get} and
 * {@code join} call {@link #begin} before waiting and {@link #end} after. Elsewhere (the root, user
 * threads) no hook is installed and these do nothing.
 */
public final class Blocking {
    private static final ThreadLocal<Hook> HOOK = new ThreadLocal<>();

    private Blocking() {
    }

    /** What a worker does when one of its task threads starts and stops waiting. */
    public interface Hook {
        void begin();

        void end();
    }

    public static void install(Hook hook) {
        HOOK.set(hook);
    }

    /** Returns the hook to call around a wait on this thread, or null. */
    public static Hook current() {
        return HOOK.get();
    }

    /**
     * {@code queue.take()}, lending this thread's worker slot while it waits, as a wait on a future does: a task
     * that waits for its subtasks' results through a queue must not hold the slot they need.
     */
    public static <T> T take(java.util.concurrent.BlockingQueue<T> queue) throws InterruptedException {
        T ready = queue.poll();
        if (ready != null) {
            return ready;
        }
        Hook hook = current();
        if (hook != null) {
            hook.begin();
        }
        try {
            return queue.take();
        } finally {
            if (hook != null) {
                hook.end();
            }
        }
    }
}
