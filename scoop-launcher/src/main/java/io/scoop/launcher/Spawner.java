package io.scoop.launcher;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Starts worker JVMs on one host and owns their lifetime: every worker it started is gone after
 * {@link #close(long)}. {@link LocalSpawner} forks workers on this machine, {@link SshSpawner} starts them on
 * other hosts over SSH, and {@link #forHost} is the one place that chooses between them.
 */
interface Spawner {
    /** Hears about a worker that exited while nobody asked it to. */
    interface Listener {
        /**
         * @param spawner the spawner that started the worker (and can start another in its place)
         * @param worker  the worker's name, as the broker knows it
         * @param why     a sentence for the user: which worker, its exit code, its last words
         */
        void exited(Spawner spawner, String worker, String why);

        /**
         * A worker's {@code --prolog} failed, so its JVM never started; by default the same as {@link #exited}.
         *
         * @param why a sentence for the user naming the prolog, the host and the prolog's last words
         */
        default void prologFailed(Spawner spawner, String worker, String why) {
            exited(spawner, worker, why);
        }
    }

    /**
     * Returns a new spawner for {@code host}: a {@link LocalSpawner} for this machine, an {@link SshSpawner}
     * (not yet connected) for any other host.
     *
     * @param ssh how to reach remote hosts; may be null when {@code host} is local
     * @throws IllegalArgumentException if {@code host} is remote and {@code ssh} is null
     */
    static Spawner forHost(Host host, WorkerSpec spec, Listener listener, SshSpawner.Context ssh) {
        if (host.isLocal()) {
            return new LocalSpawner(host.name(), spec, listener);
        }
        if (ssh == null) {
            throw new IllegalArgumentException("host " + host.name() + " is remote, and no SSH settings were given to"
                    + " reach it");
        }
        return new SshSpawner(host, ssh.config().resolve(host.name(), System.getProperty("user.name"), ssh.home()),
                ssh.home(), spec, ssh.brokerAddress(), ssh.options(), listener,
                ssh.log());
    }

    /**
     * The command line that started {@code worker}, for {@code -vv}, or null if unknown. Never the run's keys
     * (they go through stdin) nor the values of {@code --env}.
     */
    default String commandLine(String worker) {
        return null;
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
