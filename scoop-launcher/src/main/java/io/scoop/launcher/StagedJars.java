package io.scoop.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import net.schmizz.sshj.sftp.FileAttributes;
import net.schmizz.sshj.sftp.SFTPClient;
import net.schmizz.sshj.xfer.FileSystemFile;

/**
 * The jars a remote worker needs, named by the SHA-256 of their content, and their copy to a cache on a host
 * over SFTP: {@code <cache>/<sha256>.jar}. A jar already in the cache is not copied again.
 */
final class StagedJars {
    /*
     * Implementation notes.
     *
     * A classpath entry that is a directory (target/classes in a development build) is packed into a jar
     * first, with sorted entries and a fixed time stamp, so the same classes give the same hash run after run
     * and are not copied again.
     *
     * A copy goes to "<sha256>.jar.part-<random>" and is then renamed to "<sha256>.jar": a copy that is
     * interrupted, or two launchers copying at once, never leave a partial file under the final name. The
     * presence of the final name (with the right size) is thus proof of a complete copy.
     */

    /** The time stamp of every entry of a packed directory, so that packing is reproducible (2000-01-01). */
    private static final long PACKED_TIME = 946_684_800_000L;

    /**
     * One local classpath entry, ready to copy.
     *
     * @param source the classpath entry as given (a jar or a directory)
     * @param file   the jar to copy: the source, or the jar it was packed into
     * @param sha256 the hex SHA-256 of {@code file}
     * @param size   the size of {@code file} in bytes
     */
    record LocalJar(Path source, Path file, String sha256, long size, String suffix) {
        LocalJar(Path source, Path file, String sha256, long size) {
            this(source, file, sha256, size, ".jar");
        }

        /** The name of the copy in a host's cache. */
        String cachedName() {
            return sha256 + suffix;
        }
    }

    /** A shell script (the {@code --prolog}), hashed for its copy to each host: {@code <sha256>.sh}. */
    static LocalJar script(Path file) throws IOException {
        return new LocalJar(file, file, sha256(file), Files.size(file), ".sh");
    }

    private StagedJars() {
    }

    /**
     * Hashes each classpath entry, packing directories into jars under {@code workDir}. Entries that do not
     * exist are left out, as the JVM ignores them.
     *
     * @throws IOException if an entry cannot be read
     */
    static List<LocalJar> prepare(List<Path> classpath, Path workDir) throws IOException {
        List<LocalJar> jars = new ArrayList<>();
        for (Path entry : classpath) {
            if (Files.isDirectory(entry)) {
                Path packed = workDir.resolve("dir-" + jars.size() + ".jar");
                pack(entry, packed);
                jars.add(new LocalJar(entry, packed, sha256(packed), Files.size(packed)));
            } else if (Files.isRegularFile(entry)) {
                jars.add(new LocalJar(entry, entry, sha256(entry), Files.size(entry)));
            }
        }
        return jars;
    }

    /**
     * Copies to {@code cacheDir} on the host every jar that is not there yet.
     *
     * @param host     the host's name, for messages
     * @param sftp     an SFTP session to the host
     * @param cacheDir the absolute cache directory on the host; created if needed
     * @param log      hears one line per jar: copied or already there
     * @return the remote paths of the jars, in classpath order
     * @throws IOException if the cache cannot be created or a copy fails
     */
    static List<String> upload(String host, SFTPClient sftp, List<LocalJar> jars, String cacheDir,
            Consumer<String> log) throws IOException {
        try {
            sftp.mkdirs(cacheDir);
        } catch (IOException e) {
            throw new IOException("cannot create the jar cache " + cacheDir + " on " + host + " (" + e.getMessage()
                    + "); pass --remote-cache with a directory the remote user may write, or --path if the jars"
                    + " are already there at the same paths", e);
        }
        List<String> remote = new ArrayList<>();
        int copied = 0;
        long bytes = 0;
        for (LocalJar jar : jars) {
            String target = cacheDir + "/" + jar.cachedName();
            remote.add(target);
            if (copyIfAbsent(host, sftp, jar, cacheDir, log)) {
                copied++;
                bytes += jar.size();
            }
        }
        log.accept(host + ": " + copied + " of " + jars.size() + " jars copied (" + bytes / 1024 + " KiB) to "
                + cacheDir + ", " + (jars.size() - copied) + " already there");
        return remote;
    }

    /**
     * Copies one file to {@code cacheDir} on the host unless it is there already (the directory must exist, as
     * after {@link #upload}); returns its path there.
     */
    static String copy(String host, SFTPClient sftp, LocalJar file, String cacheDir, Consumer<String> log)
            throws IOException {
        copyIfAbsent(host, sftp, file, cacheDir, log);
        return cacheDir + "/" + file.cachedName();
    }

    /** Copies one file unless it is there; whether it was copied. */
    private static boolean copyIfAbsent(String host, SFTPClient sftp, LocalJar jar, String cacheDir,
            Consumer<String> log) throws IOException {
        String target = cacheDir + "/" + jar.cachedName();
        FileAttributes there = sftp.statExistence(target);
        if (there != null && there.getSize() == jar.size()) {
            log.accept(host + ": " + name(jar) + " is already in the cache as " + jar.cachedName());
            return false;
        }
        String part = target + ".part-" + UUID.randomUUID();
        try {
            sftp.put(new FileSystemFile(jar.file().toFile()), part);
            if (there != null) {
                sftp.rm(target); // a file of the wrong size under the final name: not ours to trust
            }
            sftp.rename(part, target);
        } catch (IOException e) {
            // Another launcher may have completed the same copy meanwhile: then the jar is there.
            FileAttributes now = statQuietly(sftp, target);
            removeQuietly(sftp, part);
            if (now == null || now.getSize() != jar.size()) {
                throw new IOException("cannot copy " + jar.source() + " to " + host + ":" + target + " ("
                        + e.getMessage() + "); check the free space and permissions of " + cacheDir + " there,"
                        + " or pass --remote-cache DIR", e);
            }
        }
        log.accept(host + ": copied " + name(jar) + " (" + jar.size() / 1024 + " KiB) as " + jar.cachedName());
        return true;
    }

    private static String name(LocalJar jar) {
        return jar.source().equals(jar.file()) ? jar.source().getFileName().toString()
                : jar.source() + " (packed)";
    }

    private static FileAttributes statQuietly(SFTPClient sftp, String path) {
        try {
            return sftp.statExistence(path);
        } catch (IOException e) {
            return null;
        }
    }

    private static void removeQuietly(SFTPClient sftp, String path) {
        try {
            if (sftp.statExistence(path) != null) {
                sftp.rm(path);
            }
        } catch (IOException e) {
            // the connection is gone: the part file stays, under a name nobody reads
        }
    }

    /** Packs a directory into a jar with sorted entries and fixed time stamps. */
    static void pack(Path dir, Path jar) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        try (OutputStream os = Files.newOutputStream(jar); ZipOutputStream out = new ZipOutputStream(os)) {
            for (Path f : files) {
                ZipEntry e = new ZipEntry(dir.relativize(f).toString().replace('\\', '/'));
                e.setTime(PACKED_TIME);
                out.putNextEntry(e);
                Files.copy(f, out);
                out.closeEntry();
            }
        }
    }

    /** The hex SHA-256 of a file's content. */
    static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
