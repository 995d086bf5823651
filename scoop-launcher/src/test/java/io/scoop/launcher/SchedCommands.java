package io.scoop.launcher;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the real-scheduler tests ({@code @Tag("sched")}) share: running a command to its end with a deadline,
 * finding the scheduler fixture scripts and the built jars, free ports, and the processes a run left behind.
 */
final class SchedCommands {
    /** The fixture scripts: src/test/sched, relative to the module (surefire runs in it). */
    static final Path SCRIPTS = Path.of("src/test/sched").toAbsolutePath();
    /** The repository's root, where hostfiles/ is. */
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    private SchedCommands() {
    }

    /** What a command printed (stdout and stderr together) and its exit code. */
    record Result(int code, String output) {
    }

    /**
     * Runs {@code cmd} with {@code env} added to this JVM's environment and waits for it at most {@code seconds};
     * a command still running then is killed and fails the test with what it printed.
     */
    static Result run(Map<String, String> env, long seconds, String... cmd) throws IOException, InterruptedException {
        Path out = Files.createTempFile("scoop-sched-cmd", ".out");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError(String.join(" ", cmd) + " did not end within " + seconds + " s; it printed:\n"
                        + Files.readString(out, StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** Like {@link #run}, failing the test unless the command exits with 0. */
    static String ok(Map<String, String> env, long seconds, String... cmd) throws IOException, InterruptedException {
        Result r = run(env, seconds, cmd);
        if (r.code() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " exited with " + r.code() + ":\n" + r.output());
        }
        return r.output();
    }

    /**
     * Why these tests cannot run here, or null: they need root and the scheduler's packages (.ci/run installs
     * them).
     */
    static String missing(String... executables) {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "the sched tests start scheduler daemons and need root";
        }
        List<String> absent = new ArrayList<>();
        for (String e : executables) {
            if (!Files.isExecutable(Path.of(e))) {
                absent.add(e);
            }
        }
        return absent.isEmpty() ? null : "missing " + String.join(", ", absent) + ": run .ci/run, or apt-get install"
                + " slurmctld slurmd slurm-client munge gridengine-master gridengine-exec gridengine-client";
    }

    /**
     * The first of {@code count} consecutive TCP ports from a base derived from this JVM's pid that are all
     * free now, so that two test JVMs on one machine (or a cluster someone else runs) do not collide.
     */
    static int freePorts(int count) {
        int base = 20000 + (int) (ProcessHandle.current().pid() * 7 % 20000);
        for (int tries = 0; tries < 200; tries++, base += count + 3) {
            if (base + count > 60000) {
                base = 20000;
            }
            boolean free = true;
            for (int p = base; p < base + count && free; p++) {
                try (ServerSocket s = new ServerSocket(p)) {
                    s.setReuseAddress(true);
                } catch (IOException e) {
                    free = false;
                }
            }
            if (free) {
                return base;
            }
        }
        throw new AssertionError("no " + count + " consecutive free TCP ports found");
    }

    /** The live processes whose command line contains {@code marker}, as "pid command" lines. */
    static List<String> processesWith(String marker) {
        long self = ProcessHandle.current().pid();
        return ProcessHandle.allProcesses()
                .filter(p -> p.pid() != self)
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("?"))
                .toList();
    }

    /** The built jar {@code module/target/module.jar}, copied into {@code dir} (its path marks our processes). */
    static Path jar(String module, Path dir) throws IOException {
        Path built = REPO.resolve(module).resolve("target").resolve(module + ".jar");
        if (!Files.isRegularFile(built)) {
            throw new AssertionError(built + " is not built: run 'mvn -B -DskipTests package' first (.ci/run runs"
                    + " 'mvn -B verify' before the sched tests)");
        }
        Files.createDirectories(dir);
        return Files.copy(built, dir.resolve(module + ".jar"));
    }
}
