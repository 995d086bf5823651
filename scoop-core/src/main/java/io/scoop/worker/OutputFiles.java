package io.scoop.worker;

import io.scoop.wire.RunInfo;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The files a task left in its output directory, read to go back to the root (when its options ask) and then
 * deleted with the directory.
 *
 * @param files    the regular files, by path relative to the directory ('/'-separated)
 * @param tooLarge why they cannot travel (their total is above the bound), or null
 */
record OutputFiles(List<RunInfo.OutputFile> files, String tooLarge) {
    static final OutputFiles NONE = new OutputFiles(List.of(), null);

    /** Reads (if {@code keep}) and deletes {@code dir}; {@code dir} null means the task never asked for one. */
    static OutputFiles collect(Path dir, boolean keep, long maxBytes) {
        if (dir == null) {
            return NONE;
        }
        try {
            List<RunInfo.OutputFile> out = new ArrayList<>();
            long[] total = {0};
            if (keep) {
                Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                        if (attrs.isRegularFile()) {
                            total[0] += attrs.size();
                            if (total[0] <= maxBytes) {
                                String name = dir.relativize(file).toString().replace(file.getFileSystem()
                                        .getSeparator(), "/");
                                out.add(new RunInfo.OutputFile(name, Files.readAllBytes(file)));
                            }
                        }
                        return FileVisitResult.CONTINUE;
                    }
                });
            }
            if (total[0] > maxBytes) {
                return new OutputFiles(List.of(), "it wrote " + total[0] + " bytes of output files, above the bound of "
                        + maxBytes + " bytes (half the payload limit) for files sent back with a result: write"
                        + " large outputs to a file system the root can read");
            }
            return new OutputFiles(out, null);
        } catch (IOException e) {
            return new OutputFiles(List.of(), "its output files could not be read from " + dir + ": " + e);
        } finally {
            delete(dir);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // left for the OS's temporary-file cleaning
                }
            });
        } catch (IOException e) {
            // likewise
        }
    }
}
