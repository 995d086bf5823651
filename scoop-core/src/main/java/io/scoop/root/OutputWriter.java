package io.scoop.root;

import io.scoop.wire.RunInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes a task's output files into the root's directory, refusing any name that would leave it. */
final class OutputWriter {
    private OutputWriter() {
    }

    static void write(Path dir, List<RunInfo.OutputFile> files) throws IOException {
        Path root = dir.toAbsolutePath().normalize();
        for (RunInfo.OutputFile f : files) {
            String name = f.name();
            boolean plain = !name.isEmpty() && !name.startsWith("/") && !name.contains("\\") && !name.contains("\0");
            Path target = plain ? root.resolve(name).normalize() : root;
            if (!plain || !target.startsWith(root) || target.equals(root)) {
                throw new IOException("a worker sent an output file named '" + f.name() + "', which is not a path"
                        + " inside " + root + "; nothing of it was written");
            }
            Files.createDirectories(target.getParent());
            Files.write(target, f.bytes());
        }
    }
}
