package io.scoop.internal;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Locale;
import java.util.ServiceConfigurationError;

/**
 * Scoop's own messages (a worker lost, a peer refused, a worker started in place of another), through the
 * JDK's {@link System.Logger}: no logging dependency, and users route it to their framework with its bridge
 * (SLF4J's {@code slf4j-jdk-platform-logging}, Log4j's {@code log4j-jpl}), which the JDK finds by itself.
 *
 * <p>Without such a bridge (the JDK's own {@link System.LoggerFinder}, which would print each line over two
 * lines with a date, through java.util.logging), a message is one line on standard error, as it always was:
 * {@code scoop broker: worker w2 lost (…)}; the system property {@value #LEVEL_PROPERTY} sets the least level
 * printed there: {@code ERROR}, {@code WARNING}, {@code INFO} (the default), {@code DEBUG} or {@code OFF}. The
 * property {@value #ROUTE_PROPERTY} overrides the choice: {@code system-logger} sends to
 * {@link System#getLogger} even without a bridge (java.util.logging users), {@code stderr} prints even with
 * one.
 *
 * <p>Loggers: {@code io.scoop} (the root and the embedded default), {@code io.scoop.broker},
 * {@code io.scoop.worker}, {@code io.scoop.net} (JeroMQ's threads).
 */
public final class Log {
    /** The least level printed on standard error (when not routed to a logging framework). */
    public static final String LEVEL_PROPERTY = "scoop.log.level";
    /** {@code system-logger} or {@code stderr}: where the messages go, if not chosen by whether a bridge is there. */
    public static final String ROUTE_PROPERTY = "scoop.log";

    /** The logger of the root and the embedded default. */
    public static final String ROOT = "io.scoop";
    /** The broker's logger. */
    public static final String BROKER = "io.scoop.broker";
    /** A worker's logger. */
    public static final String WORKER = "io.scoop.worker";
    /** JeroMQ's threads and sockets. */
    public static final String NET = "io.scoop.net";

    private static final boolean BRIDGED = bridged();

    private Log() {
    }

    /** Something failed: a thread died, out of memory. */
    public static void error(String logger, String line) {
        log(logger, Level.ERROR, line, null);
    }

    /** Something failed, with its stack trace. */
    public static void error(String logger, String line, Throwable t) {
        log(logger, Level.ERROR, line, t);
    }

    /** Trouble the run survives: a worker lost, a peer refused, a task too large. */
    public static void warn(String logger, String line) {
        log(logger, Level.WARNING, line, null);
    }

    /** What the run did by itself: a worker started in place of a lost one. */
    public static void info(String logger, String line) {
        log(logger, Level.INFO, line, null);
    }

    /** What only someone looking into the run wants: why an optional speed-up is not used. */
    public static void debug(String logger, String line) {
        log(logger, Level.DEBUG, line, null);
    }

    /**
     * Logs {@code line} (which keeps its {@code scoop …: } prefix either way: the words users and tests know).
     */
    public static void log(String logger, Level level, String line, Throwable t) {
        if (routed()) {
            System.getLogger(logger).log(level, line, t);
            return;
        }
        if (level.getSeverity() < threshold().getSeverity()) {
            return;
        }
        synchronized (System.err) {
            System.err.println(line);
            if (t != null) {
                t.printStackTrace();
            }
        }
    }

    /** Whether {@code level} messages are written anywhere (with a bridge, as its logger says). */
    public static boolean enabled(String logger, Level level) {
        return routed() ? System.getLogger(logger).isLoggable(level)
                : level.getSeverity() >= threshold().getSeverity();
    }

    /**
     * The JVM option that gives a worker this JVM's {@value #LEVEL_PROPERTY}, or null if it is unset or
     * {@code jvmOptions} set it already.
     */
    public static String levelOption(List<String> jvmOptions) {
        String level = System.getProperty(LEVEL_PROPERTY);
        if (level == null || level.isBlank()
                || jvmOptions.stream().anyMatch(o -> o.startsWith("-D" + LEVEL_PROPERTY + "="))) {
            return null;
        }
        return "-D" + LEVEL_PROPERTY + "=" + level.strip();
    }

    private static boolean routed() {
        String route = System.getProperty(ROUTE_PROPERTY, "");
        if (route.equalsIgnoreCase("system-logger")) {
            return true;
        }
        if (route.equalsIgnoreCase("stderr")) {
            return false;
        }
        return BRIDGED;
    }

    /** The least level printed on standard error: {@value #LEVEL_PROPERTY}, INFO if unset or not a level. */
    static Level threshold() {
        String value = System.getProperty(LEVEL_PROPERTY);
        if (value == null || value.isBlank()) {
            return Level.INFO;
        }
        return switch (value.strip().toUpperCase(Locale.ROOT)) {
            case "OFF", "NONE" -> Level.OFF;
            case "ERROR", "SEVERE" -> Level.ERROR;
            case "WARNING", "WARN" -> Level.WARNING;
            case "DEBUG", "FINE" -> Level.DEBUG;
            case "TRACE", "ALL" -> Level.ALL;
            default -> Level.INFO;
        };
    }

    /**
     * Whether a logging framework's bridge is installed: a {@link System.LoggerFinder} that is not the JDK's
     * own (those live in the JDK's modules, java.base or java.logging).
     */
    private static boolean bridged() {
        try {
            Module m = System.LoggerFinder.getLoggerFinder().getClass().getModule();
            return !(m.isNamed() && (m.getName().startsWith("java.") || m.getName().startsWith("jdk.")));
        } catch (RuntimeException | ServiceConfigurationError e) {
            return false;
        }
    }
}
