package io.scoop.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Reads the hosts of a hostfile ({@code --hostfile}) and of a host list ({@code --hosts}), in every form users
 * write them:
 *
 * <pre>
 * # a comment; blank lines are skipped, and so is the rest of a line after '#'
 * node1 4              SCOOP: a host and its worker count
 * node2 slots=4        MPI (Open MPI)
 * node3:4              MPI (MPICH)
 * node4                a bare host: this machine's available processors if node4 is this machine,
 *                      else 1 (a remote host's cores are unknown until it is contacted)
 * node[05-08] 2        a Slurm-style range: node05 .. node08, 2 each
 * ::1 2                an IPv6 address, bare ...
 * [fe80::1] 2          ... or in brackets, also as [fe80::1]:2
 * </pre>
 *
 * <p>A host on several lines gets the sum of its lines, a bare line counting 1, so a file of one host per
 * line with repeats (a PBS node file) gives each host as many slots as it has lines. The hosts keep the order
 * in which they first appear.
 */
final class Hostfile {
    /*
     * Implementation notes.
     *
     * Each line goes through: strip the comment -> split at whitespace -> the first word is the host part,
     * which may carry an MPICH ":N" count -> the host part becomes names (an IPv6 literal as is, a Slurm range
     * expanded, a name checked) -> the other words give at most one count (N or slots=N) -> one Listed per
     * name. merge() then folds repeated names into one Host each. Every error is a HostfileException naming
     * source:line, the line, the rule and an example built from the line's own host, so the user can copy it.
     *
     * A single colon separates MPICH's count (node1:4); an IPv6 address always has two or more, so the two
     * cannot be confused. A word that starts with '[' is an IPv6 address when its brackets hold a colon, and a
     * Slurm range otherwise.
     */

    /** The forms of a line, for error messages. */
    static final String LINE_FORMS = "a line is 'host', 'host N', 'host slots=N' or 'host:N'";

    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");

    private Hostfile() {
    }

    /** One host as listed on one line, before repeated hosts are merged; {@code slots} is null for a bare host. */
    record Listed(String name, Integer slots) {
    }

    /* ---------------- hostfiles ---------------- */

    /**
     * Reads a hostfile; names that are this machine (see {@link Host#isThisMachine}) are local hosts.
     *
     * @throws HostfileException if the file cannot be read, holds no host, or a line breaks a rule
     */
    static List<Host> parse(Path file) throws HostfileException {
        return parse(file, Host::isThisMachine);
    }

    /**
     * Reads a hostfile.
     *
     * @param isLocal says which host names are this machine
     * @throws HostfileException if the file cannot be read, holds no host, or a line breaks a rule
     */
    static List<Host> parse(Path file, Predicate<String> isLocal) throws HostfileException {
        return parse(file.toString(), readLines(file, file.toString()), isLocal);
    }

    /**
     * Parses the lines of a hostfile; names that are this machine are local hosts.
     *
     * @param source the file's name, as error messages name it
     * @throws HostfileException if there is no host, or a line breaks a rule
     */
    static List<Host> parse(String source, List<String> lines) throws HostfileException {
        return parse(source, lines, Host::isThisMachine);
    }

    /**
     * Parses the lines of a hostfile.
     *
     * @param source  the file's name, as error messages name it
     * @param isLocal says which host names are this machine
     * @throws HostfileException if there is no host, or a line breaks a rule
     */
    static List<Host> parse(String source, List<String> lines, Predicate<String> isLocal) throws HostfileException {
        List<Listed> listed = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            parseLine(source, i + 1, lines.get(i), listed);
        }
        if (listed.isEmpty()) {
            throw new HostfileException(source + ": no host found: the file is empty or holds only comments and blank"
                    + " lines; write one host per line, as in 'node1 4'");
        }
        return merge(source, listed, isLocal);
    }

    /** Reads a file's lines, for hostfiles and schedulers' node files. */
    static List<String> readLines(Path file, String source) throws HostfileException {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new HostfileException(source + ": cannot be read (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null || e.getMessage().equals(file.toString()) ? "" : ": " + e.getMessage())
                    + ")");
        }
    }

    private static void parseLine(String source, int lineNumber, String raw, List<Listed> out)
            throws HostfileException {
        int hash = raw.indexOf('#');
        String line = (hash >= 0 ? raw.substring(0, hash) : raw).strip();
        if (line.isEmpty()) {
            return;
        }
        String[] words = line.split("\\s+");
        String hostPart = words[0];
        Integer slots = null;
        try {
            int colon = mpichColon(hostPart);
            if (colon >= 0) {
                String count = hostPart.substring(colon + 1);
                hostPart = hostPart.substring(0, colon);
                if (count.isEmpty()) {
                    throw new IllegalArgumentException("the count after ':' is missing: it is a whole number >= 1, as"
                            + " in '" + hostPart + ":4'");
                }
                slots = count(count, "the count after ':'", hostPart + ":4");
            }
            for (int i = 1; i < words.length; i++) {
                String w = words[i];
                if (slots != null) {
                    throw new IllegalArgumentException("unexpected '" + w + "' after the worker count: " + LINE_FORMS
                            + ", and '#' starts a comment");
                }
                if (w.startsWith("slots=")) {
                    String value = w.substring("slots=".length());
                    if (value.isEmpty()) {
                        throw new IllegalArgumentException("slots= needs a value: slots must be a whole number >= 1,"
                                + " as in '" + hostPart + " slots=4'");
                    }
                    slots = count(value, "slots", hostPart + " slots=4");
                } else if (w.contains("=")) {
                    throw new IllegalArgumentException("unknown setting '" + w + "': " + LINE_FORMS
                            + ", as in '" + hostPart + " slots=4'");
                } else {
                    slots = count(w, "the worker count", hostPart + " 4");
                }
            }
            for (String name : names(hostPart)) {
                out.add(new Listed(name, slots));
            }
        } catch (IllegalArgumentException e) {
            throw HostfileException.atLine(source, lineNumber, raw, e.getMessage());
        }
    }

    /** The index of an MPICH count's colon in the host word ({@code node1:4}, {@code [fe80::1]:4}), or -1. */
    private static int mpichColon(String word) {
        if (word.startsWith("[")) {
            int close = word.indexOf(']');
            if (close > 0 && word.substring(1, close).contains(":")) {
                return close + 1 < word.length() && word.charAt(close + 1) == ':' ? close + 1 : -1;
            }
            return -1;
        }
        int first = word.indexOf(':');
        return first >= 0 && first == word.lastIndexOf(':') ? first : -1;
    }

    /**
     * A count from the file.
     *
     * @param what    what the count is, e.g. {@code slots}
     * @param example a line that follows the rule, built from the line's own host
     */
    private static int count(String text, String what, String example) {
        if (!INTEGER.matcher(text).matches()) {
            throw new IllegalArgumentException(what + " must be a whole number >= 1, as in '" + example + "'");
        }
        long n;
        try {
            n = Long.parseLong(text);
        } catch (NumberFormatException e) {
            n = Long.MAX_VALUE; // more digits than a long holds
        }
        if (n < 1) {
            throw new IllegalArgumentException(what + " must be a whole number >= 1, as in '" + example
                    + "'; to give a host no workers, leave it out");
        }
        if (n > Host.MAX_SLOTS) {
            throw new IllegalArgumentException(what + " " + text + " is more than a host may have (" + Host.MAX_SLOTS
                    + "): write the host's cores, as in '" + example + "'");
        }
        return (int) n;
    }

    /* ---------------- host lists ---------------- */

    /**
     * The hosts of {@code --hosts}: each word is a host or a Slurm-style list ({@code node[01-04]},
     * {@code a,b}); a host named several times gets that many slots, one named once is bare (see the class
     * description).
     *
     * @param isLocal says which host names are this machine
     * @throws HostfileException if a word is not a host, an IPv6 address or a well-formed list
     */
    static List<Host> fromWords(List<String> words, Predicate<String> isLocal) throws HostfileException {
        List<Listed> listed = new ArrayList<>();
        for (String w : words) {
            try {
                for (String name : names(w)) {
                    listed.add(new Listed(name, null));
                }
            } catch (IllegalArgumentException e) {
                throw new HostfileException("--hosts '" + w + "': " + e.getMessage());
            }
        }
        if (listed.isEmpty()) {
            throw new HostfileException("--hosts: no host given; name at least one, as in '--hosts node1 node2'");
        }
        return merge("--hosts", listed, isLocal);
    }

    /**
     * The host names one word stands for: an IPv6 address ({@code ::1}, {@code [fe80::1]}) as is, without its
     * brackets; a Slurm-style list expanded; a plain name checked.
     *
     * @throws IllegalArgumentException if the word is none of these; the message says what a host may be
     */
    static List<String> names(String word) {
        boolean bracketedIpv6 = word.startsWith("[") && word.endsWith("]") && word.contains(":");
        if (bracketedIpv6 || Host.isIpv6(word)) {
            return List.of(Host.checkName(word));
        }
        List<String> names = word.contains("[") || word.contains(",") ? SlurmNodeList.expand(word) : List.of(word);
        List<String> checked = new ArrayList<>(names.size());
        for (String n : names) {
            checked.add(Host.checkName(n));
        }
        return checked;
    }

    /**
     * Folds repeated hosts into one each, in order of first appearance: a host listed once without a count is
     * {@linkplain Host#bare bare}; otherwise its slots are the sum of its lines, a line without a count
     * counting 1. Names are compared without regard to case, as DNS does.
     *
     * @param source the list's name, for the error message
     * @throws HostfileException if a host's slots add up to more than {@link Host#MAX_SLOTS}
     */
    static List<Host> merge(String source, List<Listed> listed, Predicate<String> isLocal) throws HostfileException {
        Map<String, List<Listed>> byName = new LinkedHashMap<>();
        for (Listed l : listed) {
            byName.computeIfAbsent(l.name().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(l);
        }
        List<Host> hosts = new ArrayList<>(byName.size());
        for (List<Listed> same : byName.values()) {
            String name = same.get(0).name();
            boolean local = isLocal.test(name);
            if (same.size() == 1 && same.get(0).slots() == null) {
                hosts.add(Host.bare(name, local));
                continue;
            }
            long slots = same.stream().mapToLong(l -> l.slots() == null ? 1 : l.slots()).sum();
            if (slots > Host.MAX_SLOTS) {
                throw new HostfileException(source + ": host " + name + " is listed " + same.size() + " times with "
                        + slots + " slots in all, more than a host may have (" + Host.MAX_SLOTS + ")");
            }
            hosts.add(Host.withSlots(name, (int) slots, local));
        }
        return hosts;
    }
}
