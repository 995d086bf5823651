package io.scoop.broker;

import java.util.List;

/**
 * The broker's state for its status page, copied by the loop thread at one instant: small immutable records
 * (strings and numbers the loop already had), so that the page's JSON can be built on the page's own thread.
 *
 * @param takenAt      wall-clock milliseconds of the copy
 * @param startedAt    wall-clock milliseconds of the broker's start
 * @param address      the broker's TCP endpoint
 * @param secret       how peers prove membership: "CURVE", "token" or "none"
 * @param workers      connected workers, in the order they joined
 * @param lostWorkers  the workers lost lately, newest first
 * @param queued       tasks waiting for a worker
 * @param inFlight     tasks dispatched to a worker and not yet ended
 * @param roots        roots connected
 * @param ok           tasks that ran and returned since the start
 * @param failed       tasks that threw, or were lost or broken, since the start
 * @param perSecond    tasks ended in each of the last seconds, oldest first
 * @param records      the last tasks ended, newest first
 * @param failures     the last failures, newest first
 * @param badMessages  messages dropped since the start
 * @param joined       workers that joined since the start
 */
record StatusSnapshot(long takenAt, long startedAt, String address, String secret, List<WorkerRow> workers,
        List<LostWorker> lostWorkers, int queued, int inFlight, int roots, long ok, long failed, long[] perSecond,
        List<TaskRow> records, List<Failure> failures, long badMessages, long joined) {

    /**
     * A connected worker.
     *
     * @param state       "ready" (it has room for a task) or "busy"
     * @param assigned    tasks dispatched to it and not ended (running or waiting in its prefetch)
     * @param running     the tasks its last heartbeat said it runs (id and label)
     * @param cpuPermille its process's CPU load in thousandths of its machine, or -1 if not reported
     * @param heapUsed    heap in use, or -1 if not reported
     * @param heapMax     its maximum heap, or -1
     * @param lastSeen    wall-clock milliseconds of its last message
     */
    record WorkerRow(String name, String host, long pid, int threads, String state, int assigned,
            List<io.scoop.wire.Messages.RunningTask> running, int cpuPermille, long heapUsed, long heapMax,
            long done, long failed, long lastSeen) {
    }

    /** A worker the broker lost, and why. */
    record LostWorker(String name, String host, long pid, long at, String reason) {
    }

    /**
     * A task that ended: where and how it ran, as the broker saw it (its payloads stay undecoded).
     *
     * @param status    "ok", "failed" (it threw, or its result could not be sent), "lost" or "broken"
     * @param queued    milliseconds from its arrival at the broker to its dispatch
     * @param waited    milliseconds from its arrival at the worker to its start
     * @param run       milliseconds it ran on the worker
     * @param allocated bytes its thread allocated, or -1
     */
    record TaskRow(long id, String label, String root, String status, String worker, String host, int attempt,
            double queued, double waited, double run, long sentBytes, long returnedBytes, long allocated, long endedAt) {
        boolean ok() {
            return "ok".equals(status);
        }
    }

    /** A failed task (id -1 for many tasks at once) and its trace, or the broker's reason. */
    record Failure(long id, String label, String status, String worker, long at, String text) {
    }
}
