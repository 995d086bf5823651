/**
 * The worker JVM: {@link io.scoop.worker.WorkerMain} (entry point), {@link io.scoop.worker.Worker}
 * (receive loop, task threads, credit, giving back prefetched tasks), {@code TaskRunner} (decode, call,
 * encode). Not API.
 */
package io.scoop.worker;
