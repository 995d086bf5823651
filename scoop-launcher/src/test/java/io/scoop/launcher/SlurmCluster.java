package io.scoop.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A real Slurm cluster of {@code node1..nodeN} on this machine, from nothing, for one test class:
 * src/test/sched/slurm-up.sh starts munged, slurmctld and one slurmd per node (each in its own UTS and mount
 * namespace, all at 127.0.0.1), on ports free now, with every file under one temporary directory;
 * {@link #close()} ends them by their PID files and removes the directory.
 */
final class SlurmCluster implements AutoCloseable {
    final Path dir;
    final int nodes;
    /** The variables a Slurm client (sbatch, scancel, squeue) needs: SLURM_CONF. */
    final Map<String, String> env;

    private SlurmCluster(Path dir, int nodes) {
        this.dir = dir;
        this.nodes = nodes;
        this.env = Map.of("SLURM_CONF", dir.resolve("slurm.conf").toString());
    }

    /** Starts a cluster of {@code nodes} nodes; on failure, whatever started is ended again. */
    static SlurmCluster start(int nodes) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("scoop-slurm-");
        SlurmCluster c = new SlurmCluster(dir, nodes);
        int ports = SchedCommands.freePorts(nodes + 1);
        try {
            SchedCommands.ok(Map.of("SLURMCTLD_PORT", Integer.toString(ports), "SLURMD_PORT",
                    Integer.toString(ports)), 60, SchedCommands.SCRIPTS.resolve("slurm-up.sh").toString(),
                    dir.toString(), Integer.toString(nodes));
        } catch (AssertionError | IOException | InterruptedException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** Runs a Slurm client command (sbatch, scancel, ...) against this cluster. */
    SchedCommands.Result client(long seconds, Map<String, String> extraEnv, String... cmd)
            throws IOException, InterruptedException {
        Map<String, String> all = new java.util.HashMap<>(env);
        all.putAll(extraEnv);
        return SchedCommands.run(all, seconds, cmd);
    }

    /** The pids in this cluster's PID files (munged, slurmctld, every slurmd). */
    List<Long> daemonPids() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> pidFiles;
        try (var s = Files.walk(dir)) {
            pidFiles = s.filter(p -> p.getFileName().toString().endsWith(".pid")).toList();
        }
        List<Long> pids = new java.util.ArrayList<>();
        for (Path f : pidFiles) {
            try {
                pids.add(Long.parseLong(Files.readString(f).strip()));
            } catch (NumberFormatException e) {
                // a daemon that did not finish writing it: nothing to watch
            }
        }
        return pids;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        SchedCommands.ok(Map.of(), 60, SchedCommands.SCRIPTS.resolve("slurm-down.sh").toString(), dir.toString());
    }
}
