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
 * hostfiles/sge.sh on a real Grid Engine cell of three exec hosts, each in its own network namespace (SgeCell):
 * {@code qsub} runs the "where" example with every worker started by {@code qrsh -inherit} (there is no SSH
 * server anywhere), its tasks reporting their host; {@code --dry-run} inside the parallel job shows qrsh and each
 * host's workers; {@code qdel} mid-run leaves no launcher, root or worker.
 *
 * <p>Tagged "sched": left out of the default {@code mvn verify}, run by .ci/run. Needs root, {@code ip} and
 * Debian's gridengine-master, gridengine-exec and gridengine-client. The cell takes 15-40 s to come up.
 */
@Tag("sched")
class SgeClusterTest {
    private static final int NODES = 3;
    private static SgeCell cell;
    private static Path jars;
    private static Path launcherJar;
    private static Path examplesJar;

    @BeforeAll
    static void up() throws Exception {
        String missing = SchedCommands.missing("/usr/sbin/sge_qmaster", "/usr/sbin/sge_execd",
                "/usr/lib/gridengine/qsub", "/usr/bin/ip");
        if (missing != null) {
            throw new AssertionError(missing);
        }
        long t0 = System.nanoTime();
        cell = SgeCell.start(NODES);
        System.out.printf("SGE cell of %d exec hosts up in %.1f s%n", NODES, (System.nanoTime() - t0) / 1e9);
        jars = cell.dir.resolve("jars");
        launcherJar = SchedCommands.jar("scoop-launcher", jars);
        examplesJar = SchedCommands.jar("scoop-examples", jars);
    }

    @AfterAll
    static void down() throws Exception {
        if (cell == null) {
            return;
        }
        List<Long> daemons = cell.daemonPids();
        cell.close();
        await("the cell's daemons end").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> daemons.stream().noneMatch(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive)
                        .orElse(false)));
        assertEquals(List.of(), cell.namespaces(), "network namespaces left behind");
        assertTrue(!Files.exists(Path.of("/sys/class/net/sgebr" + cell.tag)), "bridge sgebr" + cell.tag + " left");
        assertTrue(!Files.exists(cell.dir), cell.dir + " is left behind");
    }

    /** The variables hostfiles/sge.sh reads; qsub -V hands them to the job. */
    private static Map<String, String> job(String appArgs, String opts) {
        return Map.of("SCOOP_LAUNCHER", launcherJar.toString(), "APP_JAR", examplesJar.toString(), "APP_ARGS", appArgs,
                "SCOOP_OPTS", opts);
    }

    private static String[] qsub(Path out, String... extra) {
        List<String> cmd = new java.util.ArrayList<>(List.of("qsub", "-V", "-cwd", "-pe", "mpi",
                Integer.toString(2 * NODES), "-o", out.toString(), "-j", "y"));
        cmd.addAll(List.of(extra));
        cmd.add(SchedCommands.REPO.resolve("hostfiles/sge.sh").toString());
        return cmd.toArray(String[]::new);
    }

    private static String qsubSync(String name, Map<String, String> env) throws Exception {
        Path out = cell.dir.resolve(name + ".out");
        SchedCommands.Result r = cell.client(240, env, qsub(out, "-sync", "y"));
        String printed = Files.exists(out) ? Files.readString(out) : "(no job output)";
        assertEquals(0, r.code(), "qsub -sync y: " + r.output() + "\njob output:\n" + printed);
        return printed;
    }

    @Test
    void qsubRunsTheExampleOnEveryHostThroughQrsh() throws Exception {
        long t0 = System.nanoTime();
        String out = qsubSync("where", job("where 24 200 " + 2 * NODES, "-v"));
        System.out.printf("qsub -sync y hostfiles/sge.sh (where 24 200): %.1f s%n", (System.nanoTime() - t0) / 1e9);
        Map<String, Integer> perNode = new TreeMap<>();
        Matcher m = Pattern.compile("(?m)^task (\\d+) ran on (\\S+)$").matcher(out);
        int tasks = 0;
        while (m.find()) {
            tasks++;
            perNode.merge(m.group(2), 1, Integer::sum);
        }
        assertEquals(24, tasks, out);
        assertEquals(List.of("node1", "node2", "node3"), List.copyOf(perNode.keySet()),
                "the tasks' hosts should cover every exec host:\n" + out);
        for (int n = 1; n <= NODES; n++) {
            assertTrue(out.contains("scoop: started workers node" + n + " (qrsh): node" + n + "/w1 (qrsh pid"), out);
        }
        assertTrue(out.contains(") exited with code 0"), out);
    }

    @Test
    void dryRunInsideTheParallelJobShowsQrshAndEachHostsWorkers() throws Exception {
        String out = qsubSync("dry", job("pi", "--dry-run"));
        assertTrue(out.contains("  workers:   6 workers, 1 task thread each (default: NSLOTS=6)"), out);
        // The master host, where the launcher runs, is whichever host SGE picked: exactly one is "this node".
        for (int n = 1; n <= NODES; n++) {
            assertTrue(Pattern.compile("(?m)^    node" + n + " -> 2   \\(slots: 2, qrsh -inherit node" + n
                    + "(, this node)?\\)$").matcher(out).find(), out);
        }
        assertEquals(1, out.lines().filter(l -> l.endsWith(", this node)")).count(), out);
        assertTrue(Pattern.compile("(?m)^  spawn: +qrsh \\(default: SGE job \\d+\\): through Grid Engine").matcher(out)
                .find(), out);
        assertTrue(out.contains("(dry run: nothing was started)"), out);
    }

    @Test
    void qdelMidRunEndsLauncherRootAndWorkers() throws Exception {
        Path out = cell.dir.resolve("cancel.out");
        SchedCommands.Result sub = cell.client(60, job("where 100000 300", "-v"), qsub(out, "-terse"));
        assertEquals(0, sub.code(), sub.output());
        String jobId = sub.output().strip();
        String marker = jars.toString();
        await("the job's root and 6 workers run").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                .until(() -> Files.exists(out) && Files.readString(out).contains("scoop: started root")
                        && SchedCommands.processesWith(marker).stream().filter(p -> p.contains(
                                "io.scoop.worker.WorkerMain") && !p.contains("qrsh")).count() == 2 * NODES);
        long t0 = System.nanoTime();
        SchedCommands.ok(cell.env, 30, "qdel", jobId);
        // Grid Engine's execd kills a deleted job's tasks on its own timers: 2.7-12 s here on a quiet machine,
        // over 20 s once under a loaded CI run; the bound is 45 s, and a failure names what was left.
        try {
            await("qdel ends every process of the run").atMost(Duration.ofSeconds(45))
                    .pollInterval(Duration.ofMillis(100)).until(() -> SchedCommands.processesWith(marker).isEmpty());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("45 s after qdel, still running: " + SchedCommands.processesWith(marker), e);
        }
        System.out.printf("qdel: every process of the run gone in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        await("SGE forgets the job").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> !cell.client(30, Map.of(), "qstat").output().contains(" " + jobId + " "));
    }
}
