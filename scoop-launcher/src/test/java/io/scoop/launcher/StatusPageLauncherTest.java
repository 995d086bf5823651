package io.scoop.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher serves the status page by default and prints its URL once on standard error; the root's
 * executor knows it too ({@code statusPageUrl}); {@code --no-status} turns it off.
 */
class StatusPageLauncherTest {
    private static final Duration RUN_DEADLINE = Duration.ofSeconds(60);
    private static final Pattern URL_LINE = Pattern.compile(
            "^scoop: status page at (http://127\\.0\\.0\\.1:\\d+/\\?t=[A-Za-z0-9_-]{43})$", Pattern.MULTILINE);

    @TempDir
    Path dir;

    private ForkedLauncher launcher;

    @AfterEach
    void endEveryProcess() {
        if (launcher != null) {
            launcher.close();
        }
    }

    private String diagnostics() {
        return "\nlauncher out:\n" + launcher.out() + "\nlauncher err:\n" + launcher.err();
    }

    @Test
    void byDefault_theUrlIsPrintedOnce_andTheRootSeesThePage() throws IOException {
        Path jar = AppJars.withMainClass(dir, StatusApp.class);
        launcher = ForkedLauncher.start("-n", "1", jar.toString());
        assertEquals(0, launcher.awaitExit(RUN_DEADLINE), diagnostics());
        Matcher m = URL_LINE.matcher(launcher.err());
        assertTrue(m.find(), "no status page line" + diagnostics());
        String url = m.group(1);
        assertFalse(m.find(), "the URL was printed twice" + diagnostics());
        assertTrue(launcher.out().contains("status=" + url + "\n"), diagnostics());
        assertTrue(launcher.out().contains("json workerCount=1\n"), diagnostics());
        assertTrue(launcher.markedAlive().isEmpty(), launcher.describeMarkedAlive() + diagnostics());
    }

    @Test
    void noStatus_servesNone() throws IOException {
        Path jar = AppJars.withMainClass(dir, StatusApp.class);
        launcher = ForkedLauncher.start("--no-status", "-n", "1", jar.toString());
        assertEquals(0, launcher.awaitExit(RUN_DEADLINE), diagnostics());
        assertFalse(launcher.err().contains("status page"), diagnostics());
        assertTrue(launcher.out().contains("status=none\n"), diagnostics());
    }
}
