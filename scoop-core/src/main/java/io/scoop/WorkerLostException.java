package io.scoop;

/**
 * A task was running on a worker whose process died, as many times as the executor's attempt limit allows.
 * Scoop re-runs a task whose worker dies; this is the failure once it has stopped trying, so that a task
 * that kills its worker cannot take the whole cluster down one worker at a time.
 */
public class WorkerLostException extends RuntimeException {
    public WorkerLostException(String message) {
        super(message);
    }
}
