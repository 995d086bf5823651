package io.scoop.launcher;

import java.io.IOException;
import java.util.List;

/**
 * Starts worker JVMs on one host and owns their lifetime: every worker it started is gone after
 * {@link #close(long)}. {@link LocalSpawner} forks workers on this machine; a later {@code SshSpawner} will
 * start them on other hosts, and {@link #forHost} is the one place that chooses between them.
 */
interface Spawner {
    /** Hears about a worker that exited while nobody asked it to. */
    interface Listener {
        /**
         * @param worker the worker's name, as the broker knows it
         * @param why    a sentence for the user: which worker, its exit code, its last words
         */
        void exited(String worker, String why);
    }

    /**
     * Returns a new spawner for {@code host}.
     *
     * @throws IllegalArgumentException if {@code host} is not this machine: spawning on other hosts is not
     *                                  built yet (the message is {@link #remoteUnsupported})
     */
    static Spawner forHost(Host host, WorkerSpec spec, Listener listener) {
        if (host.isLocal()) {
            return new LocalSpawner(host.name(), spec, listener);
        }
        throw new IllegalArgumentException(remoteUnsupported(List.of(host)));
    }

    /**
     * Why a plan with these remote hosts cannot run, in one line, e.g. {@code host node07 is remote; starting
     * workers over SSH is not supported yet: run on local hosts, or use --dry-run to see the plan}.
     */
    static String remoteUnsupported(List<Host> remote) {
        return (remote.size() == 1 ? "host " + remote.get(0).name() + " is" : "hosts " + LaunchPlan.names(remote)
                + " are") + " remote; starting workers over SSH is not supported yet: run on local hosts, or use"
                + " --dry-run to see the plan";
    }

    /** The host this spawner starts workers on. */
    String host();

    /**
     * Starts {@code count} more workers that connect to the broker of the {@link WorkerSpec}.
     *
     * @return the names of the new workers
     * @throws IOException if a worker process cannot be started
     */
    List<String> start(int count) throws IOException;

    /** How many of this spawner's workers are still running. */
    int alive();

    /**
     * Ends every worker: asks them to exit, waits up to {@code graceMillis}, then kills what is left.
     * Idempotent; the {@link Listener} hears nothing from here on.
     */
    void close(long graceMillis);
}
