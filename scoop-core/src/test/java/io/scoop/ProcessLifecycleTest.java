package io.scoop;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scoop.apps.HangingRootApp;
import io.scoop.apps.ShutdownApp;
import io.scoop.apps.ThrowingRootApp;
import io.scoop.broker.Broker;
import io.scoop.internal.LocalWorkers;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whole root programs in their own JVMs, as users run them: the JVM ends after shutdown(); workers end
 * when their root is killed with {@code kill -9}; a worker that lacks a class says which.
 */
class ProcessLifecycleTest {
    private final ChildProcesses children = new ChildProcesses();

    @AfterEach
    void killLeftovers() {
        children.close();
    }

    private Process fork(Class<?> main, String... args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                main.getName()));
        command.addAll(List.of(args));
        return children.start(new ProcessBuilder(command).redirectErrorStream(true));
    }


    private static long pidFrom(List<String> lines) {
        return lines.stream().filter(l -> l.startsWith("worker-pid=")).map(l -> Long.parseLong(l.substring(11)))
                .findFirst().orElseThrow();
    }

    /** A program that calls shutdown() and returns from main ends its JVM, and its worker ends too. */
    @Test
    void shutdown_programReturnsFromMain_jvmAndWorkersExit() throws Exception {
        Process root = fork(ShutdownApp.class);
        List<String> out = ChildProcesses.lines(root);
        assertTrue(root.waitFor(60, TimeUnit.SECONDS), "the root JVM did not exit after shutdown(): " + out);
        assertEquals(0, root.exitValue(), String.join("\n", out));
        await().atMost(Duration.ofSeconds(5)).until(() -> out.contains("answer=42"));
        long worker = pidFrom(out);
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(worker).isEmpty());
    }

    /**
     * A program whose main throws without shutting its pool down exits with the exception's status, as on a JDK
     * pool: before any task, and when its first submit was refused.
     */
    @ParameterizedTest
    @ValueSource(strings = {"early", "refused"})
    void mainThrowsWithoutShutdown_jvmExitsWithStatusOne(String how) throws Exception {
        Process root = fork(ThrowingRootApp.class, how);
        List<String> out = ChildProcesses.lines(root);
        assertTrue(root.waitFor(60, TimeUnit.SECONDS), "the root JVM did not exit: " + out);
        assertEquals(1, root.exitValue(), String.join("\n", out));
        await().atMost(Duration.ofSeconds(5)).until(() -> out.stream().anyMatch(l -> l.contains(how.equals("early")
                ? "main failed before shutdown()" : "TaskNotSerializableException")));
    }

    /** When the root is killed with kill -9, its embedded workers notice and exit within seconds. */
    @Test
    void rootKilled_embeddedWorkersExit() throws Exception {
        Process root = fork(HangingRootApp.class);
        List<String> out = ChildProcesses.lines(root);
        await().atMost(Duration.ofSeconds(60)).until(() -> out.stream().filter(l -> l.startsWith("worker-pid="))
                .count() == 2);
        List<Long> workers = out.stream().filter(l -> l.startsWith("worker-pid="))
                .map(l -> Long.parseLong(l.substring(11))).collect(Collectors.toList());
        assertTrue(workers.stream().allMatch(w -> ProcessHandle.of(w).isPresent()));
        TestCluster.kill9(root.pid());
        await().atMost(Duration.ofSeconds(10))
                .until(() -> workers.stream().allMatch(w -> ProcessHandle.of(w).isEmpty()));
    }

    /** A task whose class the worker lacks fails with MissingClassException naming the class and worker. */
    @Test
    void get_taskClassMissingOnWorker_failsNamingClassAndWorker() throws Exception {
        String testClasses = Path.of("target", "test-classes").toAbsolutePath().toString();
        String cp = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !Path.of(e).toAbsolutePath().toString().equals(testClasses))
                .collect(Collectors.joining(File.pathSeparator));
        try (Broker broker = Broker.builder().start();
                LocalWorkers workers = new LocalWorkers(new LocalWorkers.Spec(broker.address(), cp,
                        List.of("-XX:TieredStopAtLevel=1"), 1, 1000, 5000, "lean", System.out, System.err),
                        (n, c, w, r) -> { })) {
            workers.start(1);
            DistributedExecutor ex = DistributedExecutor.builder().connect(broker.address()).build();
            try {
                CompletableFuture<String> f = ex.submit(new Tasks.Value<>("x"));
                ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(60, TimeUnit.SECONDS));
                MissingClassException m = assertInstanceOf(MissingClassException.class, e.getCause());
                assertEquals(Tasks.Value.class.getName(), m.missingClass());
                assertTrue(m.getMessage().contains("worker lean1 (pid"), m.getMessage());
            } finally {
                ex.shutdownNow();
            }
        }
    }
}
