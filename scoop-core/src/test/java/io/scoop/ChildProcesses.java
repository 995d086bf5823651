package io.scoop;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The processes a test starts (JVMs, Maven), each ended with everything it started by {@link #close()}, which
 * the test calls in its {@code @AfterEach}: no process outlives its test.
 */
final class ChildProcesses implements AutoCloseable {
    private final List<Process> started = new CopyOnWriteArrayList<>();

    /** Starts {@code pb}'s process and keeps it for {@link #close()}. */
    Process start(ProcessBuilder pb) throws IOException {
        Process p = pb.start();
        started.add(p);
        return p;
    }

    /** Kills every process started here, and their descendants. */
    @Override
    public void close() {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        started.clear();
    }

    /** The lines {@code p} prints on its stdout, as they come, read by a daemon thread until it ends. */
    static List<String> lines(Process p) {
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "lines of pid " + p.pid());
        t.setDaemon(true);
        t.start();
        return lines;
    }
}
