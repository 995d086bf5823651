package io.scoop.launcher;

import io.scoop.internal.LocalWorkers;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts the workers of one node of a batch job through the scheduler ({@code srun}, {@code qrsh -inherit}):
 * each worker is a local process running {@link SpawnMethod#remoteExec}, whose stdin, output and exit code the
 * scheduler carries to and from the worker on the node. So this is {@link LocalSpawner}'s machinery
 * ({@link LocalWorkers}) with a command in front: the run's key line is the first thing written to that stdin
 * ({@code --keys-stdin}), the worker watches the rest of it ({@code --watch-stdin}) and exits when it closes,
 * its output comes back line by line with a {@code [node2/w1] } prefix, and its exit code is the command's.
 *
 * <p>The jars, the prolog and {@code java} are used at the paths they have here: the nodes of a job share
 * a file system at most sites (as srun and qrsh themselves assume for the job's working directory).
 */
final class SchedulerSpawner extends ProcessSpawner {
    private final String node;
    private final SpawnMethod method;
    private final WorkerSetup setup;
    private final LocalWorkers workers;
    private final LocalWorkers.Spec remote;
    private final String executable;
    private final String prolog;

    /**
     * @param method        srun or qrsh
     * @param executable    the scheduler's command as found on PATH
     * @param node          the node as the allocation names it
     * @param spec          how to start the workers; its classpath is made absolute
     * @param brokerAddress what workers on {@code node} dial
     * @param listener      hears about workers that exit by themselves
     */
    SchedulerSpawner(SpawnMethod method, String executable, String node, WorkerSpec spec, String brokerAddress,
            Listener listener) {
        if (!method.viaScheduler() || method.problem() != null) {
            throw new IllegalArgumentException(method + " does not start workers through a scheduler");
        }
        this.node = node;
        this.method = method;
        this.setup = spec.setup();
        this.executable = executable;
        this.prolog = setup.prolog() == null ? null : setup.prolog().toAbsolutePath().toString();
        this.remote = new LocalWorkers.Spec(brokerAddress, absolute(spec.classpath()),
                spec.jvmOptions(), spec.threadsPerWorker(), spec.heartbeatMillis(), spec.expiryMillis(), node + "/w",
                spec.out(), spec.err(), spec.keys());
        this.workers = new LocalWorkers(remote, (name, exitCode, why, remaining) -> {
            String said = why.replaceFirst("^worker \\S+ \\(pid \\d+\\) ", "worker " + name + " on " + node + " ("
                    + method + ") ");
            if (prolog != null && WorkerSetup.prologFailed(exitCode, why)) {
                listener.prologFailed(this, name, "the prolog " + setup.prolog() + " failed on " + node + ", so worker "
                        + name + " did not start: " + said);
            } else {
                listener.exited(this, name, said);
            }
        }, Map.of(), cmd -> remoteCommand(executable, cmd, prolog, false));
    }

    /** The scheduler's command for one worker: variables, then niceness and prolog, then the JVM. */
    private List<String> remoteCommand(String executable, List<String> java, String prolog, boolean masked) {
        List<String> words = new ArrayList<>();
        if (!setup.env().isEmpty()) {
            words.add("env");
            setup.env().forEach((k, v) -> words.add(k + "=" + (masked ? "..." : v)));
        }
        words.addAll(setup.wrap(java, prolog, node));
        String name = java.get(java.indexOf("--name") + 1);
        return method.remoteExec(executable, node, "scoop:" + name, words);
    }

    /** Each entry of a classpath made absolute, since the worker may start in another directory. */
    static String absolute(String classpath) {
        List<String> out = new ArrayList<>();
        for (String e : classpath.split(File.pathSeparator)) {
            out.add(e.isEmpty() ? e : Path.of(e).toAbsolutePath().normalize().toString());
        }
        return String.join(File.pathSeparator, out);
    }

    /** The command line of a worker, with the values of {@code --env} left out. */
    @Override
    public String commandLine(String worker) {
        return LaunchPlan.join(remoteCommand(executable, LocalWorkers.command(LaunchPlan.javaExecutable(), remote,
                worker), prolog, true));
    }

    @Override
    public String host() {
        return node;
    }

    @Override
    LocalWorkers workers() {
        return workers;
    }

    /** The node and its live workers, e.g. {@code node2 (srun): node2/w1 (srun pid 4242), node2/w2 (srun pid 43)}. */
    @Override
    public String toString() {
        return describe(node + " (" + method + "):", method + " pid");
    }
}
