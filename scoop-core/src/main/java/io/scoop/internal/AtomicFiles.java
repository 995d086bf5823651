package io.scoop.internal;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Files written whole or not at all. */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /**
     * Writes {@code bytes} to a temporary file beside {@code target}, then renames it over {@code target}: a
     * reader never sees a part of it, and a symbolic link at {@code target} is replaced, not followed. The
     * directory must exist.
     */
    public static void write(Path target, byte[] bytes) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), ".scoop-", ".part");
        try {
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
