package io.scoop.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Forking JVMs, and finding the ones we forked. */
final class Jvm {
    private Jvm() {
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static String classpath() {
        return System.getProperty("java.class.path");
    }

    /** The scoop-bench.jar this class was loaded from, or target/scoop-bench.jar next to the classes dir. */
    static Path benchJar() {
        try {
            Path p = Path.of(Jvm.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isRegularFile(p)) {
                return p.toAbsolutePath();
            }
            Path jar = p.getParent().resolve("scoop-bench.jar");
            return Files.isRegularFile(jar) ? jar.toAbsolutePath() : null;
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    /** Splits a space-separated option string; empty or "default" gives no options. */
    static List<String> options(String s) {
        if (s == null || s.isBlank() || s.trim().equals("default")) {
            return List.of();
        }
        return Arrays.stream(s.trim().split("\\s+")).collect(Collectors.toList());
    }

    /** The pids of this JVM's live child processes. */
    static Set<Long> children() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive).map(ProcessHandle::pid)
                .collect(Collectors.toSet());
    }

    /** Children that appeared since {@code before}, named by the worker name on their command line if any. */
    static Map<Long, String> newChildren(Set<Long> before) {
        Map<Long, String> out = new LinkedHashMap<>();
        int i = 0;
        for (ProcessHandle h : ProcessHandle.current().children().sorted((a, b) -> Long.compare(a.pid(), b.pid()))
                .toList()) {
            if (before.contains(h.pid()) || !h.isAlive()) {
                continue;
            }
            String name = "child" + (++i);
            String[] args = h.info().arguments().orElse(new String[0]);
            for (int k = 0; k + 1 < args.length; k++) {
                if (args[k].equals("--name")) {
                    name = args[k + 1];
                }
            }
            out.put(h.pid(), name);
        }
        return out;
    }

    /** Forks a JVM running {@code mainClass} of the current classpath; its output goes to ours. */
    static Process fork(List<String> jvmOptions, String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(classpath());
        cmd.add(mainClass);
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectOutput(ProcessBuilder.Redirect.INHERIT);
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        return pb.start();
    }

    /** The first line of {@code cmd}'s combined output (for version strings). */
    static String firstLine(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line = r.readLine();
                p.waitFor();
                return line;
            }
        } catch (IOException e) {
            return "?";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }

    /** The 1-minute load average, or NaN. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }
}
