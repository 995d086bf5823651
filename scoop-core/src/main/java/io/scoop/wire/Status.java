package io.scoop.wire;

/** How a task ended, as carried in a RESULTS record. */
public final class Status {
    /** The payload is the Kryo-encoded result. */
    public static final byte OK = 0;
    /** The payload is a Kryo-encoded {@link TaskFailure}: the task threw, or could not be encoded or decoded. */
    public static final byte FAILED = 1;
    /** The payload is a UTF-8 reason: the broker gave up on the task (its workers kept dying). */
    public static final byte LOST = 2;
    /** The payload is a UTF-8 reason: the cluster has no worker left to run the task. */
    public static final byte BROKEN = 3;
    /** Worker to broker only: the task was cancelled before it started; the slot is free again. */
    public static final byte CANCELLED = 4;
    /**
     * Worker to broker only: the task was prefetched but never started, and the worker gives it back
     * because the task ahead of it is running long; the broker queues it again for another worker.
     */
    public static final byte RETURNED = 5;

    private Status() {
    }
}
