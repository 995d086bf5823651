package io.scoop;

/**
 * A task failed on a worker with an exception whose class the root cannot load or rebuild. It keeps the
 * remote class name, message and stack trace, and names the worker that ran the task.
 *
 * <p>When the root has the exception's class, {@link java.util.concurrent.ExecutionException#getCause()}
 * is the original exception instead, and this type is not used.
 */
public class RemoteTaskException extends RuntimeException {
    private final String remoteClassName;
    private final String worker;

    public RemoteTaskException(String remoteClassName, String message, String worker, Throwable cause) {
        super(remoteClassName + (message == null ? "" : ": " + message) + (worker == null ? "" : " (on worker " + worker + ")"),
                cause);
        this.remoteClassName = remoteClassName;
        this.worker = worker;
    }

    /** The fully qualified name of the exception the task threw on its worker. */
    public String remoteClassName() {
        return remoteClassName;
    }

    /** The worker that ran the task, as {@code name (pid N on host)}, or null if unknown. */
    public String worker() {
        return worker;
    }
}
