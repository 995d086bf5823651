package io.scoop.internal;

import io.scoop.Progress;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Shows a long run's progress on standard error, from an executor's {@link Progress}: on a terminal a
 * progress bar (me.tongfei:progressbar: done of submitted, rate, ETA, and failed and in flight beside it),
 * elsewhere a line every {@value #DEFAULT_INTERVAL_SECONDS} s ({@code scoop: progress: 120 of 160 done, 2
 * failed, 38 in flight, 12.5/s, ETA 3 s}) and one when the run is through.
 *
 * <p>Off unless asked: the system property {@value #PROPERTY} or the environment variable {@value #ENV} is
 * {@code auto} (a bar on a terminal, lines otherwise; what the launcher sets for the root unless {@code -q}),
 * {@code lines} or {@code bar}. A run is shown once it has had tasks in flight for
 * {@value #SHOW_AFTER_MILLIS} ms: short bursts stay silent. {@value #INTERVAL_PROPERTY} sets the seconds
 * between lines. Without progressbar on the classpath, a terminal gets lines too.
 */
public final class ProgressDisplay {
    /** off, auto, lines or bar. */
    public static final String PROPERTY = "scoop.progress";
    /** As {@link #PROPERTY}, for the launcher to set in the root's environment. */
    public static final String ENV = "SCOOP_PROGRESS";
    /** Seconds between two lines (not on a terminal). */
    public static final String INTERVAL_PROPERTY = "scoop.progress.interval";
    static final long DEFAULT_INTERVAL_SECONDS = 10;
    static final long SHOW_AFTER_MILLIS = 2000;
    private static final long TICK_MILLIS = 250;

    private final Supplier<Progress> source;
    private final BooleanSupplier ended;
    private final boolean bar;
    private final long intervalNanos;
    private final PrintStream err = System.err;

    /** The run being watched: from the first task in flight to the moment none is. */
    private long batchStart;
    private long submittedBefore;
    private long succeededBefore;
    private long failedBefore;
    private boolean inBatch;
    private boolean shown;
    private long lastLine;
    private Object progressBar;

    private ProgressDisplay(Supplier<Progress> source, BooleanSupplier ended, boolean bar, long intervalNanos) {
        this.source = source;
        this.ended = ended;
        this.bar = bar;
        this.intervalNanos = intervalNanos;
    }

    /**
     * Starts a daemon thread that shows {@code source}'s progress until {@code ended}, if {@value #PROPERTY}
     * or {@value #ENV} asks for it.
     */
    public static void startIfAsked(Supplier<Progress> source, BooleanSupplier ended) {
        String mode = System.getProperty(PROPERTY);
        if (mode == null || mode.isBlank()) {
            mode = System.getenv(ENV);
        }
        if (mode == null) {
            return;
        }
        mode = mode.strip().toLowerCase(Locale.ROOT);
        boolean bar;
        switch (mode) {
            case "auto" -> bar = stderrIsTerminal() && barAvailable();
            case "bar" -> bar = barAvailable();
            case "lines" -> bar = false;
            default -> {
                return;
            }
        }
        long interval = DEFAULT_INTERVAL_SECONDS * 1_000_000_000L;
        String value = System.getProperty(INTERVAL_PROPERTY);
        if (value != null && !value.isBlank()) {
            try {
                interval = Math.max(1, Long.parseLong(value.strip())) * 1_000_000_000L;
            } catch (NumberFormatException e) {
                // the default
            }
        }
        ProgressDisplay d = new ProgressDisplay(source, ended, bar, interval);
        Thread t = new Thread(d::loop, "scoop-progress");
        t.setDaemon(true);
        t.start();
    }

    private void loop() {
        try {
            while (!ended.getAsBoolean()) {
                tick(source.get(), System.nanoTime());
                Thread.sleep(TICK_MILLIS);
            }
            tick(source.get(), System.nanoTime());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void tick(Progress p, long now) {
        if (!inBatch) {
            if (p.inFlight() == 0) {
                return;
            }
            inBatch = true;
            shown = false;
            batchStart = now;
            lastLine = now;
            submittedBefore = p.submitted() - p.inFlight();
            succeededBefore = p.succeeded();
            failedBefore = p.failed();
        }
        long total = p.submitted() - submittedBefore;
        long ok = p.succeeded() - succeededBefore;
        long failed = p.failed() - failedBefore;
        long done = ok + failed;
        double seconds = (now - batchStart) / 1e9;
        if (!shown && p.inFlight() > 0 && now - batchStart >= SHOW_AFTER_MILLIS * 1_000_000L) {
            shown = true;
            if (bar) {
                progressBar = Bar.open(err, total, done, java.time.Duration.ofNanos(now - batchStart));
            }
        }
        if (shown) {
            String extra = failed + " failed, " + p.inFlight() + " in flight";
            if (bar) {
                Bar.update(progressBar, done, total, extra);
            } else if (now - lastLine >= intervalNanos && p.inFlight() > 0) {
                lastLine = now;
                double rate = seconds > 0 ? done / seconds : 0;
                String eta = rate > 0 ? ", ETA " + Math.round((total - done) / rate) + " s" : "";
                err.println("scoop: progress: " + done + " of " + total + " done, " + extra + ", "
                        + String.format(Locale.ROOT, "%.1f", rate) + "/s" + eta);
            }
        }
        if (p.inFlight() == 0) {
            if (shown) {
                if (bar) {
                    Bar.close(progressBar, done, total, failed + " failed");
                    progressBar = null;
                } else {
                    err.println("scoop: progress: " + done + " done, " + failed + " failed, in "
                            + Math.round(seconds) + " s");
                }
            }
            inBatch = false;
        }
    }

    /** Whether standard error is a terminal (Linux: what fd 2 points at), else whether there is a console. */
    static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (Exception e) {
            return System.console() != null;
        }
    }

    private static boolean barAvailable() {
        try {
            Class.forName("me.tongfei.progressbar.ProgressBar", false, ProgressDisplay.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** The bar, in its own class so that progressbar is loaded only when it is there. */
    private static final class Bar {
        static Object open(PrintStream err, long total, long done, java.time.Duration elapsed) {
            int width = 100;
            String columns = System.getenv("COLUMNS");
            if (columns != null) {
                try {
                    width = Math.max(40, Integer.parseInt(columns.strip()));
                } catch (NumberFormatException e) {
                    // 100
                }
            }
            return new me.tongfei.progressbar.ProgressBarBuilder().setTaskName("scoop").setInitialMax(total)
                    .startsFrom(done, elapsed)
                    .setStyle(me.tongfei.progressbar.ProgressBarStyle.ASCII).setUpdateIntervalMillis(250)
                    .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(err, width))
                    .showSpeed().setSpeedUnit(java.time.temporal.ChronoUnit.SECONDS).build();
        }

        static void update(Object bar, long done, long total, String extra) {
            me.tongfei.progressbar.ProgressBar pb = (me.tongfei.progressbar.ProgressBar) bar;
            pb.maxHint(total);
            pb.stepTo(done);
            pb.setExtraMessage(" " + extra);
        }

        static void close(Object bar, long done, long total, String extra) {
            update(bar, done, total, extra);
            ((me.tongfei.progressbar.ProgressBar) bar).close();
        }
    }
}
