package io.scoop.root;

import io.scoop.internal.AtomicFiles;
import io.scoop.wire.RunInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a task's output files into the root's directory, refusing any name that would leave it: names are
 * checked, all of them before anything is written, and each file's directory is checked again once it exists
 * (a symbolic link already in the directory must not lead a worker's file elsewhere). A file replaces what is
 * there by a rename, so a link in its place is replaced, not followed.
 */
final class OutputWriter {
    private OutputWriter() {
    }

    static void write(Path dir, List<RunInfo.OutputFile> files) throws IOException {
        Path root = dir.toAbsolutePath().normalize();
        List<Path> targets = new ArrayList<>(files.size());
        for (RunInfo.OutputFile f : files) {
            String name = f.name();
            boolean plain = !name.isEmpty() && !name.startsWith("/") && !name.contains("\\") && !name.contains("\0");
            Path target = plain ? root.resolve(name).normalize() : root;
            if (!plain || !target.startsWith(root) || target.equals(root)) {
                throw refused(f.name(), root, "is not a path inside it");
            }
            targets.add(target);
        }
        Files.createDirectories(root);
        Path realRoot = root.toRealPath();
        for (int i = 0; i < files.size(); i++) {
            Path target = targets.get(i);
            Path parent = Files.createDirectories(target.getParent());
            if (!parent.toRealPath().startsWith(realRoot)) {
                throw refused(files.get(i).name(), root, "leads through a symbolic link to " + parent.toRealPath());
            }
            AtomicFiles.write(target, files.get(i).bytes());
        }
    }

    private static IOException refused(String name, Path root, String why) {
        return new IOException("a worker sent an output file named '" + name + "', which " + why + " (the task's"
                + " output directory is " + root + "); the files after it were not written");
    }
}
