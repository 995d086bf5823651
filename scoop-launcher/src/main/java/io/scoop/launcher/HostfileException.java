package io.scoop.launcher;

/**
 * A list of hosts that cannot be used: a hostfile, a scheduler's node file or a Slurm variable. The message
 * names the place ({@code hosts.txt:7}, or the variable), the offending text, the rule it breaks and an example
 * that follows it:
 *
 * <pre>
 * hosts.txt:7: 'node1 slots=x': slots must be a whole number &gt;= 1, as in 'node1 slots=4'
 * </pre>
 */
final class HostfileException extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param message the whole message, place first */
    HostfileException(String message) {
        super(message);
    }

    /** An error on one line: {@code source:lineNumber: 'line': problem}. */
    static HostfileException atLine(String source, int lineNumber, String line, String problem) {
        return new HostfileException(source + ":" + lineNumber + ": '" + line.strip() + "': " + problem);
    }
}
