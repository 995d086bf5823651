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
     * Returns the spawner for {@code host}.
     *
     * @throws IllegalArgumentException if {@code host} is not this machine: spawning on other hosts is not
     *                                  built yet
     */
    static Spawner forHost(String host, WorkerSpec spec, Listener listener) {
        if (LaunchPlan.LOCALHOST.equals(host)) {
            return new LocalSpawner(spec, listener);
        }
        throw new IllegalArgumentException("host '" + host + "' is not this machine, and the launcher can only"
                + " start workers locally for now: leave the host out of the plan");
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
