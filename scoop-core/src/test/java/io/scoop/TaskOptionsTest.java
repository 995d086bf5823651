package io.scoop;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.scoop.broker.Broker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-task options through the public API, on real worker JVMs: label, attempts, retries, timeout, dependencies. */
class TaskOptionsTest {
    private static TestCluster cluster;
    private static DistributedExecutor pool;

    @BeforeAll
    static void start() {
        cluster = TestCluster.start(2, List.of("-Dscoop.killAfterMillis=1000"));
        pool = cluster.newExecutor();
        await().atMost(Duration.ofSeconds(30)).until(() -> pool.workerCount() == 2);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
        cluster.close();
    }

    private static TaskOptions options() {
        return TaskOptions.defaults();
    }

    private static Throwable causeOf(Future<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
        return e.getCause();
    }

    /** Asserts the type of a failure and that its message names each fragment. */
    static <T extends Throwable> T assertNamed(Class<T> type, Throwable actual, String... fragments) {
        assertInstanceOf(type, actual, () -> "got " + actual);
        for (String fragment : fragments) {
            assertTrue(String.valueOf(actual.getMessage()).contains(fragment),
                    () -> "the message lacks '" + fragment + "': " + actual.getMessage());
        }
        return type.cast(actual);
    }

    /**
     * Starts a worker for each one that died, once the broker has counted the death: the count the root sees
     * comes with the broker's heartbeat, so right after a loss it may still be the old one.
     */
    private static void replaceLostWorkers() {
        await().atMost(Duration.ofSeconds(30)).until(() -> pool.workerCount() == aliveWorkers());
        long alive = aliveWorkers();
        if (alive < 2) {
            cluster.addWorkers((int) (2 - alive));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> pool.workerCount() == 2);
    }

    private static long aliveWorkers() {
        return cluster.processes().values().stream().filter(Process::isAlive).count();
    }

    @Test
    void runningTask_readsItsLabelAttemptAndId() throws Exception {
        CompletableFuture<String> f = pool.with(options().label("fit-3"))
                .submit(() -> CurrentTask.label() + " attempt " + CurrentTask.attempt() + " id>0 " + (CurrentTask.id() > 0));
        assertEquals("fit-3 attempt 1 id>0 true", f.get(30, TimeUnit.SECONDS));

        assertEquals("null 1", pool.submit(() -> CurrentTask.label() + " " + CurrentTask.attempt()).get(30, TimeUnit.SECONDS));
        assertThrows(IllegalStateException.class, CurrentTask::attempt, "outside a task");
    }

    @Test
    void invokeAllAndSupplyAsync_onAView_takeItsOptions() throws Exception {
        DistributedExecutor labelled = pool.with(options().label("batch"));
        List<Callable<String>> tasks = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            tasks.add(CurrentTask::label);
        }
        for (Future<String> f : labelled.invokeAll(tasks)) {
            assertEquals("batch", f.get());
        }
        assertEquals("batch", CompletableFuture.supplyAsync(CurrentTask::label, labelled).get(30, TimeUnit.SECONDS));
        // The view is the same executor: the options do not leak back into it.
        assertEquals(null, pool.submit(CurrentTask::label).get(30, TimeUnit.SECONDS));
        assertFalse(labelled.isShutdown());
    }

    @Test
    void retryOn_anExceptionListed_triesAgainUntilItSucceeds() throws Exception {
        CompletableFuture<String> f = pool.with(options().retryOn(IOException.class).maxAttempts(3)).submit(() -> {
            if (CurrentTask.attempt() < 3) {
                throw new IOException("flaky on attempt " + CurrentTask.attempt());
            }
            return "ok on attempt " + CurrentTask.attempt();
        });
        assertEquals("ok on attempt 3", f.get(30, TimeUnit.SECONDS));
    }

    @Test
    void retryOn_attemptsSpent_failsWithTheLastException() {
        CompletableFuture<String> f = pool.with(options().retryOn(IOException.class).maxAttempts(2)).submit(() -> {
            throw new IOException("flaky on attempt " + CurrentTask.attempt());
        });
        Throwable cause = causeOf(f);
        assertNamed(IOException.class, cause, "flaky on attempt 2");
    }

    @Test
    void retryOn_anotherException_failsAtOnce() {
        CompletableFuture<String> f = pool.with(options().retryOn(IOException.class).maxAttempts(5)).submit(() -> {
            throw new IllegalArgumentException("bad input on attempt " + CurrentTask.attempt());
        });
        assertNamed(IllegalArgumentException.class, causeOf(f), "bad input on attempt 1");
    }

    @Test
    void notRestartable_workerDiesUnderIt_failsWithoutASecondAttempt(@TempDir Path dir) throws Exception {
        Path runs = dir.resolve("runs");
        Files.createFile(runs);
        String path = runs.toString();
        CompletableFuture<Object> f = pool.with(options().label("once").notRestartable()).submit(() -> {
            Files.writeString(Path.of(path), "run\n", java.nio.file.StandardOpenOption.APPEND);
            Runtime.getRuntime().halt(3);
            return null;
        });
        assertNamed(WorkerLostException.class, causeOf(f), "tried 1 times");
        assertEquals(List.of("run"), Files.readAllLines(runs));
        replaceLostWorkers();
    }

    @Test
    void timeout_taskThatSleeps_isInterruptedAndFailsNamed() throws Exception {
        int exitsBefore = cluster.exits().size();
        long t0 = System.nanoTime();
        CompletableFuture<String> f = pool.with(options().label("slow").timeout(Duration.ofMillis(500))).submit(() -> {
            Thread.sleep(60_000);
            return "never";
        });
        Throwable cause = causeOf(f);
        assertNamed(TaskTimeoutException.class, cause, "timeout of PT0.5S", "'slow'");
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(15), "failed in time");
        // The worker is still there (it was not ended for ignoring the interrupt) and takes tasks.
        assertEquals("next", pool.submit(() -> "next").get(30, TimeUnit.SECONDS));
        assertEquals(List.of(), cluster.exits().subList(exitsBefore, cluster.exits().size()), "no worker ended");
        assertEquals(2, aliveWorkers());
    }

    @Test
    void timeout_taskThatIgnoresTheInterrupt_failsAtTheLimitAndItsWorkerIsEnded() throws Exception {
        CompletableFuture<Long> f = pool.with(options().timeout(Duration.ofMillis(300))).submit(() -> {
            long spins = 0;
            while (true) {
                spins++; // ignores interrupts, as tight numeric loops do
                if (spins == Long.MIN_VALUE) {
                    return spins;
                }
            }
        });
        assertNamed(TaskTimeoutException.class, causeOf(f), "interrupted");
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.exits().stream().anyMatch(x -> x.contains("86")));
        replaceLostWorkers();
        assertEquals(42, pool.submit(() -> 42).get(30, TimeUnit.SECONDS));
    }

    @Test
    void dependsOn_runsOnlyAfterItsDependenciesSucceed() throws Exception {
        CompletableFuture<Long> first = pool.submit(() -> {
            Thread.sleep(500);
            return System.currentTimeMillis();
        });
        CompletableFuture<Long> second = pool.with(options().dependsOn(first)).submit(System::currentTimeMillis);
        long firstEnded = first.get(30, TimeUnit.SECONDS);
        long secondStarted = second.get(30, TimeUnit.SECONDS);
        assertTrue(secondStarted >= firstEnded, "started at " + secondStarted + ", before its dependency ended at " + firstEnded);
    }

    @Test
    void dependsOn_aChainWhoseMiddleFails_failsTheLastNamingTheMiddleWithinASecond() throws Exception {
        CompletableFuture<Integer> a = pool.with(options().label("a")).submit(() -> 1);
        CompletableFuture<Integer> b = pool.with(options().label("b").dependsOn(a)).submit(() -> {
            throw new IllegalStateException("b fails");
        });
        CompletableFuture<Integer> c = pool.with(options().label("c").dependsOn(b)).submit(() -> 3);
        Throwable bCause = causeOf(b);
        long bFailed = System.nanoTime();
        Throwable cCause = causeOf(c);
        long tookNanos = System.nanoTime() - bFailed;
        assertTrue(tookNanos < TimeUnit.SECONDS.toNanos(1), "c failed " + tookNanos / 1_000_000 + " ms after b");
        assertInstanceOf(IllegalStateException.class, bCause);
        assertNamed(DependencyFailedException.class, cCause, "'c'", "dependency task 'b'", "b fails");
        assertInstanceOf(IllegalStateException.class, cCause.getCause());
        assertEquals(1, a.get());
    }

    @Test
    void dependsOn_cancelledDependency_failsTheTaskNamingIt_andCancellingAHeldTaskSendsNothing() throws Exception {
        CompletableFuture<Object> never = new CompletableFuture<>();
        CompletableFuture<String> held = pool.with(options().label("held").dependsOn(never)).submit(() -> "ran");
        CompletableFuture<String> alsoHeld = pool.with(options().dependsOn(never)).submit(() -> "ran");
        assertTrue(alsoHeld.cancel(true));
        never.cancel(false);
        assertNamed(DependencyFailedException.class, causeOf(held), "'held'", "was cancelled");
        assertTrue(alsoHeld.isCancelled());
    }

    @Test
    void priority_higherRunsFirstAmongQueuedTasks(@TempDir Path dir) throws Exception {
        Path gate = dir.resolve("gate");
        Files.createFile(gate);
        String gatePath = gate.toString();
        // Both workers (one thread each) wait for the gate to go, so the tasks below queue at the broker.
        List<CompletableFuture<Long>> blockers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            blockers.add(pool.submit(() -> waitWhileExists(gatePath)));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            Broker.Stats s = cluster.brokerStats();
            return s.tasks() - s.queued() >= 2;
        });
        List<CompletableFuture<Long>> low = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            low.add(pool.submit(() -> startedAfter(100)));
        }
        // A worker whose threads are all busy gives its prefetched tasks back to the broker: wait until every low
        // task waits there, so that the order below is the broker's.
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.brokerStats().queued() >= 6);
        CompletableFuture<Long> high = pool.with(options().priority(10)).submit(() -> startedAfter(100));
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.brokerStats().queued() >= 7);
        Files.delete(gate);
        long highStarted = high.get(30, TimeUnit.SECONDS);
        for (CompletableFuture<Long> b : blockers) {
            b.get(30, TimeUnit.SECONDS);
        }
        long lowStartedAfterHigh = 0;
        for (CompletableFuture<Long> l : low) {
            if (l.get(30, TimeUnit.SECONDS) > highStarted) {
                lowStartedAfterHigh++;
            }
        }
        // The high task goes to the first worker free; at most one low task starts with it on the other.
        assertTrue(lowStartedAfterHigh >= 4, lowStartedAfterHigh + " of 6 low tasks started after the high one");
    }

    private static long waitWhileExists(String path) throws InterruptedException {
        while (Files.exists(Path.of(path))) {
            Thread.sleep(20);
        }
        return System.nanoTime();
    }

    private static long startedAfter(long millis) throws InterruptedException {
        long started = System.nanoTime();
        Thread.sleep(millis);
        return started;
    }

    @Test
    void options_badValues_failAtOnceNamingTheRule() {
        assertNamed(IllegalArgumentException.class, assertThrows(IllegalArgumentException.class,
                () -> options().maxAttempts(0)), "at least 1");
        assertNamed(IllegalArgumentException.class, assertThrows(IllegalArgumentException.class,
                () -> options().timeout(Duration.ZERO)), "positive");
        assertThrows(NullPointerException.class, () -> pool.with(null));
        assertEquals("TaskOptions[label=x, priority=2]", options().label("x").priority(2).toString());
    }

    @Test
    void onEachWorker_runsOnceOnEveryWorker_andOnWorkerOnHostBindTasks() throws Exception {
        List<WorkerInfo> workers = pool.workers();
        assertEquals(2, workers.size(), "workers: " + workers);
        java.util.Map<String, CompletableFuture<Long>> pids = pool.onEachWorker(() -> ProcessHandle.current().pid());
        assertEquals(workers.stream().map(WorkerInfo::name).toList(), List.copyOf(pids.keySet()));
        for (WorkerInfo w : workers) {
            assertEquals(w.pid(), pids.get(w.name()).get(30, TimeUnit.SECONDS), "ran on " + w.name());
        }

        WorkerInfo second = workers.get(1);
        List<CompletableFuture<Long>> pinned = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            pinned.add(pool.with(options().onWorker(second.name())).submit(() -> ProcessHandle.current().pid()));
        }
        for (CompletableFuture<Long> f : pinned) {
            assertEquals(second.pid(), f.get(30, TimeUnit.SECONDS));
        }
        String host = workers.get(0).host();
        long ranOn = pool.with(options().onHost(host)).submit(() -> ProcessHandle.current().pid()).get(30, TimeUnit.SECONDS);
        assertTrue(workers.stream().anyMatch(w -> w.pid() == ranOn && w.host().equals(host)));
    }

    @Test
    void onWorkerOrHost_notInTheRun_failsNamingWhatIs() {
        String known = pool.workers().get(0).name();
        assertNamed(WorkerLostException.class,
                causeOf(pool.with(options().onWorker("no-such-worker")).submit(() -> 1)), "no-such-worker", known);
        assertNamed(WorkerLostException.class,
                causeOf(pool.with(options().onHost("no-such-host.invalid")).submit(() -> 1)), "no-such-host.invalid",
                "hosts:");
    }

    @Test
    void taskTimeout_ofTheExecutor_appliesToEveryTask_andAViewsOwnWins() throws Exception {
        DistributedExecutor strict = DistributedExecutor.builder().connect(cluster.address())
                .taskTimeout(Duration.ofMillis(300)).build();
        try {
            assertNamed(TaskTimeoutException.class, causeOf(strict.submit(() -> {
                Thread.sleep(30_000);
                return 0;
            })), "PT0.3S");
            assertEquals(7, strict.with(options().timeout(Duration.ofSeconds(20))).submit(() -> {
                Thread.sleep(600);
                return 7;
            }).get(30, TimeUnit.SECONDS));
        } finally {
            strict.shutdownNow();
        }
    }

    @Test
    void durations_ofTheTaskTimeoutProperty() {
        assertEquals(Duration.ofSeconds(90), DistributedExecutor.Builder.parseDuration("90"));
        assertEquals(Duration.ofMillis(1500), DistributedExecutor.Builder.parseDuration("1500ms"));
        assertEquals(Duration.ofMinutes(30), DistributedExecutor.Builder.parseDuration("30m"));
        assertEquals(Duration.ofHours(2), DistributedExecutor.Builder.parseDuration("2h"));
        for (String bad : new String[] {"0", "-5", "1.5h", "10d", "", "99999999999999s"}) {
            assertThrows(IllegalArgumentException.class, () -> DistributedExecutor.Builder.parseDuration(bad), bad);
        }
    }
}
