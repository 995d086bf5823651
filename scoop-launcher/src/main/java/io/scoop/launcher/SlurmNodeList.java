package io.scoop.launcher;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Slurm's compressed lists, expanded without {@code scontrol}: host lists such as {@code node[01-04,7]} and
 * task counts such as {@code 2(x3),1}.
 *
 * <pre>
 * node[01-04,7]          node01 node02 node03 node04 node7     (each range keeps its own zero padding)
 * a[1-2],b3              a1 a2 b3                              (commas outside brackets separate entries)
 * rack[1-2]-node[01-02]  rack1-node01 rack1-node02 rack2-node01 rack2-node02
 * 2(x3),1                2 2 2 1
 * </pre>
 */
final class SlurmNodeList {
    /*
     * Implementation notes.
     *
     * A host list is entries separated by commas at bracket depth 0. An entry is literal text and bracket
     * groups; a group is ranges ("01-04") and single numbers ("7") separated by commas. An entry expands to the
     * cartesian product of its groups, the first group varying slowest, as scontrol show hostnames does. A
     * range's numbers are written with the width of its lower bound, zero padded, so "01-10" gives 01 .. 10
     * and "1-10" gives 1 .. 10.
     *
     * The expansion is bounded (MAX_HOSTS) so that a typo like node[1-1000000000] is an error, not an
     * OutOfMemoryError.
     */

    /** The most hosts one list may expand to. */
    static final int MAX_HOSTS = 100_000;

    private static final Pattern RANGE = Pattern.compile("(\\d+)(?:-(\\d+))?");
    private static final Pattern TASK_COUNT = Pattern.compile("(\\d+)(?:\\(x(\\d+)\\))?");

    private SlurmNodeList() {
    }

    /**
     * Expands a Slurm host list.
     *
     * @param list e.g. {@code node[01-04,7]} or {@code a[1-2],b3}
     * @return the host names in Slurm's order, repeats kept
     * @throws IllegalArgumentException if the list is malformed; the message names the offending part, the
     *                                  rule and an example
     */
    static List<String> expand(String list) {
        List<String> hosts = new ArrayList<>();
        for (String entry : splitTopLevel(list)) {
            if (entry.isEmpty()) {
                throw new IllegalArgumentException("'" + list + "' has an empty entry: host names are separated by"
                        + " single commas, as in 'a[1-2],b3'");
            }
            expandEntry(list, entry, hosts);
        }
        return hosts;
    }

    /**
     * Expands Slurm's per-node counts, as in {@code SLURM_TASKS_PER_NODE} or {@code SLURM_JOB_CPUS_PER_NODE}.
     *
     * @param counts e.g. {@code 2(x3),1}: 2 on each of three nodes, then 1
     * @return one count per node
     * @throws IllegalArgumentException if an entry is neither {@code N} nor {@code N(xK)}, or a count is 0
     */
    static List<Integer> expandCounts(String counts) {
        List<Integer> out = new ArrayList<>();
        for (String entry : counts.strip().split(",", -1)) {
            Matcher m = TASK_COUNT.matcher(entry.strip());
            if (!m.matches()) {
                throw new IllegalArgumentException("'" + entry + "' in '" + counts + "' is not a count: each entry is N"
                        + " or N(xK) for K nodes with N each, as in '2(x3),1'");
            }
            int n = parse(m.group(1), counts);
            int times = m.group(2) == null ? 1 : parse(m.group(2), counts);
            if (n < 1 || times < 1) {
                throw new IllegalArgumentException("'" + entry + "' in '" + counts + "' gives a count of 0: each node"
                        + " of an allocation has at least 1, as in '2(x3),1'");
            }
            if (out.size() + (long) times > MAX_HOSTS) {
                throw new IllegalArgumentException("'" + counts + "' counts more than " + MAX_HOSTS + " nodes");
            }
            for (int i = 0; i < times; i++) {
                out.add(n);
            }
        }
        return out;
    }

    /* ---------------- host lists ---------------- */

    /** Splits at commas outside brackets. */
    private static List<String> splitTopLevel(String list) {
        List<String> entries = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < list.length(); i++) {
            char c = list.charAt(i);
            if (c == '[') {
                depth++;
            } else if (c == ']') {
                depth--;
            } else if (c == ',' && depth == 0) {
                entries.add(list.substring(start, i).strip());
                start = i + 1;
            }
        }
        entries.add(list.substring(start).strip());
        return entries;
    }

    /** Expands one entry (no top-level comma) into {@code out}. */
    private static void expandEntry(String list, String entry, List<String> out) {
        List<String> prefixes = List.of("");
        int i = 0;
        while (i < entry.length()) {
            int open = entry.indexOf('[', i);
            int stray = entry.indexOf(']', i);
            if (stray >= 0 && (open < 0 || stray < open)) {
                throw new IllegalArgumentException("'" + entry + "' in '" + list + "' has a ']' without its '[': a"
                        + " range is written in brackets, as in 'node[01-04]'");
            }
            String literal = open < 0 ? entry.substring(i) : entry.substring(i, open);
            prefixes = append(prefixes, List.of(literal), list);
            if (open < 0) {
                break;
            }
            int close = entry.indexOf(']', open);
            if (close < 0) {
                throw new IllegalArgumentException("'" + entry + "' in '" + list + "' has a '[' without its ']': a"
                        + " range is written in brackets, as in 'node[01-04]'");
            }
            String group = entry.substring(open + 1, close);
            if (group.contains("[")) {
                throw new IllegalArgumentException("'" + entry + "' in '" + list + "' nests brackets: write each range"
                        + " in its own brackets, as in 'rack[1-2]-node[01-02]'");
            }
            prefixes = append(prefixes, numbers(list, entry, group), list);
            i = close + 1;
        }
        if (prefixes.size() == 1 && prefixes.get(0).isEmpty()) {
            throw new IllegalArgumentException("'" + list + "' has an empty entry: host names are separated by single"
                    + " commas, as in 'a[1-2],b3'");
        }
        out.addAll(prefixes);
        if (out.size() > MAX_HOSTS) {
            throw new IllegalArgumentException("'" + list + "' expands to more than " + MAX_HOSTS + " hosts");
        }
    }

    /** The numbers of one bracket group, e.g. {@code 01-04,7} gives 01 02 03 04 7. */
    private static List<String> numbers(String list, String entry, String group) {
        List<String> out = new ArrayList<>();
        for (String part : group.split(",", -1)) {
            Matcher m = RANGE.matcher(part.strip());
            if (!m.matches()) {
                throw new IllegalArgumentException("'[" + group + "]' in '" + entry + "' of '" + list + "' holds '"
                        + part + "', which is not a number or a range: write numbers and ranges separated by commas,"
                        + " as in 'node[01-04,7]'");
            }
            String lo = m.group(1);
            String hi = m.group(2) == null ? lo : m.group(2);
            long from = parse(lo, list);
            long to = parse(hi, list);
            if (from > to) {
                throw new IllegalArgumentException("'" + part + "' in '" + entry + "' of '" + list + "' is a range that"
                        + " goes down: write the lower bound first, as in '" + hi + "-" + lo + "'");
            }
            if (out.size() + (to - from + 1) > MAX_HOSTS) {
                throw new IllegalArgumentException("'" + list + "' expands to more than " + MAX_HOSTS + " hosts");
            }
            String format = "%0" + lo.length() + "d";
            for (long k = from; k <= to; k++) {
                out.add(String.format(format, k));
            }
        }
        return out;
    }

    /** Every prefix followed by every suffix, prefixes varying slowest. */
    private static List<String> append(List<String> prefixes, List<String> suffixes, String list) {
        if ((long) prefixes.size() * suffixes.size() > MAX_HOSTS) {
            throw new IllegalArgumentException("'" + list + "' expands to more than " + MAX_HOSTS + " hosts");
        }
        List<String> out = new ArrayList<>(prefixes.size() * suffixes.size());
        for (String p : prefixes) {
            for (String s : suffixes) {
                out.add(p + s);
            }
        }
        return out;
    }

    private static int parse(String digits, String whole) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + digits + "' in '" + whole + "' is too large a number");
        }
    }
}
