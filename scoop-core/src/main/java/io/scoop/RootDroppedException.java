package io.scoop;

/**
 * The broker dropped this root: it heard nothing from it for longer than the heartbeat expiry (the root JVM
 * was stalled, e.g. by a long garbage collection or a suspended process), cancelled its running tasks and
 * forgot its queued ones, and said so. Every pending future of the root's executor fails with this exception,
 * and the executor shuts down; the broker never takes the root back silently. Submit again on a new executor.
 */
public class RootDroppedException extends ClusterBrokenException {
    public RootDroppedException(String message) {
        super(message);
    }
}
