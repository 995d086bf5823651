package io.scoop;

import java.util.concurrent.RejectedExecutionException;

/**
 * Thrown at submit time when a task cannot be shipped to a worker: a lambda that is not serializable, or
 * an object graph Kryo cannot encode. The message names the class (and the field, where known) and says
 * how to fix it. Nothing was sent.
 */
public class TaskNotSerializableException extends RejectedExecutionException {
    public TaskNotSerializableException(String message, Throwable cause) {
        super(message, cause);
    }
}
