package io.scoop.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * hostfiles/torque.pbs, run by bash in the environment a Torque/PBS job gives it (PBS_NODEFILE, PBS_NP,
 * PBS_JOBID, PBS_O_WORKDIR): Torque and OpenPBS are not packaged for Debian 12, so no real PBS server can run
 * here. The node file names this machine twice, so the job's two workers are forked here (no SSH), and the
 * "where" example runs for real. Tagged "sched" with the real clusters: it needs the built jars.
 */
@Tag("sched")
class TorqueScriptTest {
    @TempDir
    Path dir;

    private SchedCommands.Result job(String appArgs, String opts) throws Exception {
        Path nodes = Files.write(dir.resolve("aux-42"), List.of("localhost", "localhost"));
        Path jars = dir.resolve("jars");
        return SchedCommands.run(Map.of("PBS_NODEFILE", nodes.toString(), "PBS_NP", "2", "PBS_JOBID", "42.pbs",
                "PBS_O_WORKDIR", SchedCommands.REPO.toString(), "SCOOP_LAUNCHER",
                SchedCommands.jar("scoop-launcher", jars).toString(), "APP_JAR",
                SchedCommands.jar("scoop-examples", jars).toString(), "APP_ARGS", appArgs, "SCOOP_OPTS", opts), 120,
                "bash", SchedCommands.REPO.resolve("hostfiles/torque.pbs").toString());
    }

    @Test
    void theScriptRunsTheExampleOnTheJobsNodes() throws Exception {
        SchedCommands.Result r = job("where 6 50 2", "-v");
        assertEquals(0, r.code(), r.output());
        String out = r.output();
        assertTrue(out.contains("  hosts:     PBS/Torque allocation (PBS_NODEFILE="), out);
        assertTrue(out.contains("  workers:   2 workers, 1 task thread each (default: PBS_NP=2)"), out);
        assertTrue(out.contains("  spawn:     local (default in a PBS/Torque job: pbsdsh cannot hand a worker its"
                + " keys)"), out);
        assertEquals(6, out.lines().filter(l -> l.startsWith("task ") && l.contains(" ran on ")).count(), out);
        assertTrue(out.contains("tasks per node: "), out);
    }

    @Test
    void spawnPbsdshIsRefusedWithTheReason() throws Exception {
        SchedCommands.Result r = job("pi", "--spawn pbsdsh");
        assertEquals(2, r.code(), r.output());
        assertTrue(r.output().contains("--spawn pbsdsh cannot start workers: pbsdsh gives a task no standard input"),
                r.output());
    }
}
