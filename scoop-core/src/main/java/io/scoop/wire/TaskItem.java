package io.scoop.wire;

/**
 * One task on the wire: from root to broker its id is the root's own task id; from broker to worker it is
 * the broker's id. {@code payload} is opaque to the broker.
 *
 * @param id          task id, unique within the sender's namespace
 * @param priority    higher runs first; children of a running task get their parent's priority plus one
 * @param attempt     root to broker: the attempts already made (by the root's retries); broker to worker: the
 *                    attempts made before this dispatch (0 on the first)
 * @param maxAttempts the task's own attempt limit, or 0 for the broker's
 * @param target      root to broker: where the task must run, {@code "worker:NAME"} or {@code "host:NAME"},
 *                    or empty for anywhere; empty from broker to worker
 * @param payload     Kryo bytes of the task object
 */
public record TaskItem(long id, int priority, int attempt, int maxAttempts, String target, byte[] payload) {
    /** The target prefix of a task bound to one worker. */
    public static final String WORKER_TARGET = "worker:";
    /** The target prefix of a task bound to the workers of one host. */
    public static final String HOST_TARGET = "host:";

    /** A task for any worker, with the broker's attempt limit. */
    public TaskItem(long id, int priority, int attempt, byte[] payload) {
        this(id, priority, attempt, 0, "", payload);
    }
}
