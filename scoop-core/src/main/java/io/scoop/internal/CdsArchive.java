package io.scoop.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * A class-data sharing archive for the worker JVMs this JVM forks: the classes a worker loads (Scoop's, JeroMQ's,
 * Kryo's, the application's), parsed and laid out once, then mapped by every later worker instead of read from
 * the jars again. On this project's 2-core machine a worker JVM reached its first task in about 0.75 s without
 * one and about 0.45 s with one.
 *
 * <p>The first run with a given JDK, JVM options and classpath makes it: its first worker is started with
 * {@code -XX:ArchiveClassesAtExit} and writes the archive when it exits in order (the executor closed); the file
 * is written under a temporary name and moved into place only if that worker exited with code 0. Every later
 * worker with the same JDK, options and classpath gets {@code -XX:SharedArchiveFile}. The archive's name is a
 * hash of the JDK, the options and each classpath entry's path, size and time, so a rebuilt jar or another
 * option makes another archive; the JVM checks the jars again itself, and an archive it refuses (or a damaged
 * file) only costs the time saved: its notices are turned off, the worker runs as without one.
 *
 * <p>It is used only where it can work: a HotSpot JDK, a classpath of jar files only (the JVM cannot archive
 * classes from directories: a test run's {@code target/classes} gets none), and a cache directory that this
 * user owns and nobody else can write to (a class file planted there would run in every worker). The directory
 * is {@code -Dscoop.cdsDir}, else {@code $XDG_CACHE_HOME/scoop/cds}, else {@code ~/.cache/scoop/cds}; it keeps
 * the {@value #KEEP} archives used last. {@code -Dscoop.cds=false} turns archives off. When the JVM writes
 * nothing though its worker exited in order, a {@code .failed} file says so and this classpath is not tried again.
 */
public final class CdsArchive {
    /** Turns archives off when {@code false}. */
    public static final String PROPERTY = "scoop.cds";
    /** The directory archives are kept in. */
    public static final String DIR_PROPERTY = "scoop.cdsDir";
    /** Archives kept in the directory (the ones used last). */
    static final int KEEP = 16;
    /** A claim to make an archive older than this is taken to be left by a JVM that died while it made it. */
    static final long CLAIM_EXPIRY_MILLIS = 10 * 60_000L;
    /** A note that an archive could not be made is forgotten after a week (the JDK may have changed). */
    static final long FAILED_EXPIRY_MILLIS = 7 * 24 * 3600_000L;

    /** The JVM's own notices about archives (a refused archive, a failed write): off, as the archive is only a cache. */
    static final String QUIET = "-Xlog:cds*=off";

    private final Path archive;
    private final Path claim;
    private final Path partial;
    private final Path failed;
    private boolean asked;
    private boolean finished;

    private CdsArchive(Path dir, String kind, String key) {
        String name = kind + "-" + key;
        this.archive = dir.resolve(name + ".jsa");
        this.claim = dir.resolve(name + ".making");
        this.partial = dir.resolve(name + "." + ProcessHandle.current().pid() + ".part");
        this.failed = dir.resolve(name + ".failed");
    }

    /**
     * The archive for workers forked from this JDK with these options and this classpath, or null where archives
     * cannot be used (see the class comment); says why at debug level, or as a warning when the directory is
     * unsafe.
     */
    public static CdsArchive forWorkers(String classpath, List<String> jvmOptions) {
        return forJvm("worker", classpath, jvmOptions);
    }

    /**
     * As {@link #forWorkers}, for JVMs of another kind ({@code root}: the launcher's root JVM, which makes its
     * archive when the application ends in order).
     */
    public static CdsArchive forJvm(String kind, String classpath, List<String> jvmOptions) {
        if ("false".equalsIgnoreCase(System.getProperty(PROPERTY))) {
            return null;
        }
        String vm = System.getProperty("java.vm.name", "");
        if (!vm.contains("HotSpot") && !vm.contains("OpenJDK")) {
            return null;
        }
        for (String o : jvmOptions) {
            if (o.startsWith("-Xshare") || o.contains("SharedArchiveFile") || o.contains("ArchiveClassesAtExit")
                    || o.startsWith("-XX:AOT")) {
                return null; // the user chose their own class sharing
            }
        }
        String key = key(classpath, jvmOptions);
        if (key == null) {
            return null;
        }
        Path dir = directory();
        return dir == null ? null : new CdsArchive(dir, kind, key);
    }

    /**
     * The options for the next worker: the archive's, if it exists; else, for the first worker of the first
     * JVM to ask, those that make it; else none.
     */
    public synchronized List<String> nextOptions() {
        if (Files.isRegularFile(archive, java.nio.file.LinkOption.NOFOLLOW_LINKS) && ours(archive)) {
            try {
                Files.setLastModifiedTime(archive, FileTime.fromMillis(System.currentTimeMillis()));
            } catch (IOException e) {
                // only the order in which old archives are dropped
            }
            return List.of("-XX:SharedArchiveFile=" + archive, QUIET);
        }
        if (asked || Files.exists(failed) || !claim()) {
            return List.of();
        }
        asked = true;
        return List.of("-XX:ArchiveClassesAtExit=" + partial, QUIET);
    }

    /** Whether {@code command} (a JVM's, or options from {@link #nextOptions}) makes an archive as the JVM exits. */
    public static boolean makes(List<String> command) {
        for (String o : command) {
            if (o.startsWith("-XX:ArchiveClassesAtExit")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The JVM that made the archive exited ({@code exitCode}; -1 if it never started), or was killed by
     * {@code close} while it wrote it ({@code killed}): keeps what it wrote if it exited with 0, else drops it;
     * then lets another JVM try, and drops the archives used longest ago. Once only; a second caller waits for
     * the first to finish (the JVM may end as soon as {@code close} returns).
     */
    public synchronized void made(int exitCode, boolean killed) {
        if (finished) {
            return;
        }
        finished = true;
        try {
            if (exitCode == 0 && Files.isRegularFile(partial) && Files.size(partial) > 0) {
                Files.move(partial, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                Log.debug(Log.ROOT, "scoop: made the class-data sharing archive " + archive);
            } else if (exitCode == 0 || killed) {
                // It exited in order and the JVM wrote nothing: it cannot archive these classes (a jar whose
                // manifest adds a directory, say); or it took longer than close waits. Not tried again for this
                // key (a JVM killed otherwise, by a signal to the run, is tried again).
                Files.write(failed, (killed ? "killed while writing it\n" : "nothing written\n")
                        .getBytes(StandardCharsets.UTF_8));
                Log.debug(Log.ROOT, "scoop: no class-data sharing archive could be made for " + archive + " ("
                        + failed + " says why; delete it to try again)");
            }
        } catch (IOException e) {
            Log.debug(Log.ROOT, "scoop: could not keep the class-data sharing archive " + archive + ": " + e);
        } finally {
            deleteQuietly(partial);
            releaseClaim();
            prune(archive.getParent());
        }
    }

    /** As {@link #made(int, boolean)}, for a JVM that exited by itself. */
    public void made(int exitCode) {
        made(exitCode, false);
    }

    /** The archive's path (whether or not it exists yet). */
    public Path path() {
        return archive;
    }

    /**
     * Claims the making of the archive: a file holding this JVM's pid, created only if absent. A claim whose
     * JVM is gone, or older than {@value #CLAIM_EXPIRY_MILLIS} ms, is taken over.
     */
    private boolean claim() {
        String me = Long.toString(ProcessHandle.current().pid());
        for (int tries = 0; tries < 2; tries++) {
            try {
                Files.write(claim, me.getBytes(StandardCharsets.US_ASCII), java.nio.file.StandardOpenOption.CREATE_NEW,
                        java.nio.file.StandardOpenOption.WRITE);
                return true;
            } catch (FileAlreadyExistsException e) {
                if (!stale(claim)) {
                    return false;
                }
                deleteQuietly(claim); // then try once more: of two JVMs that both saw it stale, one creates it
            } catch (IOException e) {
                Log.debug(Log.ROOT, "scoop: no class-data sharing archive: cannot write " + claim + ": " + e);
                return false;
            }
        }
        return false;
    }

    /** Deletes the claim if it is this JVM's. */
    private void releaseClaim() {
        try {
            String holder = Files.readString(claim, StandardCharsets.US_ASCII).strip();
            if (holder.equals(Long.toString(ProcessHandle.current().pid()))) {
                Files.deleteIfExists(claim);
            }
        } catch (IOException e) {
            // gone already
        }
    }

    /** Whether a claim file's JVM is gone, or the claim is older than the expiry. */
    static boolean stale(Path claimFile) {
        try {
            if (System.currentTimeMillis() - Files.getLastModifiedTime(claimFile).toMillis() > CLAIM_EXPIRY_MILLIS) {
                return true;
            }
            String holder = Files.readString(claimFile, StandardCharsets.US_ASCII).strip();
            return holder.isEmpty() || ProcessHandle.of(Long.parseLong(holder)).map(h -> !h.isAlive()).orElse(true);
        } catch (IOException | RuntimeException e) {
            return false; // being written or removed: not ours to take
        }
    }

    /** A hash of what decides whether an archive fits: the JDK, the options, and each jar's path, size and time. */
    static String key(String classpath, List<String> jvmOptions) {
        StringBuilder s = new StringBuilder();
        s.append(System.getProperty("java.home")).append('\n').append(System.getProperty("java.vm.version"))
                .append('\n');
        for (String o : jvmOptions) {
            if (!o.startsWith("-Xlog")) { // where the JVM logs does not change what it archives
                s.append(o).append('\n');
            }
        }
        // The JDK's own base archive, which ours extends: regenerated in place (a JDK update), it makes ours stale.
        for (String base : List.of("classes.jsa", "classes_nocoops.jsa")) {
            Path b = Path.of(System.getProperty("java.home"), "lib", "server", base);
            try {
                if (Files.isRegularFile(b)) {
                    s.append(b).append(' ').append(Files.size(b)).append(' ')
                            .append(Files.getLastModifiedTime(b).toMillis()).append('\n');
                }
            } catch (IOException e) {
                // not part of the key
            }
        }
        for (String entry : classpath.split(java.io.File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            Path p = Path.of(entry).toAbsolutePath();
            String name = p.getFileName() == null ? "" : p.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
            try {
                if (!Files.isRegularFile(p) || !(name.endsWith(".jar") || name.endsWith(".zip"))) {
                    Log.debug(Log.ROOT, "scoop: no class-data sharing archive: " + entry + " on the classpath is not a"
                            + " jar (the JVM archives classes from jars only)");
                    return null;
                }
                s.append(p).append(' ').append(Files.size(p)).append(' ')
                        .append(Files.getLastModifiedTime(p).toMillis()).append('\n');
            } catch (IOException e) {
                return null;
            }
        }
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            return null;
        }
    }

    /** The cache directory, made private if new; null if it cannot be used safely. */
    static Path directory() {
        String configured = System.getProperty(DIR_PROPERTY);
        Path dir;
        if (configured != null && !configured.isBlank()) {
            dir = Path.of(configured).toAbsolutePath();
        } else {
            // As the XDG base directory rules have it, a relative XDG_CACHE_HOME is ignored; and a home that is not
            // an absolute path (a user without a passwd entry: "?") gets no cache rather than one in the working
            // directory.
            String xdg = System.getenv("XDG_CACHE_HOME");
            Path base = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute() ? Path.of(xdg)
                    : Path.of(System.getProperty("user.home", "?"), ".cache");
            if (!base.isAbsolute()) {
                Log.debug(Log.ROOT, "scoop: no class-data sharing archive: no cache directory (" + base
                        + " is not an absolute path; set -D" + DIR_PROPERTY + ")");
                return null;
            }
            dir = base.resolve("scoop").resolve("cds");
        }
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir.getParent());
                try {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rwx------")));
                } catch (UnsupportedOperationException e) {
                    Files.createDirectory(dir);
                } catch (FileAlreadyExistsException e) {
                    // made by another JVM just now: checked below like any other
                }
            }
            if (!safe(dir)) {
                return null;
            }
            return dir;
        } catch (IOException e) {
            Log.debug(Log.ROOT, "scoop: no class-data sharing archive: cannot use " + dir + ": " + e);
            return null;
        }
    }

    /**
     * Whether {@code file} (an archive found in the directory) is this user's and nobody else's to write: one
     * planted before the directory was made private is not used.
     */
    private static boolean ours(Path file) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            return mine(file) && !perms.contains(PosixFilePermission.GROUP_WRITE)
                    && !perms.contains(PosixFilePermission.OTHERS_WRITE);
        } catch (UnsupportedOperationException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether {@code p} belongs to the user this JVM runs as (by uid where the file system has one). */
    private static boolean mine(Path p) throws IOException {
        try {
            Object uid = Files.getAttribute(p, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS);
            Object self = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return uid.equals(self);
        } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
            return Files.getOwner(p, java.nio.file.LinkOption.NOFOLLOW_LINKS).getName()
                    .equals(System.getProperty("user.name"));
        }
    }

    /**
     * Whether {@code dir} is this user's and nobody else can write to it (warns once if not). Not checked on a
     * file system without POSIX permissions (Windows: the user's own profile).
     */
    private static boolean safe(Path dir) throws IOException {
        Set<PosixFilePermission> perms;
        try {
            perms = Files.getPosixFilePermissions(dir);
        } catch (UnsupportedOperationException e) {
            return true;
        }
        String owner = Files.getOwner(dir).getName();
        boolean others = perms.contains(PosixFilePermission.GROUP_WRITE)
                || perms.contains(PosixFilePermission.OTHERS_WRITE);
        if (others || !mine(dir)) {
            warnOnce("scoop: not using class-data sharing archives in " + dir + ": it "
                    + (others ? "can be written by other users" : "belongs to " + owner) + ", and an archive planted"
                    + " there would change the classes that worker and root JVMs run; make it yours alone (chmod 700 "
                    + dir + "), choose another with -D" + DIR_PROPERTY + "=DIR, or turn archives off with -D"
                    + PROPERTY + "=false");
            return false;
        }
        return true;
    }

    private static volatile boolean warned;

    private static void warnOnce(String line) {
        if (!warned) {
            warned = true;
            Log.warn(Log.ROOT, line);
        }
    }

    /** Keeps the {@value #KEEP} archives used last (and drops parts that no JVM is writing any more). */
    static void prune(Path dir) {
        List<Path> archives = new ArrayList<>();
        long now = System.currentTimeMillis();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "{worker,root}-*")) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                long age = now - Files.getLastModifiedTime(p).toMillis();
                if (n.endsWith(".jsa")) {
                    archives.add(p);
                } else if (n.endsWith(".failed") ? age > FAILED_EXPIRY_MILLIS
                        : n.endsWith(".making") ? stale(p) : age > CLAIM_EXPIRY_MILLIS) {
                    deleteQuietly(p);
                }
            }
        } catch (IOException e) {
            return;
        }
        if (archives.size() <= KEEP) {
            return;
        }
        archives.sort(Comparator.comparing(CdsArchive::modified).reversed());
        for (Path old : archives.subList(KEEP, archives.size())) {
            deleteQuietly(old);
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // left for the next prune
        }
    }
}
