package io.scoop;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cancel(true)} of a task that ignores interrupts: its worker JVM ends itself after
 * {@code scoop.killAfterMillis}, and the embedded executor starts a new worker in its place, so the executor
 * keeps its size and the next task runs.
 */
class CancelKillTest {
    private static DistributedExecutor executor;

    @BeforeAll
    static void start() {
        executor = DistributedExecutor.builder().workers(1)
                .jvmOptions("-Xshare:auto", "-XX:TieredStopAtLevel=1", "-Dscoop.killAfterMillis=300").build();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        executor.shutdownNow();
        assertTrue(executor.awaitTermination(20, TimeUnit.SECONDS));
    }

    @Test
    void cancel_taskIgnoringInterrupt_workerKilledAndReplaced(@TempDir Path dir) throws Exception {
        long before = executor.submit(() -> ProcessHandle.current().pid()).get(30, TimeUnit.SECONDS);
        Path started = dir.resolve("started");
        CompletableFuture<Long> spin = executor.submit((Callable<Long>) new DeafSpin(started.toString()));
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(started));

        assertTrue(spin.cancel(true));
        assertThrows(CancellationException.class, spin::join);

        await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.of(before).isEmpty()
                || !ProcessHandle.of(before).get().isAlive());
        long after = executor.submit(() -> ProcessHandle.current().pid()).get(30, TimeUnit.SECONDS);
        assertNotEquals(before, after, "the next task runs on the replacement worker");
        assertFalse(executor.isShutdown());
    }

    /** Marks that it started, then computes forever without ever looking at its interrupt flag. */
    static final class DeafSpin implements Callable<Long> {
        private final String marker;

        DeafSpin(String marker) {
            this.marker = marker;
        }

        @Override
        public Long call() {
            try {
                Files.writeString(Path.of(marker), "running");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            long x = 1;
            while (x != 0) {
                x = x * 6364136223846793005L + 1442695040888963407L;
                x |= 1;
            }
            return x;
        }
    }
}
