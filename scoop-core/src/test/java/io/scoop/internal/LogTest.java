package io.scoop.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scoop.apps.PrintingLoggerFinder;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scoop's messages: one line on stderr by default, as they always were; fewer with scoop.log.level; through
 * System.Logger when a framework's bridge is installed, or when asked.
 */
class LogTest {
    @TempDir
    Path dir;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void clear() {
        System.clearProperty(Log.LEVEL_PROPERTY);
        System.clearProperty(Log.ROUTE_PROPERTY);
        started.forEach(Process::destroyForcibly);
    }

    private static String stderrOf(Runnable r) {
        PrintStream before = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setErr(before);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** By default every message is its line on stderr, word for word, INFO included. */
    @Test
    void byDefault_oneLineOnStderr() {
        assertEquals("scoop broker: worker w1 lost\nscoop: started worker w3 in place of w1\n", stderrOf(() -> {
            Log.warn(Log.BROKER, "scoop broker: worker w1 lost");
            Log.info(Log.ROOT, "scoop: started worker w3 in place of w1");
        }));
    }

    /** scoop.log.level=ERROR keeps the errors only; OFF, nothing. */
    @Test
    void level_errorKeepsErrorsOnly() {
        System.setProperty(Log.LEVEL_PROPERTY, "error");
        assertEquals("scoop worker w1: out of memory\n", stderrOf(() -> {
            Log.warn(Log.BROKER, "scoop broker: worker w1 lost");
            Log.info(Log.ROOT, "scoop: started worker w3 in place of w1");
            Log.error(Log.WORKER, "scoop worker w1: out of memory");
        }));
        System.setProperty(Log.LEVEL_PROPERTY, "OFF");
        assertEquals("", stderrOf(() -> Log.error(Log.WORKER, "scoop worker w1: out of memory")));
        assertEquals("-Dscoop.log.level=OFF", Log.levelOption(List.of("-Xmx1g")));
        assertEquals(null, Log.levelOption(List.of("-Dscoop.log.level=INFO")));
    }

    /** scoop.log=system-logger: through System.Logger to java.util.logging, with the level, nothing on stderr. */
    @Test
    void routedToSystemLogger_reachesJavaUtilLogging() {
        System.setProperty(Log.ROUTE_PROPERTY, "system-logger");
        Logger jul = Logger.getLogger(Log.BROKER);
        List<LogRecord> records = new ArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        jul.addHandler(handler);
        jul.setUseParentHandlers(false);
        try {
            assertEquals("", stderrOf(() -> Log.warn(Log.BROKER, "scoop broker: worker w1 lost")));
        } finally {
            jul.removeHandler(handler);
            jul.setUseParentHandlers(true);
        }
        assertEquals(1, records.size());
        assertEquals(java.util.logging.Level.WARNING, records.get(0).getLevel());
        assertEquals("scoop broker: worker w1 lost", records.get(0).getMessage());
    }

    /** A framework's bridge on the classpath (a LoggerFinder service) gets the messages, with no setting. */
    @Test
    void bridgeOnClasspath_getsTheMessages() throws Exception {
        Path services = Files.createDirectories(dir.resolve("META-INF/services"));
        Files.writeString(services.resolve("java.lang.System$LoggerFinder"), PrintingLoggerFinder.class.getName());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", dir + File.pathSeparator
                + System.getProperty("java.class.path"), PrintingLoggerFinder.class.getName())
                .redirectErrorStream(true).start();
        started.add(p);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM did not end");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertEquals("routed io.scoop.broker WARNING scoop broker: a test warning\n"
                + "routed io.scoop INFO scoop: a test info line\n", out);
    }
}
