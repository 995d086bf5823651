package io.scoop;

import io.scoop.internal.Hosts;
import io.scoop.internal.SharedStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A file of the root's machine that tasks can read where they run, made by {@link DistributedExecutor#stage}.
 * A task captures the handle and calls {@link #path()}: on the root's own host (local workers, the embedded
 * default) that is the file itself, untouched, as long as its size and modification time are what they were
 * when it was staged; elsewhere, or once it changed, a copy in the worker host's cache
 * ({@code ~/.cache/scoop/files}, or the system property {@code scoop.fileCache} of the worker JVM), fetched
 * from the broker by the first task there that asks, checked against the content's hash and kept under it,
 * so each host receives each file once, whatever the tasks and runs.
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
    /** The original's modification time when it was staged (ms since the epoch), or -1 if unknown. */
    private final long originModified;
    /** Whether {@link DistributedExecutor#release(StagedFile)} was called on it (at the root; not sent). */
    private transient boolean released;

    StagedFile(String key, String name, long size, String originHost, String originPath, long originModified) {
        this.originModified = originModified;
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
        if (originHost.equals(Hosts.localName()) && Files.isRegularFile(origin) && sizeOf(origin) == size
                && modifiedOf(origin) == originModified) {
            return origin; // the original, unchanged since it was staged (same size and modification time)
        }
        Path dir = cacheDir().resolve(key);
        Path copy = dir.resolve(name);
        if (Files.isRegularFile(copy) && sizeOf(copy) == size) {
            return copy;
        }
        byte[] encoded = SharedStore.fetchBytes(key);
        if (!SharedStore.keyOf(encoded).equals(key)) {
            throw new IllegalStateException("staged file " + name + ": the bytes fetched from the broker do not match"
                    + " its content hash " + key.substring(0, 12) + "…, so they were not written to " + copy);
        }
        byte[] bytes = (byte[]) io.scoop.wire.KryoCodec.decode(encoded);
        try {
            Files.createDirectories(dir);
            io.scoop.internal.AtomicFiles.write(copy, bytes);
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

    static long modifiedOf(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return -2;
        }
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
