package io.scoop.root;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scoop.wire.RunInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Output files from a worker land inside the root's directory and nowhere else, whatever their names say. */
class OutputWriterTest {
    private static RunInfo.OutputFile file(String name) {
        return new RunInfo.OutputFile(name, name.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void names_insideTheDirectory_areWritten(@TempDir Path dir) throws IOException {
        OutputWriter.write(dir, List.of(file("a.txt"), file("sub/b.txt"), file("sub/./c.txt")));
        assertEquals("a.txt", Files.readString(dir.resolve("a.txt")));
        assertEquals("sub/b.txt", Files.readString(dir.resolve("sub/b.txt")));
        assertTrue(Files.exists(dir.resolve("sub/c.txt")));
    }

    @Test
    void names_thatWouldLeaveIt_areRefused(@TempDir Path parent) throws IOException {
        Path dir = Files.createDirectory(parent.resolve("out"));
        for (String bad : new String[] {"../escape.txt", "/etc/evil", "sub/../../escape.txt", "", ".", "a\\b",
                "nul\0byte"}) {
            IOException e = assertThrows(IOException.class, () -> OutputWriter.write(dir, List.of(file(bad))), bad);
            assertTrue(e.getMessage().contains("not a path inside"), e.getMessage());
        }
        assertFalse(Files.exists(parent.resolve("escape.txt")));
    }

    @Test
    void aSymbolicLinkInTheDirectory_leadsNothingOutOfIt(@TempDir Path parent) throws IOException {
        Path dir = Files.createDirectory(parent.resolve("out"));
        Path elsewhere = Files.createDirectory(parent.resolve("elsewhere"));
        Files.createSymbolicLink(dir.resolve("latest"), elsewhere);
        Path victim = Files.writeString(parent.resolve("victim.txt"), "mine");
        Files.createSymbolicLink(dir.resolve("link.txt"), victim);

        IOException e = assertThrows(IOException.class,
                () -> OutputWriter.write(dir, List.of(file("ok.txt"), file("latest/x.txt"))));
        assertTrue(e.getMessage().contains("leads through a symbolic link"), e.getMessage());
        assertFalse(Files.exists(elsewhere.resolve("x.txt")));

        OutputWriter.write(dir, List.of(file("link.txt")));
        assertEquals("mine", Files.readString(victim), "the link was replaced, not followed");
        assertFalse(Files.isSymbolicLink(dir.resolve("link.txt")));
        assertEquals("link.txt", Files.readString(dir.resolve("link.txt")));
    }

    @Test
    void aBadNameAmongGoodOnes_writesNoneOfThem(@TempDir Path dir) {
        assertThrows(IOException.class, () -> OutputWriter.write(dir, List.of(file("first.txt"), file("../x"))));
        assertFalse(Files.exists(dir.resolve("first.txt")));
    }
}
