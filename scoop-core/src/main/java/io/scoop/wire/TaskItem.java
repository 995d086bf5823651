package io.scoop.wire;

/**
 * One task on the wire: from root to broker its id is the root's own task id; from broker to worker it is
 * the broker's id. {@code payload} is opaque to the broker.
 *
 * @param id       task id, unique within the sender's namespace
 * @param priority higher runs first; children of a running task get their parent's priority plus one
 * @param attempt  how many times the broker has dispatched it before (0 on first dispatch)
 * @param payload  Kryo bytes of the task object
 */
public record TaskItem(long id, int priority, int attempt, byte[] payload) {
}
