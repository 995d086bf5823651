package io.scoop;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scoop.apps.IsolatedLoaderHost;
import io.scoop.apps.ToolRunApp;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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

    private final ChildProcesses children = new ChildProcesses();

    @AfterEach
    void killLeftovers() {
        children.close();
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
        Process p = children.start(new ProcessBuilder(java, "-cp", hostClasses.toString(),
                IsolatedLoaderHost.class.getName(), System.getProperty("java.class.path"), ToolRunApp.class.getName())
                .redirectErrorStream(true));
        List<String> out = ChildProcesses.lines(p);
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "the program did not finish in 90 s: " + out);
        await().atMost(Duration.ofSeconds(5)).until(() -> out.stream().anyMatch(l -> l.startsWith("sum=")));
        String all = String.join("\n", out);
        assertEquals(0, p.exitValue(), all);
        assertTrue(out.contains("loader=java.net.URLClassLoader"), all);
        assertTrue(out.contains("sum=2870 tasks=22"), all);
        assertTrue(!all.contains("Could not find or load main class"), all);
    }

}
