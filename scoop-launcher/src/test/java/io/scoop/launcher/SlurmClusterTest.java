package io.scoop.launcher;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * hostfiles/slurm.sh on a real three-node Slurm cluster (SlurmCluster): {@code sbatch} runs the "where"
 * example, whose tasks report {@code SLURMD_NODENAME}, with every worker started by {@code srun} (there is no
 * SSH server anywhere); {@code --dry-run} inside the allocation shows srun and each node's workers;
 * {@code scancel} mid-run leaves no launcher, root or worker. All three nodes are this machine at 127.0.0.1:
 * only the allocation's names tell them apart.
 *
 * <p>Tagged "sched": left out of the default {@code mvn verify}, run by .ci/run. Needs root and Debian's
 * slurmctld, slurmd, slurm-client and munge.
 */
@Tag("sched")
class SlurmClusterTest {
    private static final int NODES = 3;
    private static SlurmCluster cluster;
    private static Path jars;
    private static Path launcherJar;
    private static Path examplesJar;

    @BeforeAll
    static void up() throws Exception {
        String missing = SchedCommands.missing("/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/bin/sbatch",
                "/usr/sbin/munged");
        if (missing != null) {
            throw new AssertionError(missing);
        }
        long t0 = System.nanoTime();
        cluster = SlurmCluster.start(NODES);
        System.out.printf("slurm cluster of %d nodes up in %.1f s%n", NODES, (System.nanoTime() - t0) / 1e9);
        // Copies under the cluster's directory: its path on a command line marks the processes of these runs.
        jars = cluster.dir.resolve("jars");
        launcherJar = SchedCommands.jar("scoop-launcher", jars);
        examplesJar = SchedCommands.jar("scoop-examples", jars);
    }

    @AfterAll
    static void down() throws Exception {
        if (cluster == null) {
            return;
        }
        List<Long> daemons = cluster.daemonPids();
        cluster.close();
        await("the cluster's daemons end").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .until(() -> daemons.stream().noneMatch(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive)
                        .orElse(false)));
        assertTrue(!Files.exists(cluster.dir), cluster.dir + " is left behind");
    }

    /** The variables hostfiles/slurm.sh reads, for a job submitted from the repository's root. */
    private static Map<String, String> job(String appArgs, String opts) {
        return Map.of("SCOOP_LAUNCHER", launcherJar.toString(), "APP_JAR", examplesJar.toString(), "APP_ARGS", appArgs,
                "SCOOP_OPTS", opts);
    }

    private static String sbatchWait(String name, Map<String, String> env) throws Exception {
        Path out = cluster.dir.resolve(name + ".out");
        SchedCommands.Result r = cluster.client(180, env, "sbatch", "--wait", "--chdir=" + SchedCommands.REPO,
                "-N" + NODES, "-n" + 2 * NODES, "-o", out.toString(),
                SchedCommands.REPO.resolve("hostfiles/slurm.sh").toString());
        String printed = Files.exists(out) ? Files.readString(out) : "(no job output)";
        assertEquals(0, r.code(), "sbatch --wait: " + r.output() + "\njob output:\n" + printed);
        return printed;
    }

    @Test
    void sbatchRunsTheExampleOnEveryNodeThroughSrun() throws Exception {
        long t0 = System.nanoTime();
        String out = sbatchWait("where", job("where 24 200 " + 2 * NODES, "-v"));
        System.out.printf("sbatch --wait hostfiles/slurm.sh (where 24 200): %.1f s%n", (System.nanoTime() - t0) / 1e9);
        Map<String, Integer> perNode = new TreeMap<>();
        Matcher m = Pattern.compile("(?m)^task (\\d+) ran on (\\S+)$").matcher(out);
        int tasks = 0;
        while (m.find()) {
            tasks++;
            perNode.merge(m.group(2), 1, Integer::sum);
        }
        assertEquals(24, tasks, out);
        assertEquals(List.of("node1", "node2", "node3"), List.copyOf(perNode.keySet()),
                "the tasks' SLURMD_NODENAME values should cover every node:\n" + out);
        for (int n = 1; n <= NODES; n++) {
            assertTrue(out.contains("scoop: started workers node" + n + " (srun): node" + n + "/w1 (srun pid"), out);
        }
        assertTrue(out.contains("scoop: root (pid "), out);
        assertTrue(out.contains(") exited with code 0"), out);
    }

    @Test
    void dryRunInsideTheAllocationShowsSrunAndEachNodesWorkers() throws Exception {
        String out = sbatchWait("dry", job("pi", "--dry-run"));
        assertTrue(out.contains("  hosts:     Slurm allocation (SLURM_JOB_NODELIST=node[1-3])"), out);
        assertTrue(out.contains("  workers:   6 workers, 1 task thread each (default: SLURM_NTASKS=6)"), out);
        assertTrue(out.contains("    node1 -> 2   (slots: 2, srun -w node1, this node)"), out);
        assertTrue(out.contains("    node2 -> 2   (slots: 2, srun -w node2)"), out);
        assertTrue(out.contains("    node3 -> 2   (slots: 2, srun -w node3)"), out);
        assertTrue(Pattern.compile("(?m)^  spawn: +srun \\(default: Slurm job \\d+\\): one Slurm job step per worker")
                .matcher(out).find(), out);
        assertTrue(out.contains("(dry run: nothing was started)"), out);
        assertTrue(SchedCommands.processesWith(jars.toString()).isEmpty());
    }

    @Test
    void scancelMidRunEndsLauncherRootAndWorkers() throws Exception {
        Path out = cluster.dir.resolve("cancel.out");
        SchedCommands.Result sub = cluster.client(30, job("where 100000 300", "-v"), "sbatch", "--parsable",
                "--chdir=" + SchedCommands.REPO, "-N" + NODES, "-n" + 2 * NODES, "-o", out.toString(),
                SchedCommands.REPO.resolve("hostfiles/slurm.sh").toString());
        assertEquals(0, sub.code(), sub.output());
        String jobId = sub.output().strip().split(";")[0];
        String marker = jars.toString();
        // Running: the launcher, the root and six workers (each under its srun) hold our jars on their command line.
        await("the job's root and 6 workers run").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> Files.exists(out) && Files.readString(out).contains("scoop: started root")
                        && SchedCommands.processesWith(marker).stream().filter(p -> p.contains(
                                "io.scoop.worker.WorkerMain") && !p.contains(" srun ") && !p.contains("/srun "))
                        .count() == 2 * NODES);
        long t0 = System.nanoTime();
        SchedCommands.ok(cluster.env, 30, "scancel", jobId);
        await("scancel ends every process of the run").atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> SchedCommands.processesWith(marker).isEmpty());
        System.out.printf("scancel: every process of the run gone in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        await("slurm forgets the job").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> !cluster.client(30, Map.of(), "squeue", "-h", "-j", jobId).output().contains(jobId + " "));
        assertTrue(SchedCommands.processesWith("io.scoop.worker.WorkerMain").stream().noneMatch(p -> p.contains(marker)));
    }
}
