package io.scoop.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The example hostfiles of the top-level {@code hostfiles/} folder parse, and hold what its README says they
 * hold, so that the examples users copy stay valid.
 */
class HostfileExamplesTest {
    private static final Predicate<String> LOCAL = "localhost"::equals;

    /** The hostfiles folder, beside this module (surefire runs in the module's folder, its basedir). */
    private static Path folder() {
        Path module = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
        Path dir = module.resolveSibling("hostfiles");
        assertTrue(Files.isDirectory(dir), "no hostfiles folder at " + dir);
        return dir;
    }

    private static List<String> parse(String file) throws Exception {
        return Hostfile.parse(folder().resolve(file), LOCAL).stream().map(h -> h.name() + " " + h.slots()
                + (h.explicitSlots() ? "" : " assumed")).toList();
    }

    /** local.hosts: this machine with two workers. */
    @Test
    void localHosts_isLocalhostTwo() throws Exception {
        assertEquals(List.of("localhost 2"), parse("local.hosts"));
    }

    /** scoop.hosts: counts, a bare remote host (1 slot, assumed) and IPv6 addresses. */
    @Test
    void scoopHosts_parses() throws Exception {
        assertEquals(List.of("node01 8", "node02 8", "node03 4", "node04 1 assumed", "fe80::1 2", "fe80::2 2"),
                parse("scoop.hosts"));
    }

    /** mpi.hosts: slots=N and host:N. */
    @Test
    void mpiHosts_parses() throws Exception {
        assertEquals(List.of("node01 8", "node02 8", "node03 4", "fe80::3 2"), parse("mpi.hosts"));
    }

    /** nodefile.hosts: repeats are slots. */
    @Test
    void nodefileHosts_parses() throws Exception {
        assertEquals(List.of("node01 3", "node02 2"), parse("nodefile.hosts"));
    }

    /** ranges.hosts: Slurm-style ranges, expanded. */
    @Test
    void rangesHosts_parses() throws Exception {
        assertEquals(List.of("node01 8", "node02 8", "node03 8", "node04 8", "gpu1 4", "gpu2 4", "gpu7 4",
                "rack1-n01 2", "rack1-n02 2", "rack2-n01 2", "rack2-n02 2"), parse("ranges.hosts"));
    }
}
