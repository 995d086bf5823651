package io.scoop.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Where the embedded default's workers get their classpath from, and what it says when it cannot tell. */
class WorkerClasspathTest {
    /** Loaded by the system class loader (java -cp, an IDE, Gradle's run): java.class.path, as it is. */
    @Test
    void systemLoader_javaClassPath() {
        assertEquals("a.jar" + File.pathSeparator + "b", WorkerClasspath.derive(ClassLoader.getSystemClassLoader(),
                null, "a.jar" + File.pathSeparator + "b"));
    }

    /** The builder's classpath wins, then the system property. */
    @Test
    void explicitThenProperty() {
        assertEquals("x.jar", WorkerClasspath.resolve("x.jar"));
        String before = System.getProperty(WorkerClasspath.PROPERTY);
        System.setProperty(WorkerClasspath.PROPERTY, " p.jar ");
        try {
            assertEquals("p.jar", WorkerClasspath.resolve(null));
            assertEquals("x.jar", WorkerClasspath.resolve("x.jar"));
        } finally {
            if (before == null) {
                System.clearProperty(WorkerClasspath.PROPERTY);
            } else {
                System.setProperty(WorkerClasspath.PROPERTY, before);
            }
        }
    }

    /** A URLClassLoader's jars come first, then java.class.path, which its parent (the system loader) adds. */
    @Test
    void urlClassLoader_itsFilesThenJavaClassPath() throws Exception {
        Path app = Path.of("target", "app-classes").toAbsolutePath();
        try (URLClassLoader tool = new URLClassLoader(new URL[] {app.toUri().toURL()},
                ClassLoader.getSystemClassLoader())) {
            // Scoop itself is on java.class.path here (the system loader's), so the derived path holds it.
            String cp = WorkerClasspath.derive(tool, tool, System.getProperty("java.class.path"));
            assertTrue(cp.startsWith(app + File.pathSeparator), cp);
        }
    }

    /** A class loader that does not list its jars: the error says what to set. */
    @Test
    void opaqueLoader_failsSayingWhatToSet() {
        ClassLoader opaque = new ClassLoader("ide-runner", ClassLoader.getSystemClassLoader()) {
        };
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> WorkerClasspath.derive(opaque, opaque, "/usr/share/tool/boot.jar"));
        assertTrue(e.getMessage().startsWith("the embedded default cannot tell which classpath to start its worker"
                + " JVMs with: Scoop was loaded by "), e.getMessage());
        assertTrue(e.getMessage().contains("java.class.path (/usr/share/tool/boot.jar) is not the program's"),
                e.getMessage());
        assertTrue(e.getMessage().contains("DistributedExecutor.builder().classpath(\"app.jar"), e.getMessage());
        assertTrue(e.getMessage().contains("-Dscoop.workerClasspath=..."), e.getMessage());
    }
}
