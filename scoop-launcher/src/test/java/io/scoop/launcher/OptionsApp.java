package io.scoop.launcher;

import io.scoop.DistributedExecutor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A root program for the run-wide launcher options ({@code OptionsApp MARKER_FILE}); it prints one line per
 * finding:
 * <ul>
 * <li>{@code root saw ...}: its own {@code --env} variable and a class of the second {@code -cp} entry;
 * <li>{@code task saw ...}: what a task sees on its worker: the prolog's exported variable, the {@code --env}
 *     variables, its niceness (from /proc/self/stat) and the same class, with where it was loaded from;
 * <li>{@code halt: ...}: how a task that halts its worker fails, and {@code halt attempts=N}: how many times
 *     it ran (each run appends a line to MARKER_FILE first);
 * <li>{@code sleep: ...}: how a task that sleeps a minute fails.
 * </ul>
 * The extra class ({@value #EXTRA}) is compiled by the test into a directory that only {@code -cp} names, so
 * reflection reaches it.
 */
public final class OptionsApp {
    static final String EXTRA = "scooptest.extra.Extra";

    private OptionsApp() {
    }

    public static void main(String[] args) throws Exception {
        String marker = args[0];
        DistributedExecutor ex = new DistributedExecutor();
        try {
            System.out.println("root saw env=" + System.getenv("SCOOP_TEST_ENV") + " extra=" + extra());
            String seen = ex.submit(() -> "prolog=" + System.getenv("SCOOP_PROLOG_VAR") + " env="
                    + System.getenv("SCOOP_TEST_ENV") + " passed=" + System.getenv("SCOOP_TEST_PASSED") + " nice="
                    + nice() + " extra=" + extra()).get(60, TimeUnit.SECONDS);
            System.out.println("task saw " + seen);
            try {
                ex.submit(() -> {
                    Files.writeString(Path.of(marker), "ran\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    Runtime.getRuntime().halt(137);
                    return 0;
                }).get(60, TimeUnit.SECONDS);
                System.out.println("halt: no failure");
            } catch (ExecutionException e) {
                System.out.println("halt: " + e.getCause().getClass().getSimpleName());
            }
            System.out.println("halt attempts=" + Files.readAllLines(Path.of(marker)).size());
            long t0 = System.nanoTime();
            try {
                ex.submit(() -> {
                    Thread.sleep(60_000);
                    return 0;
                }).get(60, TimeUnit.SECONDS);
                System.out.println("sleep: no failure");
            } catch (ExecutionException e) {
                System.out.println("sleep: " + e.getCause().getClass().getSimpleName() + " after "
                        + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0) + " s");
            }
        } finally {
            ex.shutdown();
        }
    }

    /** The extra class's greeting and where it was loaded from. */
    static String extra() throws ReflectiveOperationException {
        Class<?> c = Class.forName(EXTRA);
        return c.getMethod("greeting").invoke(null) + "@" + c.getProtectionDomain().getCodeSource().getLocation();
    }

    /** This process's niceness: field 19 of /proc/self/stat. */
    static int nice() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(fields[19 - 3]);
    }
}
