package io.scoop;

/**
 * A task ran on its worker, but its result could not be encoded to travel back. The message names the task,
 * the result's type and the worker; the cause, where present, is Kryo's error with its field trace.
 */
public class ResultNotSerializableException extends RuntimeException {
    public ResultNotSerializableException(String message, Throwable cause) {
        super(message, cause);
    }
}
