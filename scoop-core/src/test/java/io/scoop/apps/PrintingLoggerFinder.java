package io.scoop.apps;

import java.util.ResourceBundle;

/**
 * A logging framework's bridge, as SLF4J's or Log4j's: a {@link System.LoggerFinder} found through
 * {@code META-INF/services}, which prints each message to stdout as {@code routed LOGGER LEVEL MESSAGE}.
 * Only a child JVM of {@code LogTest} gets it (a service file in a folder of its own).
 */
public final class PrintingLoggerFinder extends System.LoggerFinder {
    @Override
    public System.Logger getLogger(String name, Module module) {
        return new System.Logger() {
            @Override
            public String getName() {
                return name;
            }

            @Override
            public boolean isLoggable(Level level) {
                return level.getSeverity() >= Level.INFO.getSeverity();
            }

            @Override
            public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
                System.out.println("routed " + name + " " + level + " " + msg);
            }

            @Override
            public void log(Level level, ResourceBundle bundle, String format, Object... params) {
                System.out.println("routed " + name + " " + level + " " + format);
            }
        };
    }

    /** Logs one warning the way the broker does, for the child JVM. */
    public static void main(String[] args) {
        io.scoop.internal.Log.warn(io.scoop.internal.Log.BROKER, "scoop broker: a test warning");
        io.scoop.internal.Log.info(io.scoop.internal.Log.ROOT, "scoop: a test info line");
    }
}
