package io.scoop;

import io.scoop.internal.Hosts;
import io.scoop.internal.SharedStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A file of the root's machine that tasks can read where they run, made by {@link DistributedExecutor#stage}.
 * A task captures the handle and calls {@link #path()}: on the root's own host (local workers, the embedded
 * default) that is the file itself, untouched; on another host, a copy in the worker host's cache
 * ({@code ~/.cache/scoop/files}, or the system property {@code scoop.fileCache} of the worker JVM), fetched
 * from the broker by the first task there that asks and kept under the content's hash, so each host receives
 * each file once, whatever the tasks and runs.
 *
 * <pre>{@code
 * StagedFile genome = pool.stage(Path.of("data/genome.fa"));
 * pool.map(region -> align(genome.path(), region), regions)...
 * }</pre>
 *
 * <p>A staged file is read whole into the root's memory once and kept by the broker until the executor ends;
 * it must fit the message limit ({@code -Dscoop.maxMessageBytes}, 64 MiB by default). For larger inputs, use a
 * file system the hosts share (and the launcher's {@code --path}): then pass plain paths.
 */
public final class StagedFile {
    private final String key;
    private final String name;
    private final long size;
    private final String originHost;
    private final String originPath;
    /** Whether {@link DistributedExecutor#release(StagedFile)} was called on it (at the root; not sent). */
    private transient boolean released;

    StagedFile(String key, String name, long size, String originHost, String originPath) {
        this.key = key;
        this.name = name;
        this.size = size;
        this.originHost = originHost;
        this.originPath = originPath;
    }

    /** Marks this file released; true the first time only. */
    synchronized boolean markReleased() {
        boolean first = !released;
        released = true;
        return first;
    }

    /** The file's name, as on the root. */
    public String name() {
        return name;
    }

    /** Its size in bytes. */
    public long size() {
        return size;
    }

    /** Its content hash (SHA-256, hex). */
    public String key() {
        return key;
    }

    /**
     * A path to the file here: the original on the root's host, else this host's cached copy (fetched now if
     * this host does not have it yet).
     *
     * @throws UncheckedIOException if the copy cannot be written
     */
    public Path path() {
        Path origin = Path.of(originPath);
        if (originHost.equals(Hosts.localName()) && Files.isRegularFile(origin) && sizeOf(origin) == size) {
            return origin;
        }
        Path dir = cacheDir().resolve(key);
        Path copy = dir.resolve(name);
        if (Files.isRegularFile(copy) && sizeOf(copy) == size) {
            return copy;
        }
        byte[] bytes = (byte[]) io.scoop.wire.KryoCodec.decode(SharedStore.fetchBytes(key));
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".staging-", ".part");
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, copy, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, copy, StandardCopyOption.REPLACE_EXISTING);
            }
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException("staged file " + name + " could not be written to " + copy + " on "
                    + Hosts.localName() + ": " + e.getMessage() + " (set the worker JVM's system property"
                    + " scoop.fileCache to a directory it may write)", e);
        }
    }

    static Path cacheDir() {
        String dir = System.getProperty("scoop.fileCache");
        return dir != null ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".cache", "scoop", "files");
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public String toString() {
        return "StagedFile[" + name + ", " + size + " bytes, " + key.substring(0, 12) + "]";
    }
}
