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

    /**
     * The bytes it takes in a RESULTS message (at most: names are counted at 3 bytes a character): its payload,
     * its run info with the output files and output tails, and the item's own fields. Senders cut their batches
     * on this, and a worker keeps it within {@link io.scoop.internal.Sockets#maxPayloadBytes()}.
     */
    public long wireBytes() {
        return payload.length + Messages.RESULT_ITEM_BYTES + (run == null ? 0 : run.size());
    }
}
