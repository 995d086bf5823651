package io.scoop;

/**
 * A task ran longer than its {@linkplain TaskOptions#timeout timeout}: it was interrupted (and its worker
 * ended if it ignored the interrupt), and is not attempted again. Not to be confused with the
 * {@link java.util.concurrent.TimeoutException} of a {@code get(timeout)} that stopped waiting: this one is
 * the task's outcome, the cause of its future's {@code ExecutionException}.
 */
public class TaskTimeoutException extends RuntimeException {
    public TaskTimeoutException(String message) {
        super(message);
    }
}
