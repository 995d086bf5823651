package io.scoop.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.scoop.DistributedExecutor;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Class-data sharing archives for forked workers ({@link CdsArchive}), with real worker JVMs: the first run makes
 * the archive, the next one's workers load Scoop's classes from it (the JVM's own class-loading log says where
 * each class came from), a damaged archive only costs speed, and archives are not used where they cannot work or
 * would not be safe. The workers run from jars (this module's classes and tests, packed here): the JVM archives
 * no class read from a directory.
 */
class CdsArchiveTest {
    @TempDir
    Path dir;

    private Path cds;
    private String jarClasspath;
    private String savedDir;

    @BeforeEach
    void jarsAndDirectory() throws IOException {
        cds = dir.resolve("cds");
        savedDir = System.getProperty(CdsArchive.DIR_PROPERTY);
        System.setProperty(CdsArchive.DIR_PROPERTY, cds.toString());
        Path jar = dir.resolve("scoop-core-and-tests.jar");
        List<String> cp = new ArrayList<>();
        List<Path> classDirs = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (e.endsWith(".jar")) {
                cp.add(e);
            } else if (Files.isDirectory(Path.of(e))) {
                classDirs.add(Path.of(e));
            }
        }
        pack(classDirs, jar);
        cp.add(0, jar.toString());
        jarClasspath = String.join(File.pathSeparator, cp);
    }

    @AfterEach
    void restore() {
        if (savedDir == null) {
            System.clearProperty(CdsArchive.DIR_PROPERTY);
        } else {
            System.setProperty(CdsArchive.DIR_PROPERTY, savedDir);
        }
    }

    @Test
    void firstRunMakesTheArchive_nextRunsWorkersLoadFromIt_aDamagedOneOnlyCostsSpeed() throws Exception {
        assertEquals(42, runOne(List.of()));
        List<Path> files = list(cds);
        assertEquals(1, files.size(), "one archive and nothing else (no claim, no part) is left: " + files);
        Path archive = files.get(0);
        assertTrue(archive.getFileName().toString().matches("worker-[0-9a-f]{24}\\.jsa"), archive.toString());
        assertTrue(Files.size(archive) > 100_000, "an archive of Scoop's classes: " + Files.size(archive) + " bytes");

        // Where the JVM logs does not change the archive's key: the next worker maps it.
        Path logs = Files.createDirectory(dir.resolve("logs"));
        assertEquals(42, runOne(List.of("-Xlog:class+load=info:file=" + logs.resolve("load-%p.log"))));
        String log = readAll(logs);
        assertTrue(log.contains("io.scoop.worker.Worker source: shared objects file (top)"),
                "the worker's classes came from the archive: " + excerpt(log, "io.scoop.worker.Worker "));
        assertEquals(List.of(archive), list(cds));

        // A damaged file under the archive's name: the JVM refuses it without a word and reads the jars.
        Files.delete(archive);
        Files.write(archive, "not an archive".repeat(10_000).getBytes(StandardCharsets.US_ASCII));
        Path logs2 = Files.createDirectory(dir.resolve("logs2"));
        assertEquals(42, runOne(List.of("-Xlog:class+load=info:file=" + logs2.resolve("load-%p.log"))));
        String log2 = readAll(logs2);
        assertTrue(log2.contains("io.scoop.worker.Worker source: file:"),
                "read from the jar: " + excerpt(log2, "io.scoop.worker.Worker "));
    }

    @Test
    void notUsed_forDirectoriesOnTheClasspath_whenTurnedOff_orWhenOthersCanWriteTheDirectory() throws Exception {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        assertNotNull(CdsArchive.forWorkers(jarClasspath, List.of()));
        assertNull(CdsArchive.forWorkers(System.getProperty("java.class.path"), List.of()),
                "target/classes is a directory: the JVM cannot archive from it");
        assertNull(CdsArchive.forWorkers(jarClasspath, List.of("-Xshare:off")), "the user's own choice");
        String saved = System.getProperty(CdsArchive.PROPERTY);
        System.setProperty(CdsArchive.PROPERTY, "false");
        try {
            assertNull(CdsArchive.forWorkers(jarClasspath, List.of()));
        } finally {
            if (saved == null) {
                System.clearProperty(CdsArchive.PROPERTY);
            } else {
                System.setProperty(CdsArchive.PROPERTY, saved);
            }
        }
        Path shared = Files.createDirectory(dir.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        System.setProperty(CdsArchive.DIR_PROPERTY, shared.toString());
        assertNull(CdsArchive.forWorkers(jarClasspath, List.of()), "a directory others can write to");
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwx------"));
        assertNotNull(CdsArchive.forWorkers(jarClasspath, List.of()));
    }

    @Test
    void theClaimToMakeIt_isTakenOverFromAJvmThatIsGone_notFromALiveOne_andAFailureIsNotRetried() throws Exception {
        CdsArchive a = CdsArchive.forWorkers(jarClasspath, List.of());
        assertNotNull(a);
        Path claim = a.path().resolveSibling(a.path().getFileName().toString().replace(".jsa", ".making"));
        // A live JVM (this one's parent: the build) holds the claim: nobody else makes the archive meanwhile.
        long live = ProcessHandle.current().parent().map(ProcessHandle::pid).orElseThrow();
        Files.writeString(claim, Long.toString(live));
        assertEquals(List.of(), CdsArchive.forWorkers(jarClasspath, List.of()).nextOptions());
        // Its JVM is gone (killed while it made it): the claim is taken over.
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Files.writeString(claim, Long.toString(gone.pid()));
        CdsArchive b = CdsArchive.forWorkers(jarClasspath, List.of());
        List<String> makes = b.nextOptions();
        assertTrue(CdsArchive.makes(makes), makes.toString());
        assertEquals(Long.toString(ProcessHandle.current().pid()), Files.readString(claim));
        assertEquals(List.of(), b.nextOptions(), "one worker of a run makes it, not each");
        // It exited in order and wrote nothing (the JVM could not archive these classes): not tried again.
        b.made(0);
        assertTrue(Files.notExists(claim), "the claim is let go");
        Path failed = claim.resolveSibling(claim.getFileName().toString().replace(".making", ".failed"));
        assertTrue(Files.exists(failed), "a note says it failed");
        assertEquals(List.of(), CdsArchive.forWorkers(jarClasspath, List.of()).nextOptions());
        Files.delete(failed);
        assertTrue(CdsArchive.makes(CdsArchive.forWorkers(jarClasspath, List.of()).nextOptions()),
                "deleting the note lets a run try again");
    }

    @Test
    void anArchiveThatOthersCanWrite_isNotUsed() throws Exception {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        CdsArchive a = CdsArchive.forWorkers(jarClasspath, List.of());
        Files.write(a.path(), new byte[1000]);
        Files.setPosixFilePermissions(a.path(), PosixFilePermissions.fromString("rw-rw-rw-"));
        List<String> options = CdsArchive.forWorkers(jarClasspath, List.of()).nextOptions();
        assertTrue(options.stream().noneMatch(o -> o.startsWith("-XX:SharedArchiveFile")), options.toString());
        Files.setPosixFilePermissions(a.path(), PosixFilePermissions.fromString("r--r--r--"));
        options = CdsArchive.forWorkers(jarClasspath, List.of()).nextOptions();
        assertTrue(options.contains("-XX:SharedArchiveFile=" + a.path()), options.toString());
    }

    @Test
    void theKey_changesWithOptionsAndJars_notWithLogging() throws Exception {
        String k = CdsArchive.key(jarClasspath, List.of("-Xmx256m"));
        assertEquals(k, CdsArchive.key(jarClasspath, List.of("-Xmx256m", "-Xlog:gc")));
        assertTrue(!k.equals(CdsArchive.key(jarClasspath, List.of("-Xmx512m"))), "another heap, another archive");
        Path jar = Path.of(jarClasspath.split(File.pathSeparator)[0]);
        Files.setLastModifiedTime(jar, java.nio.file.attribute.FileTime.fromMillis(1_000_000));
        assertTrue(!k.equals(CdsArchive.key(jarClasspath, List.of("-Xmx256m"))), "a rebuilt jar, another archive");
    }

    /** One executor of 1 worker from the jars, one task; returns its result. */
    private int runOne(List<String> jvmOptions) throws Exception {
        try (DistributedExecutor ex = DistributedExecutor.builder().workers(1).classpath(jarClasspath)
                .jvmOptions(jvmOptions.toArray(String[]::new)).build()) {
            return ex.submit(() -> 6 * 7).get(60, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    private static List<Path> list(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.sorted().toList();
        }
    }

    private static String readAll(Path d) throws IOException {
        StringBuilder b = new StringBuilder();
        for (Path p : list(d)) {
            b.append(Files.readString(p));
        }
        return b.toString();
    }

    private static String excerpt(String log, String needle) {
        return log.lines().filter(l -> l.contains(needle)).findFirst().orElse("(no such line among "
                + log.lines().count() + ")");
    }

    private static void pack(List<Path> roots, Path jar) throws IOException {
        try (OutputStream o = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(o)) {
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (Path root : roots) {
                try (Stream<Path> files = Files.walk(root)) {
                    for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                        String name = root.relativize(f).toString().replace(File.separatorChar, '/');
                        if (seen.add(name)) {
                            j.putNextEntry(new JarEntry(name));
                            Files.copy(f, j);
                            j.closeEntry();
                        }
                    }
                }
            }
        }
    }
}
