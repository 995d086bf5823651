package io.scoop.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Hostfile}: every way a hostfile or a {@code --hosts} list is written, and the exact message of each
 * mistake. Files are real files in a temporary folder; "this machine" is {@code localhost} and {@code ::1}.
 */
class HostfileTest {
    /*
     * Error messages are asserted in full: they must name file:line, the line, the rule, and an example built
     * from the line's own host.
     */

    private static final Predicate<String> LOCAL = Set.of("localhost", "::1")::contains;
    private static final int CORES = Runtime.getRuntime().availableProcessors();

    @TempDir
    Path dir;

    private Path file(String... lines) throws IOException {
        return Files.write(dir.resolve("hosts.txt"), List.of(lines));
    }

    private List<Host> parse(String... lines) throws Exception {
        return Hostfile.parse(file(lines), LOCAL);
    }

    private String error(String... lines) throws IOException {
        Path f = file(lines);
        return assertThrows(HostfileException.class, () -> Hostfile.parse(f, LOCAL)).getMessage();
    }

    private String hosts() {
        return dir.resolve("hosts.txt").toString();
    }

    /* ---------------- formats ---------------- */

    /** SCOOP's 'host N' gives each host N slots, in file order. */
    @Test
    void parse_scoopHostAndCount_givesSlotsInOrder() throws Exception {
        assertEquals(List.of(new Host("node2", 4, true, false), new Host("node1", 2, true, false)),
                parse("node2 4", "node1 2"));
    }

    /** MPI's 'host slots=N' (Open MPI) and 'host:N' (MPICH) give N slots. */
    @Test
    void parse_mpiSlotsAndColon_giveSlots() throws Exception {
        assertEquals(List.of(new Host("node1", 4, true, false), new Host("node2", 3, true, false)),
                parse("node1 slots=4", "node2:3"));
    }

    /** A bare local host gets this machine's available processors, marked as not explicit. */
    @Test
    void parse_bareLocalHost_getsAvailableProcessors() throws Exception {
        assertEquals(List.of(new Host("localhost", CORES, false, true)), parse("localhost"));
    }

    /** A bare remote host gets 1 slot, marked as assumed (not explicit): its cores are unknown. */
    @Test
    void parse_bareRemoteHost_getsOneAssumedSlot() throws Exception {
        assertEquals(List.of(new Host("node07", 1, false, false)), parse("node07"));
    }

    /** '#' comments, blank lines, tabs and surrounding blanks are skipped. */
    @Test
    void parse_commentsAndBlankLines_areSkipped() throws Exception {
        assertEquals(List.of(new Host("node1", 2, true, false), new Host("node2", 3, true, false)),
                parse("# the cluster", "", "   ", "  node1 2   # the fast one", "\tnode2\t3", "#node3 9"));
    }

    /** One host per line with repeats (a PBS node file) gives each host its number of lines. */
    @Test
    void parse_repeatedBareLines_countOneSlotEach() throws Exception {
        assertEquals(List.of(new Host("node1", 3, true, false), new Host("node2", 1, false, false)),
                parse("node1", "node1", "node2", "NODE1"));
    }

    /** A host on several counted lines gets their sum, at the place of its first line. */
    @Test
    void parse_repeatedCountedLines_addUp() throws Exception {
        assertEquals(List.of(new Host("node1", 5, true, false), new Host("node2", 1, true, false)),
                parse("node1 2", "node2 1", "node1 slots=3"));
    }

    /** IPv6 literals, bare or in brackets, with a count, slots= or MPICH's :N; brackets are dropped. */
    @Test
    void parse_ipv6Literals_areHosts() throws Exception {
        assertEquals(List.of(new Host("::1", 2, true, true), new Host("fe80::1", 2, true, false),
                new Host("fe80::2", 3, true, false), new Host("2001:db8::7", 4, true, false),
                new Host("fe80::9%eth0", 1, false, false)),
                parse("::1 2", "[fe80::1] 2", "[fe80::2]:3", "2001:db8::7 slots=4", "fe80::9%eth0"));
    }

    /** A Slurm range in a hostfile gives each of its hosts the line's count. */
    @Test
    void parse_slurmRange_givesEachHostTheCount() throws Exception {
        assertEquals(List.of(new Host("node01", 2, true, false), new Host("node02", 2, true, false),
                new Host("node05", 2, true, false)), parse("node[01-02,05] 2"));
    }

    /** The lines of a hostfile that is not a file parse the same, named by the given source. */
    @Test
    void parse_lines_likeAFile() throws Exception {
        assertEquals(List.of(new Host("node1", 4, true, false)),
                Hostfile.parse("inline", List.of("node1 4"), LOCAL));
        HostfileException e = assertThrows(HostfileException.class,
                () -> Hostfile.parse("inline", List.of("node1 four"), LOCAL));
        assertEquals("inline:1: 'node1 four': the worker count must be a whole number >= 1, as in 'node1 4'",
                e.getMessage());
    }

    /* ---------------- errors ---------------- */

    /** A count that is not a number: file:line, the line, the rule and an example. */
    @Test
    void parse_countNotANumber_namesFileLineRuleAndExample() throws IOException {
        assertEquals(hosts() + ":2: 'node2 x': the worker count must be a whole number >= 1, as in 'node2 4'",
                error("node1 2", "node2 x"));
    }

    /** A count of zero: the rule, and how to give a host no workers. */
    @Test
    void parse_zeroCount_saysToLeaveTheHostOut() throws IOException {
        assertEquals(hosts() + ":1: 'node1 0': the worker count must be a whole number >= 1, as in 'node1 4'; to give"
                + " a host no workers, leave it out", error("node1 0"));
    }

    /** A negative count: the same rule. */
    @Test
    void parse_negativeCount_isRefused() throws IOException {
        assertEquals(hosts() + ":1: 'node1 -2': the worker count must be a whole number >= 1, as in 'node1 4'; to"
                + " give a host no workers, leave it out", error("node1 -2"));
    }

    /** slots= with a bad value on line 7, as in the issue. */
    @Test
    void parse_slotsNotANumber_namesLineSeven() throws IOException {
        assertEquals(hosts() + ":7: 'node1 slots=x': slots must be a whole number >= 1, as in 'node1 slots=4'",
                error("# cluster", "", "node2 2", "node3 2", "node4 2", "", "node1 slots=x"));
    }

    /** slots= without a value. */
    @Test
    void parse_slotsWithoutValue_saysItNeedsOne() throws IOException {
        assertEquals(hosts() + ":1: 'node1 slots=': slots= needs a value: slots must be a whole number >= 1, as in"
                + " 'node1 slots=4'", error("node1 slots="));
    }

    /** MPICH's colon without a count. */
    @Test
    void parse_colonWithoutCount_saysItIsMissing() throws IOException {
        assertEquals(hosts() + ":1: 'node1:': the count after ':' is missing: it is a whole number >= 1, as in"
                + " 'node1:4'", error("node1:"));
    }

    /** An unknown key=value setting lists the forms of a line. */
    @Test
    void parse_unknownSetting_listsTheForms() throws IOException {
        assertEquals(hosts() + ":1: 'node1 cpus=4': unknown setting 'cpus=4': a line is 'host', 'host N', 'host"
                + " slots=N' or 'host:N', as in 'node1 slots=4'", error("node1 cpus=4"));
    }

    /** Words after the count are refused, with a hint about comments. */
    @Test
    void parse_trailingGarbage_isRefused() throws IOException {
        assertEquals(hosts() + ":1: 'node1 4 fast': unexpected 'fast' after the worker count: a line is 'host',"
                + " 'host N', 'host slots=N' or 'host:N', and '#' starts a comment", error("node1 4 fast"));
    }

    /** A count on both sides (node1:2 slots=3) is refused the same way. */
    @Test
    void parse_twoCounts_isRefused() throws IOException {
        assertEquals(hosts() + ":1: 'node1:2 slots=3': unexpected 'slots=3' after the worker count: a line is"
                + " 'host', 'host N', 'host slots=N' or 'host:N', and '#' starts a comment", error("node1:2 slots=3"));
    }

    /** A word that is no host name says what a host may be. */
    @Test
    void parse_badHostName_saysWhatAHostIs() throws IOException {
        assertEquals(hosts() + ":1: 'user@node1 2': 'user@node1' is not a host name or address; " + Host.NAME_RULE,
                error("user@node1 2"));
    }

    /** A bad Slurm range names the part and the rule. */
    @Test
    void parse_badRange_namesIt() throws IOException {
        assertEquals(hosts() + ":1: 'node[1-2 2': 'node[1-2' in 'node[1-2' has a '[' without its ']': a range is"
                + " written in brackets, as in 'node[01-04]'", error("node[1-2 2"));
    }

    /** A count too large for a host. */
    @Test
    void parse_hugeCount_isRefused() throws IOException {
        assertEquals(hosts() + ":1: 'node1 99999999999999999999': the worker count 99999999999999999999 is more than"
                + " a host may have (100000): write the host's cores, as in 'node1 4'",
                error("node1 99999999999999999999"));
    }

    /** An empty file, or one of comments only, is an error that says what to write. */
    @Test
    void parse_emptyOrCommentsOnly_saysNoHostFound() throws IOException {
        String expected = hosts() + ": no host found: the file is empty or holds only comments and blank lines; write"
                + " one host per line, as in 'node1 4'";
        assertEquals(expected, error());
        assertEquals(expected, error("# nothing yet", "", "   # really"));
    }

    /** A file that does not exist. */
    @Test
    void parse_missingFile_saysItCannotBeRead() {
        Path missing = dir.resolve("nope.txt");
        HostfileException e = assertThrows(HostfileException.class, () -> Hostfile.parse(missing, LOCAL));
        assertEquals(missing + ": cannot be read (NoSuchFileException)", e.getMessage());
    }

    /* ---------------- --hosts ---------------- */

    /** --hosts a a b: repeats are counted, order kept; a host named once is bare. */
    @Test
    void fromWords_repeats_areCountedInOrder() throws Exception {
        assertEquals(List.of(new Host("a", 2, true, false), new Host("b", 1, false, false)),
                Hostfile.fromWords(List.of("a", "a", "b"), LOCAL));
    }

    /** --hosts takes Slurm lists, comma lists and IPv6 literals. */
    @Test
    void fromWords_listsAndIpv6_areExpanded() throws Exception {
        assertEquals(List.of("n1", "n2", "x", "::1", "fe80::1"), Hostfile.fromWords(
                List.of("n[1-2],x", "::1", "[fe80::1]"), LOCAL).stream().map(Host::name).toList());
    }

    /** A bad word of --hosts names the option and the word. */
    @Test
    void fromWords_badWord_namesIt() {
        HostfileException e = assertThrows(HostfileException.class,
                () -> Hostfile.fromWords(List.of("a", "b:2"), LOCAL));
        assertEquals("--hosts 'b:2': 'b:2' is not a host name or address; " + Host.NAME_RULE, e.getMessage());
    }
}
