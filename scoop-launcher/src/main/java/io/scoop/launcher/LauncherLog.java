package io.scoop.launcher;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * The launcher's own messages, each a line starting with {@code scoop: }, on standard error and, with
 * {@code --log FILE}, in that file too, each line after its UTC time.
 *
 * <p>Four levels: {@link #error} always shows (trouble: a worker that died, a host given up); {@link #warn}
 * unless {@code -q} (what the run did by itself: a worker started in place of a dead one); {@link #info}
 * with {@code -v} (the plan, each process as it starts and stops, staging); {@link #debug} with {@code -vv}
 * (each worker's command line, each connection). The file gets what standard error gets, and the
 * {@code -v} lines even without {@code -v}: a log is read after the run, when it is too late to ask for more.
 */
final class LauncherLog {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_LOCAL_DATE_TIME.withZone(ZoneOffset.UTC);

    private final PrintWriter err;
    private final int verbosity;
    private final PrintWriter file;

    /**
     * @param err       standard error (or what a test reads)
     * @param verbosity -1 ({@code -q}: errors only), 0 (the default), 1 ({@code -v}) or 2 ({@code -vv})
     * @param file      the {@code --log} file, or null
     */
    LauncherLog(PrintWriter err, int verbosity, PrintWriter file) {
        this.err = err;
        this.verbosity = verbosity;
        this.file = file;
    }

    /** Whether {@code -q} was given: errors only. */
    boolean quiet() {
        return verbosity < 0;
    }

    /** Whether {@code -vv} lines are written anywhere. */
    boolean debug() {
        return verbosity >= 2;
    }

    /** A line that always shows: something went wrong, or the user must know. */
    void error(String message) {
        write(message, true, true);
    }

    /** A line that shows unless {@code -q}: the run went on, but not as planned. Always in the log file. */
    void warn(String message) {
        write(message, verbosity >= 0, true);
    }

    /**
     * A line that shows on standard error unless {@code -q}, and never goes to the log file: the status page's URL, whose
     * token admits whoever reads it.
     */
    void notice(String message) {
        write(message, verbosity >= 0, false);
    }

    /** A {@code -v} line: what the launcher does, step by step. Always in the log file. */
    void info(String message) {
        write(message, verbosity >= 1, true);
    }

    /** A {@code -vv} line: every command line and connection. */
    void debug(String message) {
        write(message, verbosity >= 2, verbosity >= 2);
    }

    /** A line for the log file only (the command line it was started with). */
    void toFile(String message) {
        write(message, false, true);
    }

    /** Text of several lines (the plan) at the {@code -v} level, as it is: no prefix. */
    void infoBlock(String text) {
        synchronized (this) {
            if (verbosity >= 1) {
                err.print(text);
                err.flush();
            }
            if (file != null) {
                String time = stamp();
                text.lines().forEach(l -> file.println(time + " " + l));
                file.flush();
            }
        }
    }

    private synchronized void write(String message, boolean toErr, boolean toFile) {
        if (toErr) {
            err.println("scoop: " + message);
            err.flush();
        }
        if (toFile && file != null) {
            file.println(stamp() + " scoop: " + message);
            file.flush();
        }
    }

    private static String stamp() {
        return TIME.format(Instant.now().truncatedTo(ChronoUnit.MILLIS)) + "Z";
    }

    /** Closes the log file, if any (standard error stays open). */
    synchronized void close() {
        if (file != null) {
            file.close();
        }
    }
}
