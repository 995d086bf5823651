package io.scoop.launcher;

import io.scoop.internal.LocalWorkers;

/**
 * Forks worker JVMs on this machine, through scoop-core's {@link LocalWorkers}: each worker's stdin is a pipe
 * this JVM holds, so the workers exit by themselves when the launcher dies in any way, {@code kill -9}
 * included; their output is forwarded line by line with a {@code [w1] } prefix. With CURVE, the run's key
 * line is the first thing written to that pipe ({@code --keys-stdin}).
 */
final class LocalSpawner extends ProcessSpawner {
    private final String host;
    private final LocalWorkers workers;

    /**
     * @param host     the name of this machine in the plan, e.g. {@code localhost}
     * @param spec     how to start the workers
     * @param listener hears about workers that exit by themselves
     */
    LocalSpawner(String host, WorkerSpec spec, Listener listener) {
        this.host = host;
        WorkerSetup setup = spec.setup();
        String prolog = setup.prolog() == null ? null : setup.prolog().toString();
        LocalWorkers.Spec local = new LocalWorkers.Spec(spec.brokerAddress(), spec.classpath(),
                spec.jvmOptions(), spec.threadsPerWorker(), spec.heartbeatMillis(), spec.expiryMillis(), "w",
                spec.out(), spec.err(), spec.keys());
        this.workers = new LocalWorkers(local, (name, exitCode, why, remaining) -> {
                    if (prolog != null && WorkerSetup.prologFailed(exitCode, why)) {
                        listener.prologFailed(this, name, "the prolog " + prolog + " failed on " + host
                                + " (this machine), so worker " + name + " did not start: " + why);
                    } else {
                        listener.exited(this, name, why);
                    }
                }, setup.env(), cmd -> setup.wrap(cmd, prolog, host)).shareClassData();
    }

    /** The command line of a worker, without its variables (see WorkerSetup). */
    @Override
    public String commandLine(String worker) {
        return LaunchPlan.join(workers.command(worker));
    }

    @Override
    public String host() {
        return host;
    }

    @Override
    LocalWorkers workers() {
        return workers;
    }

    /** Lists the live workers with their pids, e.g. {@code localhost: w1 (pid 4242), w2 (pid 4243)}. */
    @Override
    public String toString() {
        return describe(host() + ":", "pid");
    }
}
