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

        assertSecretKeptOff(launcher, "CURVE", 2);
        assertTrue(launcher.err().contains("scoop: CURVE: keys made for this run"), diagnostics());
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

        assertSecretKeptOff(launcher, "token", 2);
        assertTrue(launcher.err().contains("scoop: token: made for this run (every host is this machine); workers"
                + " read it on stdin, the root in SCOOP_KEYS"), diagnostics());
    }

    /**
     * What {@link CurveApp} (run as {@code CurveApp 1000 WORKERS}) reports when the run worked with a secret of
     * this kind ({@code CURVE} or {@code token}) and the secret stayed where it belongs: in the root's
     * environment and on the workers' stdin, on no command line and in no worker's environment, never printed.
     */
    static void assertSecretKeptOff(ForkedLauncher launcher, String kind, int workers) {
        String out = launcher.out();
        String err = launcher.err();
        String diagnostics = "\nlauncher out:\n" + out + "\nlauncher err:\n" + err;
        assertTrue(out.contains("keys in environment=true\n"), diagnostics);
        assertTrue(out.contains("keys kind=" + kind + "\n"), diagnostics);
        String connected = kind.equals("CURVE") ? " with CURVE, workers = " : " with a token, workers = ";
        assertTrue(out.contains(connected), "the root connected" + connected + diagnostics);
        assertTrue(out.contains("sum=333833500\n"), "the sum of squares 1..1000" + diagnostics);
        assertTrue(out.contains("worker pids=" + workers + "\n"), "tasks ran on every worker" + diagnostics);
        assertTrue(out.contains("processes scanned=true\n"), diagnostics);
        assertTrue(out.contains("command lines with keys=0\n"), diagnostics);
        assertTrue(out.contains("workers with --keys-stdin=" + workers + "\n"), diagnostics);
        assertTrue(out.contains("workers with keys in environment=0\n"), diagnostics);
        String header = kind.equals("CURVE") ? "scoop-curve-1" : "scoop-token-1";
        assertFalse(err.contains(header) || out.contains(header), "a key line was printed" + diagnostics);
        assertFalse(err.contains("refused a peer"), diagnostics);
    }

    private String diagnostics() {
        return "\nlauncher out:\n" + launcher.out() + "\nlauncher err:\n" + launcher.err();
    }
}
