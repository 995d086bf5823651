package io.scoop;

/**
 * A task's write into an array, collection or counter it captured could not be applied to this JVM's object:
 * it conflicts with the write of another task that ran at the same time, or it is a change that cannot be
 * carried back (removing from a list). The future fails with it rather than the write being lost silently.
 */
public class CapturedWriteException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CapturedWriteException(String message) {
        super(message);
    }
}
