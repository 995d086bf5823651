package io.scoop.launcher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What wraps every worker JVM of a run, on every host: variables to set ({@code --env}), a niceness
 * ({@code --nice}) and a shell script to source first ({@code --prolog}).
 *
 * <p>A worker with a prolog runs as {@code sh -c SCRIPT JAVA ARGS...}, where the script sources the prolog
 * (its standard input is {@code /dev/null}: the worker's own stdin carries the run's keys) and then replaces
 * itself with {@code [nice -n N] JAVA ARGS...}, so that the variables the prolog exports reach the JVM, and
 * the JVM keeps the shell's pid and stdin. If the prolog fails (a non-zero status, or {@code exit}), the script
 * prints one line naming the prolog and the host and exits with {@value #PROLOG_FAILED_EXIT}, which the
 * spawners recognize. Without a prolog, a niceness is {@code nice -n N JAVA ...}.
 *
 * @param env    variables for every worker (and the root), in the order given
 * @param nice   the workers' niceness, or null to leave it as the launcher's
 * @param prolog the prolog on this machine, absolute, or null for none
 */
record WorkerSetup(Map<String, String> env, Integer nice, Path prolog) {
    /** The exit code of a worker whose prolog failed: the JVM was never started. */
    static final int PROLOG_FAILED_EXIT = 97;
    /** How the line the script prints when the prolog failed starts: with the exit code, what tells it apart. */
    static final String PROLOG_FAILED_MARK = "scoop: the prolog ";

    /** Whether a worker that exited with {@code code}, its last words {@code said}, never ran for its prolog. */
    static boolean prologFailed(Integer code, String said) {
        return code != null && code == PROLOG_FAILED_EXIT && said != null && said.contains(PROLOG_FAILED_MARK);
    }

    /** No variables, no niceness, no prolog. */
    static final WorkerSetup NONE = new WorkerSetup(Map.of(), null, null);

    WorkerSetup {
        env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
    }

    /** Whether this setup changes nothing about how a worker starts. */
    boolean isEmpty() {
        return env.isEmpty() && nice == null && prolog == null;
    }

    /**
     * The worker's command line with the niceness and prolog applied (not the variables: see {@link #envWords}).
     *
     * @param java       the worker's own command line, {@code JAVA ARGS...}
     * @param prologPath where the prolog is on the worker's host (its staged copy), or null without a prolog
     * @param host       the host's name, for the message of a failed prolog
     */
    List<String> wrap(List<String> java, String prologPath, String host) {
        List<String> cmd = new ArrayList<>();
        if (prolog == null) {
            if (nice != null) {
                cmd.addAll(List.of("nice", "-n", Integer.toString(nice)));
            }
            cmd.addAll(java);
            return cmd;
        }
        String script = "p=" + quote(prolog.toString()) + "; f=" + quote(prologPath) + "; h=" + quote(host)
                + "; trap 's=$?; echo \"" + PROLOG_FAILED_MARK + "$p failed on $h (exit code $s): the worker JVM was not"
                + " started\" >&2; exit " + PROLOG_FAILED_EXIT + "' EXIT; . \"$f\" </dev/null || exit; trap - EXIT;"
                + " exec " + (nice != null ? "nice -n " + nice + " " : "") + "\"$0\" \"$@\"";
        cmd.addAll(List.of("sh", "-c", script));
        cmd.addAll(java);
        return cmd;
    }

    /** {@code env NAME=VALUE ...} to put before a command on a remote host, or nothing without variables. */
    List<String> envWords() {
        if (env.isEmpty()) {
            return List.of();
        }
        List<String> words = new ArrayList<>();
        words.add("env");
        env.forEach((k, v) -> words.add(k + "=" + v));
        return words;
    }

    /** For the plan and messages: {@code prolog FILE, nice 10, env A, B}, or {@code (none)}. */
    String describe() {
        List<String> parts = new ArrayList<>();
        if (prolog != null) {
            parts.add("prolog " + prolog);
        }
        if (nice != null) {
            parts.add("nice " + nice);
        }
        if (!env.isEmpty()) {
            parts.add("env " + String.join(", ", env.keySet()));
        }
        return parts.isEmpty() ? "(none)" : String.join(", ", parts);
    }

    /** {@code s} in single quotes for a POSIX shell. */
    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
