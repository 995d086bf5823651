package io.scoop.root;

import java.util.concurrent.Callable;

/** What travels for a Runnable task: it runs it and returns nothing (the root keeps any fixed result). */
public final class RunnableTask implements Callable<Object> {
    private final Runnable runnable;

    public RunnableTask(Runnable runnable) {
        this.runnable = runnable;
    }

    public Runnable runnable() {
        return runnable;
    }

    @Override
    public Object call() {
        runnable.run();
        return null;
    }
}
