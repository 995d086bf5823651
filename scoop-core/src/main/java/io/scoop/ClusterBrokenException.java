package io.scoop;

/**
 * The cluster can no longer run this task: the root lost its broker, or no worker is left. Every pending
 * future of the executor fails with this one exception as the cause of its
 * {@link java.util.concurrent.ExecutionException}, instead of waiting forever (the counterpart of Python's
 * {@code BrokenProcessPool}).
 */
public class ClusterBrokenException extends RuntimeException {
    public ClusterBrokenException(String message) {
        super(message);
    }
}
