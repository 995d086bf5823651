package io.scoop.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example twin of a program in today's style: run as users run it, in its own JVM with no flag, on the
 * embedded default and under the launcher, it prints what the same code prints on
 * {@code Executors.newFixedThreadPool(2)} in this JVM, and its tasks ran in other JVMs.
 */
class ModernStyleTest {
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private static List<String> onThreadPool;

    @BeforeAll
    static void referenceRun() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            onThreadPool = new ModernStyle(pool).run();
        } finally {
            pool.shutdownNow();
        }
        assertEquals(18, onThreadPool.size(), "checks run on the thread pool");
    }

    @Test
    void embeddedDefault_plainJava_printsWhatTheThreadPoolPrints() throws Exception {
        List<String> out = run(List.of(JAVA, "-cp", System.getProperty("java.class.path"),
                ModernStyle.class.getName()));
        assertSameAsThreadPool(out);
    }

    @Test
    void underTheLauncher_printsWhatTheThreadPoolPrints(@TempDir Path dir) throws Exception {
        Path launcher = Path.of("..", "scoop-launcher", "target", "scoop-launcher.jar").toAbsolutePath().normalize();
        assumeTrue(Files.isRegularFile(launcher), "the launcher jar is built by 'mvn verify' before this module: "
                + launcher);
        List<String> out = run(List.of(JAVA, "-jar", launcher.toString(), "-n", "2", appJar(dir).toString()));
        assertSameAsThreadPool(out);
    }

    private static void assertSameAsThreadPool(List<String> printed) {
        List<String> expected = new ArrayList<>(onThreadPool);
        expected.add("tasks ran in another JVM: true");
        List<String> program = printed.stream().filter(l -> !l.startsWith("[w") && !l.startsWith("WARNING:")
                && !l.startsWith("scoop:")).toList();
        assertEquals(expected, program, "all output:\n" + String.join("\n", printed));
    }

    private static List<String> run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            p.getOutputStream().close();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the program ended");
            assertEquals(0, p.exitValue(), text);
            return text.lines().toList();
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    /** A jar of this module's classes with ModernStyle as its Main-Class: the app a user hands the launcher. */
    private static Path appJar(Path dir) throws IOException {
        Path classes = Path.of(ModernStyle.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, ModernStyle.class.getName());
        Path jar = dir.resolve("modern.jar");
        try (OutputStream os = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(os, manifest);
                Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
        return jar;
    }
}
