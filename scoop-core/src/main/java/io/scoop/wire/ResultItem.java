package io.scoop.wire;

/**
 * One task outcome on the wire.
 *
 * @param id      the task id in the receiver's namespace
 * @param status  one of {@link Status}
 * @param nanos   how long the task ran on its worker
 * @param payload encoded result, failure or reason, as {@code status} says
 */
public record ResultItem(long id, byte status, long nanos, byte[] payload) {
}
