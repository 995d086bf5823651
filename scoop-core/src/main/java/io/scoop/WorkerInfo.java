package io.scoop;

/**
 * One worker JVM of the run, as the broker knows it: the name by which {@link TaskOptions#onWorker} binds
 * tasks to it, the host that {@link TaskOptions#onHost} names, its process id and task threads.
 */
public record WorkerInfo(String name, String host, long pid, int threads) {
}
