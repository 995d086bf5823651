package io.scoop.internal;

import io.scoop.ClusterBrokenException;

/**
 * JeroMQ's I/O thread in this process died, so no message moves any more: the broker's loop, a root or a
 * worker ends with this instead of waiting for messages that cannot come. The cause is what ended the thread.
 */
public final class IoThreadFailedException extends ClusterBrokenException {
    public IoThreadFailedException(String who, Throwable cause) {
        super(who + ": JeroMQ's I/O thread died (" + cause + "), so no message can be sent or received any more;"
                + " this is a JeroMQ failure, not a task's: restart the run, and report the cause if it repeats");
        initCause(cause);
    }
}
