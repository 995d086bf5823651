package io.scoop.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole runs of the launcher on local workers ({@link ForkedLauncher}): with {@code --curve} the broker uses
 * CURVE with keys made for the run, and by default a token made for the run; either way the workers get the
 * secret on stdin and the root in its environment, the run works end to end, and no process of the machine
 * shows it on its command line.
 */
class ScoopLauncherCurveTest {
    private static final Duration RUN_DEADLINE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private ForkedLauncher launcher;

    @AfterEach
    void endEveryProcess() {
        if (launcher != null) {
            launcher.close();
        }
    }

    /**
     * With --curve -n 2: tasks run on both workers with correct results, the root connected with CURVE, no
     * command line on the machine holds a key (checked by the root while every process of the run is alive),
     * the workers were told to read the keys on stdin and hold none in their environment, and nothing is left.
     */
    @Test
    void run_curveTwoWorkers_worksAndNoCommandLineShowsTheKeys() throws IOException {
        Path jar = AppJars.withMainClass(dir, CurveApp.class);
        launcher = ForkedLauncher.start("--curve", "-v", "-n", "2", jar.toString(), "1000", "2");

        assertEquals(0, launcher.awaitExit(RUN_DEADLINE), diagnostics());
        launcher.awaitNoMarkedProcess(Duration.ofSeconds(10));

        String out = launcher.out();
        assertTrue(out.contains("keys in environment=true\n"), diagnostics());
        assertTrue(out.contains("keys kind=CURVE\n"), diagnostics());
        assertTrue(out.contains(" with CURVE, workers = "), "the root connected with CURVE" + diagnostics());
        assertTrue(out.contains("sum=333833500\n"), "the sum of squares 1..1000" + diagnostics());
        assertTrue(out.contains("worker pids=2\n"), "tasks ran on both workers" + diagnostics());
        assertTrue(out.contains("processes scanned=true\n"), diagnostics());
        assertTrue(out.contains("command lines with keys=0\n"), diagnostics());
        assertTrue(out.contains("workers with --keys-stdin=2\n"), diagnostics());
        assertTrue(out.contains("workers with keys in environment=0\n"), diagnostics());
        assertTrue(launcher.err().contains("scoop: CURVE: keys made for this run"), diagnostics());
        assertFalse(launcher.err().contains("scoop-curve-1") || out.contains("scoop-curve-1"),
                "a key line was printed" + diagnostics());
        assertFalse(launcher.err().contains("refused a peer"), diagnostics());
    }

    /**
     * A default run, -n 2 with no --curve: the broker takes a token made for the run (-v says so), the root
     * holds it in its environment and connects with it, the workers were told to read it on stdin, tasks run
     * on both workers, and no command line on the machine holds the token.
     */
    @Test
    void run_defaultLocal_usesATokenAndNoCommandLineShowsIt() throws IOException {
        Path jar = AppJars.withMainClass(dir, CurveApp.class);
        launcher = ForkedLauncher.start("-v", "-n", "2", jar.toString(), "1000", "2");

        assertEquals(0, launcher.awaitExit(RUN_DEADLINE), diagnostics());
        launcher.awaitNoMarkedProcess(Duration.ofSeconds(10));

        String out = launcher.out();
        assertTrue(out.contains("keys in environment=true\n"), diagnostics());
        assertTrue(out.contains("keys kind=token\n"), diagnostics());
        assertTrue(out.contains(" with a token, workers = "), "the root connected with the token" + diagnostics());
        assertTrue(out.contains("sum=333833500\n"), "the sum of squares 1..1000" + diagnostics());
        assertTrue(out.contains("worker pids=2\n"), "tasks ran on both workers" + diagnostics());
        assertTrue(out.contains("processes scanned=true\n"), diagnostics());
        assertTrue(out.contains("command lines with keys=0\n"), diagnostics());
        assertTrue(out.contains("workers with --keys-stdin=2\n"), diagnostics());
        assertTrue(out.contains("workers with keys in environment=0\n"), diagnostics());
        assertTrue(launcher.err().contains("scoop: token: made for this run (every host is this machine); workers"
                + " read it on stdin, the root in SCOOP_KEYS"), diagnostics());
        assertFalse(launcher.err().contains("scoop-token-1") || out.contains("scoop-token-1"),
                "a token line was printed" + diagnostics());
        assertFalse(launcher.err().contains("refused a peer"), diagnostics());
    }

    private String diagnostics() {
        return "\nlauncher out:\n" + launcher.out() + "\nlauncher err:\n" + launcher.err();
    }
}
