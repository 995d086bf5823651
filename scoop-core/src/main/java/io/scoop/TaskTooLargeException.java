package io.scoop;

/**
 * A task is larger, encoded, than the payload limit (the message limit {@code -Dscoop.maxMessageBytes},
 * default 64 MiB, less room for the message's own fields), so it was not sent. The message names the size and
 * the limit. Send less (share large inputs through a file or a store, and pass their names), or raise the limit.
 */
public class TaskTooLargeException extends TaskNotSerializableException {
    private final long size;
    private final long limit;

    public TaskTooLargeException(String message, long size, long limit) {
        super(message, null);
        this.size = size;
        this.limit = limit;
    }

    /** The task's encoded size in bytes. */
    public long size() {
        return size;
    }

    /** The limit it exceeded, in bytes. */
    public long limit() {
        return limit;
    }
}
