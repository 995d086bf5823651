package io.scoop.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link SlurmNodeList}: Slurm's compressed host lists and per-node counts, expanded as scontrol would. */
class SlurmNodeListTest {

    /* ---------------- host lists ---------------- */

    /** Ranges and single numbers in one group; each keeps the zero padding it is written with. */
    @Test
    void expand_rangeAndSingle_keepsPadding() {
        assertEquals(List.of("node01", "node02", "node03", "node04", "node7"), SlurmNodeList.expand("node[01-04,7]"));
    }

    /** A padded range keeps its width across a power of ten; an unpadded one does not pad. */
    @Test
    void expand_widths_followTheLowerBound() {
        assertEquals(List.of("n08", "n09", "n10", "n11"), SlurmNodeList.expand("n[08-11]"));
        assertEquals(List.of("n9", "n10"), SlurmNodeList.expand("n[9-10]"));
        assertEquals(List.of("n008", "n009", "n010"), SlurmNodeList.expand("n[008-010]"));
    }

    /** Commas outside brackets separate entries, bracketed or not. */
    @Test
    void expand_commaList_mixesRangesAndNames() {
        assertEquals(List.of("a1", "a2", "b3"), SlurmNodeList.expand("a[1-2],b3"));
        assertEquals(List.of("login", "gpu1", "gpu2"), SlurmNodeList.expand("login,gpu[1-2]"));
    }

    /** Several bracket groups in one name: the first varies slowest. */
    @Test
    void expand_severalGroups_giveTheProduct() {
        assertEquals(List.of("rack1-node01", "rack1-node02", "rack2-node01", "rack2-node02"),
                SlurmNodeList.expand("rack[1-2]-node[01-02]"));
    }

    /** A name without brackets is itself; text after a group is kept. */
    @Test
    void expand_plainNameAndSuffix() {
        assertEquals(List.of("node1"), SlurmNodeList.expand("node1"));
        assertEquals(List.of("c1.ib", "c2.ib"), SlurmNodeList.expand("c[1-2].ib"));
    }

    /** Malformed lists name the offending part, the rule and an example. */
    @Test
    void expand_malformed_namesPartRuleAndExample() {
        assertEquals("'node[1-2' in 'node[1-2' has a '[' without its ']': a range is written in brackets, as in"
                + " 'node[01-04]'", error("node[1-2"));
        assertEquals("'node]1' in 'node]1' has a ']' without its '[': a range is written in brackets, as in"
                + " 'node[01-04]'", error("node]1"));
        assertEquals("'4-1' in 'node[4-1]' of 'node[4-1]' is a range that goes down: write the lower bound first, as"
                + " in '1-4'", error("node[4-1]"));
        assertEquals("'[a-b]' in 'node[a-b]' of 'node[a-b]' holds 'a-b', which is not a number or a range: write"
                + " numbers and ranges separated by commas, as in 'node[01-04,7]'", error("node[a-b]"));
        assertEquals("'a,,b' has an empty entry: host names are separated by single commas, as in 'a[1-2],b3'",
                error("a,,b"));
        assertEquals("'n[[1-2]]' in 'n[[1-2]]' nests brackets: write each range in its own brackets, as in"
                + " 'rack[1-2]-node[01-02]'", error("n[[1-2]]"));
    }

    /** A list that would expand to more than MAX_HOSTS hosts is an error, not an OutOfMemoryError. */
    @Test
    void expand_huge_isRefused() {
        assertEquals("'n[1-1000000000]' expands to more than 100000 hosts", error("n[1-1000000000]"));
        assertEquals("'a[1-1000]b[1-1000]' expands to more than 100000 hosts", error("a[1-1000]b[1-1000]"));
    }

    private static String error(String list) {
        return assertThrows(IllegalArgumentException.class, () -> SlurmNodeList.expand(list)).getMessage();
    }

    /* ---------------- per-node counts ---------------- */

    /** 2(x3),1 is 2 on three nodes, then 1. */
    @Test
    void expandCounts_repeats_areExpanded() {
        assertEquals(List.of(2, 2, 2, 1), SlurmNodeList.expandCounts("2(x3),1"));
        assertEquals(List.of(4), SlurmNodeList.expandCounts("4"));
        assertEquals(List.of(1, 3, 3), SlurmNodeList.expandCounts("1,3(x2)"));
    }

    /** A malformed entry or a count of 0 names the entry and the rule. */
    @Test
    void expandCounts_malformed_namesTheEntry() {
        assertEquals("'2x3' in '2x3,1' is not a count: each entry is N or N(xK) for K nodes with N each, as in"
                + " '2(x3),1'", assertThrows(IllegalArgumentException.class,
                        () -> SlurmNodeList.expandCounts("2x3,1")).getMessage());
        assertEquals("'2(x0)' in '2(x0)' gives a count of 0: each node of an allocation has at least 1, as in"
                + " '2(x3),1'", assertThrows(IllegalArgumentException.class,
                        () -> SlurmNodeList.expandCounts("2(x0)")).getMessage());
    }
}
