package io.scoop;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scoop.apps.IsolatedLoaderHost;
import io.scoop.apps.ToolRunApp;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded default run the way {@code mvn exec:java} runs a program: the program and scoop-core in a
 * URLClassLoader of the tool's, and a {@code java.class.path} that holds neither. Its workers must still start
 * with the program's classes (before, they failed with "Could not find or load main class
 * io.scoop.worker.WorkerMain" and the executor gave up with ClusterBrokenException).
 */
class ToolClassLoaderTest {
    @TempDir
    Path dir;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    /** A child JVM whose classpath is the host class alone; the program comes from a URLClassLoader. */
    @Test
    void programInAToolsClassLoader_embeddedWorkersRunItsTasks() throws Exception {
        Path hostClasses = dir.resolve("host");
        Path hostClass = hostClasses.resolve(IsolatedLoaderHost.class.getName().replace('.', '/') + ".class");
        Files.createDirectories(hostClass.getParent());
        try (InputStream in = IsolatedLoaderHost.class.getResourceAsStream(
                IsolatedLoaderHost.class.getSimpleName() + ".class")) {
            Files.write(hostClass, in.readAllBytes());
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", hostClasses.toString(), IsolatedLoaderHost.class.getName(),
                System.getProperty("java.class.path"), ToolRunApp.class.getName()).redirectErrorStream(true).start();
        started.add(p);
        List<String> out = collect(p);
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "the program did not finish in 90 s: " + out);
        await().atMost(Duration.ofSeconds(5)).until(() -> out.stream().anyMatch(l -> l.startsWith("sum=")));
        String all = String.join("\n", out);
        assertEquals(0, p.exitValue(), all);
        assertTrue(out.contains("loader=java.net.URLClassLoader"), all);
        assertTrue(out.contains("sum=2870 tasks=22"), all);
        assertTrue(!all.contains("Could not find or load main class"), all);
    }

    private static List<String> collect(Process p) {
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
        });
        t.setDaemon(true);
        t.start();
        return lines;
    }
}
