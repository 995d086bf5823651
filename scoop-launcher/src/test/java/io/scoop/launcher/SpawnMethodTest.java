package io.scoop.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The remote-exec prefixes of the scheduler methods, and how a node is matched by name. */
class SpawnMethodTest {
    private static final List<String> JAVA = List.of("/opt/jdk 17/bin/java", "-cp", "/a.jar:/b.jar",
            "io.scoop.worker.WorkerMain", "--name", "node2/w1", "--watch-stdin");

    /** srun takes the worker's words as they are, after its own options and "--". */
    @Test
    void srun_putsOneTaskOnTheNodeAndPassesTheWordsAsTheyAre() {
        List<String> cmd = SpawnMethod.srun.remoteExec("/usr/bin/srun", "node2", "scoop:node2/w1", JAVA);
        assertEquals(List.of("/usr/bin/srun", "--overlap", "--nodes=1", "--ntasks=1", "--nodelist=node2", "--input=all",
                "--kill-on-bad-exit=0", "--quiet", "--job-name=scoop:node2/w1", "--"), cmd.subList(0, 10));
        assertEquals(JAVA, cmd.subList(10, cmd.size()));
    }

    /** qrsh -inherit joins its arguments like rsh: one string, which a shell splits back into the same words. */
    @Test
    void qrsh_passesTheCommandAsOneShellString() {
        List<String> cmd = SpawnMethod.qrsh.remoteExec("qrsh", "node2", "ignored", JAVA);
        assertEquals(List.of("qrsh", "-inherit", "node2", "exec '/opt/jdk 17/bin/java' -cp /a.jar:/b.jar"
                + " io.scoop.worker.WorkerMain --name node2/w1 --watch-stdin"), cmd);
    }

    @Test
    void sameNode_matchesNamesNotAddresses() {
        assertTrue(SpawnChoice.sameNode("node2", "node2"));
        assertTrue(SpawnChoice.sameNode("NODE2.cluster", "node2"));
        assertTrue(SpawnChoice.sameNode("node2", "node2.cluster.example"));
        assertFalse(SpawnChoice.sameNode("node2", "node3"));
        assertFalse(SpawnChoice.sameNode("localhost", "node1"));
        assertFalse(SpawnChoice.sameNode("127.0.0.1", "127.0.0.2"));
        assertFalse(SpawnChoice.sameNode("node2", null));
    }

    @Test
    void onlySrunAndQrshStartWorkers() {
        assertTrue(SpawnMethod.srun.viaScheduler() && SpawnMethod.srun.problem() == null);
        assertTrue(SpawnMethod.qrsh.viaScheduler() && SpawnMethod.qrsh.problem() == null);
        assertTrue(SpawnMethod.pbsdsh.problem().startsWith("--spawn pbsdsh cannot start workers"));
        assertFalse(SpawnMethod.ssh.viaScheduler());
        assertFalse(SpawnMethod.local.viaScheduler());
    }
}
