package io.scoop.launcher;

import java.util.ArrayList;
import java.util.List;

/**
 * How worker JVMs are started on their hosts ({@code --spawn}).
 *
 * <pre>
 * method  workers start                                              default when
 * local   forked on this machine, every host taken as this machine   no host is named (one machine)
 * ssh     forked on this machine's hosts, over SSH on the others     a hostfile or --hosts names other hosts
 * srun    srun --overlap -N1 -n1 -w NODE ... on every node           inside a Slurm allocation
 * qrsh    qrsh -inherit HOST '...' on every host                     inside an SGE parallel job
 * pbsdsh  (refused: see {@link #problem})                            never
 * </pre>
 *
 * <p>The three scheduler methods are one thing: a command put in front of the worker's own command line, run
 * here, that has the scheduler start the worker on the node inside the job (its accounting, limits and
 * clean-up). {@link SchedulerSpawner} runs that command as a local process, so a worker's stdin, output and
 * exit code are that process's, as with {@link LocalSpawner}.
 */
enum SpawnMethod {
    local, ssh, srun, qrsh, pbsdsh;

    /** Whether the scheduler starts the workers: every host, this node included, through {@link #remoteExec}. */
    boolean viaScheduler() {
        return this == srun || this == qrsh || this == pbsdsh;
    }

    /** The scheduler whose allocation this method needs, for messages, or null for local and ssh. */
    String scheduler() {
        return switch (this) {
            case srun -> "Slurm";
            case qrsh -> "SGE";
            case pbsdsh -> "PBS/Torque";
            default -> null;
        };
    }

    /** The executable this method runs here, or null for local and ssh. */
    String executable() {
        return viaScheduler() ? name() : null;
    }

    /**
     * The command that runs {@code command} on {@code node} through the scheduler: srun takes the words as they
     * are; qrsh -inherit joins its arguments like rsh, so the command goes as one string a POSIX shell reads
     * back into the same words, and {@code exec} makes the JVM replace that shell.
     *
     * @param executable the scheduler's command, e.g. {@code srun} or {@code /opt/slurm/bin/srun}
     * @param node       the node as the allocation names it
     * @param jobStep    a name for the job step (srun), e.g. {@code scoop:node2/w1}
     * @param command    the worker's command line, word by word
     */
    List<String> remoteExec(String executable, String node, String jobStep, List<String> command) {
        List<String> cmd = new ArrayList<>();
        cmd.add(executable);
        switch (this) {
            case srun -> {
                // --overlap: a worker's step shares the node's CPUs and memory with the other steps instead of
                // waiting for them; -N1 -n1 -w: one task on that node, whatever the job's own counts are;
                // --input=all: our stdin (the run's keys, then the lifeline) reaches the task; --quiet: no
                // "step created" chatter among the workers' output.
                cmd.addAll(List.of("--overlap", "--nodes=1", "--ntasks=1", "--nodelist=" + node, "--input=all",
                        "--kill-on-bad-exit=0", "--quiet", "--job-name=" + jobStep, "--"));
                cmd.addAll(command);
            }
            case qrsh -> {
                cmd.addAll(List.of("-inherit", node));
                cmd.add("exec " + LaunchPlan.join(command));
            }
            default -> throw new IllegalStateException(this + " is not a remote-exec method");
        }
        return cmd;
    }

    /**
     * Why this method cannot start workers at all, or null if it can: pbsdsh (Torque's TM interface) starts a
     * task with no standard input, which carries each worker's run keys and its lifeline (a worker ends when
     * its stdin closes), and sends the task's output to the job's output file rather than back to us.
     */
    String problem() {
        if (this == pbsdsh) {
            return "--spawn pbsdsh cannot start workers: pbsdsh gives a task no standard input, which carries each"
                    + " worker's run keys and its lifeline (a worker ends when its stdin closes), and sends the"
                    + " task's output to the job's output file instead of back to the launcher. In a PBS/Torque job,"
                    + " use --spawn ssh (the default there; the site must allow SSH between the job's nodes)";
        }
        return null;
    }

    /** How the plan shows a host's workers starting, e.g. {@code srun -w node2}. */
    String onHost(String node) {
        return this == qrsh ? "qrsh -inherit " + node : this == pbsdsh ? "pbsdsh -h " + node : name() + " -w " + node;
    }

    /** A sentence for the plan: how this method starts a worker on a host. */
    String describe() {
        return switch (this) {
            case local -> "forked on this machine (every host is taken as this machine)";
            case ssh -> "over SSH on remote hosts, each worker in its own exec channel; forked on this machine's hosts";
            case srun -> "one Slurm job step per worker: srun --overlap -N1 -n1 -w NODE, on every node of the"
                    + " allocation, this one included";
            case qrsh -> "through Grid Engine: qrsh -inherit HOST 'exec java ...', one per worker, on every host of"
                    + " the parallel job, this one included";
            case pbsdsh -> "pbsdsh (refused)";
        };
    }
}
