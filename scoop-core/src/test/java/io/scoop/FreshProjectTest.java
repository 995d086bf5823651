package io.scoop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12's check, as a new user does it: scoop-core installed into a Maven repository, a fresh project
 * elsewhere that depends on it by the coordinates the README gives, and its program run with
 * {@code mvn exec:java} on the embedded default. Real Maven, real worker JVMs.
 *
 * <p>The repository is a folder of this test: the user's {@code ~/.m2/repository} lends it everything else
 * through symbolic links (so no download is needed for what the build already has; plugins that are missing,
 * such as the exec plugin, are downloaded as for any build), and {@code io/scoop} in it is this build's own,
 * never written to the user's. Tagged slow: three Maven runs take a minute.
 */
@Tag("slow")
class FreshProjectTest {
    @TempDir
    Path dir;

    private final ChildProcesses children = new ChildProcesses();

    @AfterEach
    void killLeftovers() {
        children.close();
    }

    @Test
    void freshProject_dependsByTheReadmesCoordinates_runsWithExecJava() throws Exception {
        Path module = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        Path root = module.getParent();
        Path userRepo = Path.of(System.getProperty("user.home"), ".m2", "repository");
        assumeTrue(onPath("mvn"), "mvn is not on the PATH");
        assumeTrue(Files.isDirectory(userRepo), "no " + userRepo);

        // The README's coordinates, as a user copies them.
        String readme = Files.readString(root.resolve("README.md"));
        Matcher m = Pattern.compile("```xml\\n(<dependency>.*?</dependency>)\\n```", Pattern.DOTALL).matcher(readme);
        assertTrue(m.find(), "the README shows no <dependency> block");
        String dependency = m.group(1);
        assertTrue(dependency.contains("<artifactId>scoop-core</artifactId>"), dependency);

        Path repo = Files.createDirectories(dir.resolve("repository"));
        lend(userRepo, repo);
        Path jar = dir.resolve("scoop-core.jar");
        jar(module.resolve("target/classes"), jar);
        String install = "org.apache.maven.plugins:maven-install-plugin:3.1.3:install-file";
        mvn(dir, List.of("-o", install, "-Dfile=" + root.resolve("pom.xml"), "-DpomFile=" + root.resolve("pom.xml")),
                repo);
        mvn(dir, List.of("-o", install, "-Dfile=" + jar, "-DpomFile=" + module.resolve("pom.xml")), repo);

        Path app = dir.resolve("squares");
        Files.createDirectories(app.resolve("src/main/java/com/example"));
        Files.writeString(app.resolve("pom.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>com.example</groupId>
                  <artifactId>squares</artifactId>
                  <version>1.0</version>
                  <properties>
                    <maven.compiler.release>17</maven.compiler.release>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                  </properties>
                  <dependencies>
                """ + dependency + """
                  </dependencies>
                  <build>
                    <plugins>
                      <plugin>
                        <groupId>org.apache.maven.plugins</groupId>
                        <artifactId>maven-compiler-plugin</artifactId>
                        <version>3.13.0</version>
                      </plugin>
                      <plugin>
                        <groupId>org.codehaus.mojo</groupId>
                        <artifactId>exec-maven-plugin</artifactId>
                        <version>3.5.0</version>
                        <configuration>
                          <mainClass>com.example.Squares</mainClass>
                        </configuration>
                      </plugin>
                    </plugins>
                  </build>
                </project>
                """);
        Files.writeString(app.resolve("src/main/java/com/example/Squares.java"), """
                package com.example;

                import io.scoop.DistributedExecutor;
                import java.util.List;
                import java.util.concurrent.Callable;
                import java.util.concurrent.ExecutorService;
                import java.util.concurrent.Future;

                public class Squares {
                    public static void main(String[] args) throws Exception {
                        ExecutorService pool = new DistributedExecutor();
                        long sum = 0;
                        for (Future<Integer> f : pool.invokeAll(List.<Callable<Integer>>of(() -> 1, () -> 4, () -> 9))) {
                            sum += f.get();
                        }
                        long worker = pool.submit(() -> ProcessHandle.current().pid()).get();
                        System.out.println("sum " + sum + (worker != ProcessHandle.current().pid() ? " on a worker" : ""));
                        pool.shutdown();
                    }
                }
                """);
        String out = mvn(app, List.of("compile", "exec:java"), repo);
        assertTrue(out.contains("sum 14 on a worker"), out);
        assertTrue(!out.contains("Could not find or load main class"), out);
    }

    /** Links every group of {@code from} into {@code to}, but {@code io/scoop}: this build installs its own. */
    private static void lend(Path from, Path to) throws IOException {
        try (Stream<Path> groups = Files.list(from)) {
            for (Path g : groups.toList()) {
                if (g.getFileName().toString().equals("io")) {
                    Path io = Files.createDirectories(to.resolve("io"));
                    try (Stream<Path> sub = Files.list(g)) {
                        for (Path s : sub.toList()) {
                            if (!s.getFileName().toString().equals("scoop")) {
                                Files.createSymbolicLink(io.resolve(s.getFileName().toString()), s);
                            }
                        }
                    }
                } else {
                    Files.createSymbolicLink(to.resolve(g.getFileName().toString()), g);
                }
            }
        }
    }

    private static void jar(Path classes, Path jar) throws IOException {
        try (OutputStream os = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(os);
                Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
    }

    private String mvn(Path in, List<String> goals, Path repo) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("mvn", "-B", "-q", "-Dmaven.repo.local=" + repo));
        cmd.addAll(goals);
        Path log = Files.createTempFile(dir, "mvn", ".log");
        Process p = children.start(new ProcessBuilder(cmd).directory(in.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()));
        boolean ended = p.waitFor(240, TimeUnit.SECONDS);
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(ended, "mvn " + goals + " did not end in 240 s: " + out);
        assertEquals(0, p.exitValue(), "mvn " + goals + " in " + in + ":\n" + out);
        return out;
    }

    private static boolean onPath(String command) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, command))) {
                return true;
            }
        }
        return false;
    }
}
