package io.scoop.wire;

/**
 * One task outcome on the wire.
 *
 * @param id      the task id in the receiver's namespace
 * @param status  one of {@link Status}
 * @param nanos   how long the task ran on its worker
 * @param payload encoded result, failure or reason, as {@code status} says
 * @param run     how the task ran, for a task that ran (OK or FAILED from a worker); else null
 */
public record ResultItem(long id, byte status, long nanos, byte[] payload, RunInfo run) {

    /** An outcome without a run: cancelled, returned, lost, refused. */
    public ResultItem(long id, byte status, long nanos, byte[] payload) {
        this(id, status, nanos, payload, null);
    }
}
