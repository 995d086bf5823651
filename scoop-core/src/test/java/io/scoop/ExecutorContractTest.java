package io.scoop;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@link ExecutorService} contract, run against the JDK's {@code newFixedThreadPool(2)} as the reference
 * and against a {@link DistributedExecutor} on a two-worker {@link TestCluster}: whatever the JDK does here,
 * Scoop must do too. Tasks are named classes ({@link Tasks}) and observe nothing but their own inputs.
 */
class ExecutorContractTest {
    private static TestCluster cluster;
    private ExecutorService executor;

    @TempDir
    Path dir;

    /** One side of the comparison. */
    interface Subject {
        ExecutorService create();

        /** Waits until {@code n} tasks wait in the queue (a no-op where that cannot be observed). */
        void awaitQueued(int n);
    }

    static Stream<Subject> subjects() {
        return Stream.of(new Subject() {
            @Override
            public ExecutorService create() {
                return Executors.newFixedThreadPool(2);
            }

            @Override
            public void awaitQueued(int n) {
            }

            @Override
            public String toString() {
                return "newFixedThreadPool(2)";
            }
        }, new Subject() {
            @Override
            public ExecutorService create() {
                return cluster().newExecutor();
            }

            @Override
            public void awaitQueued(int n) {
                await().atMost(Duration.ofSeconds(20)).until(() -> cluster.brokerStats().queued() == n);
            }

            @Override
            public String toString() {
                return "DistributedExecutor";
            }
        });
    }

    private static synchronized TestCluster cluster() {
        if (cluster == null) {
            cluster = TestCluster.start(2);
        }
        return cluster;
    }

    @AfterEach
    void stopExecutor() throws InterruptedException {
        if (executor != null) {
            executor.shutdownNow();
            assertTrue(executor.awaitTermination(20, TimeUnit.SECONDS), "executor did not terminate: " + executor);
        }
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }

    private ExecutorService start(Subject s) {
        executor = s.create();
        return executor;
    }

    /* ---------------- submit and execute ---------------- */

    /** submit(Callable) returns a future whose get() is the task's value. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("subjects")
    void submitCallable_returnsTheTasksValue(Subject s) throws Exception {
        assertEquals("hello", start(s).submit(new Tasks.Value<>("hello")).get(30, TimeUnit.SECONDS));
    }

    /** submit(Runnable) completes with null. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("subjects")
    void submitRunnable_completesWithNull(Subject s) throws Exception {
        Path f = dir.resolve("ran");
        assertNull(start(s).submit((Runnable) new Tasks.Mark(f, 0)).get(30, TimeUnit.SECONDS));
        assertTrue(Files.exists(f));
    }

    /** submit(Runnable, result) completes with that very result object. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("subjects")
    void submitRunnableWithResult_returnsTheSameResultObject(Subject s) throws Exception {
        List<String> result = new ArrayList<>();
        assertSame(result, start(s).submit((Runnable) new Tasks.Mark(dir.resolve("r"), 0), result)
                .get(30, TimeUnit.SECONDS));
    }

    /** execute(Runnable) runs the task. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("subjects")
    void execute_runsTheTask(Subject s) {
        Path f = dir.resolve("executed");
        start(s).execute(new Tasks.Mark(f, 0));
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(f));
    }

    /** get() returns the same object every time, so in-place changes between reads are kept. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("subjects")
    void get_returnsTheSameObjectEveryTime(Subject s) throws Exception {
        Future<List<Long>> f = start(s).submit(new Tasks.PidList());
        List<Long> first = f.get(30, TimeUnit.SECONDS);
        first.add(-1L);
        assertSame(first, f.get());
        assertEquals(2, f.get().size());
    }

    /** A task's exception reaches get() as the cause of an ExecutionException, with its type and message. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("subjects")
    void get_failedTask_throwsExecutionExceptionWithTheOriginalCause(Subject s) {
        Future<Object> f = start(s).submit(new Tasks.Fail("boom 42"));
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertEquals("boom 42", e.getCause().getMessage());
    }

    /** Every submit variant, execute, invokeAll and invokeAny throw NullPointerException for nulls. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("subjects")
    void nullArguments_throwNullPointerException(Subject s) {
        ExecutorService ex = start(s);
        assertThrows(NullPointerException.class, () -> ex.submit((Callable<Object>) null));
        assertThrows(NullPointerException.class, () -> ex.submit((Runnable) null));
        assertThrows(NullPointerException.class, () -> ex.submit((Runnable) null, "x"));
        assertThrows(NullPointerException.class, () -> ex.execute(null));
        assertThrows(NullPointerException.class, () -> ex.invokeAll(null));
        assertThrows(NullPointerException.class, () -> ex.invokeAll(Collections.singletonList(null)));
        assertThrows(NullPointerException.class, () -> ex.invokeAny(null));
        assertThrows(NullPointerException.class, () -> ex.invokeAny(Collections.singletonList(null)));
    }

    /* ---------------- invokeAll, invokeAny, completion service ---------------- */

    /** invokeAll returns done futures, in the order of the tasks. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("subjects")
    void invokeAll_returnsDoneFuturesInTaskOrder(Subject s) throws Exception {
        List<Callable<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            tasks.add(new Tasks.Sleep(i % 5, i));
        }
        List<Future<Integer>> futures = start(s).invokeAll(tasks);
        assertEquals(50, futures.size());
        for (int i = 0; i < 50; i++) {
            assertTrue(futures.get(i).isDone());
            assertEquals(i, futures.get(i).get());
        }
    }

    /** invokeAll with a timeout cancels the tasks not done when it expires. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("subjects")
    void invokeAllWithTimeout_cancelsTasksNotDone(Subject s) throws Exception {
        List<Callable<Integer>> tasks = List.of(new Tasks.Sleep(0, 1), new Tasks.Sleep(60_000, 2));
        List<Future<Integer>> futures = start(s).invokeAll(tasks, 3, TimeUnit.SECONDS);
        assertEquals(1, futures.get(0).get());
        assertTrue(futures.get(1).isCancelled());
    }

    /** invokeAny returns the value of one task that succeeded. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("subjects")
    void invokeAny_returnsTheValueOfASuccessfulTask(Subject s) throws Exception {
        List<Callable<Object>> tasks = List.of(new Tasks.Fail("no"), new Tasks.Value<>("yes"), new Tasks.Fail("no"));
        assertEquals("yes", start(s).invokeAny(tasks));
    }

    /** invokeAny throws ExecutionException when every task fails. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("subjects")
    void invokeAny_allTasksFail_throwsExecutionException(Subject s) {
        List<Callable<Object>> tasks = List.of(new Tasks.Fail("a"), new Tasks.Fail("b"));
        ExecutionException e = assertThrows(ExecutionException.class, () -> start(s).invokeAny(tasks));
        assertInstanceOf(IllegalStateException.class, e.getCause());
    }

    /** invokeAny with a timeout throws TimeoutException when no task finishes in time. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("subjects")
    void invokeAnyWithTimeout_noTaskFinishes_throwsTimeoutException(Subject s) {
        List<Callable<Integer>> tasks = List.of(new Tasks.Sleep(60_000, 1));
        assertThrows(TimeoutException.class, () -> start(s).invokeAny(tasks, 500, TimeUnit.MILLISECONDS));
    }

    /** invokeAny of an empty collection throws IllegalArgumentException. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("subjects")
    void invokeAny_emptyCollection_throwsIllegalArgumentException(Subject s) {
        assertThrows(IllegalArgumentException.class, () -> start(s).invokeAny(List.<Callable<Object>>of()));
    }

    /** ExecutorCompletionService over the executor yields every future, the quick ones first. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("subjects")
    void completionService_yieldsEveryFutureInCompletionOrder(Subject s) throws Exception {
        CompletionService<Integer> cs = new ExecutorCompletionService<>(start(s));
        cs.submit(new Tasks.Sleep(1500, 1));
        cs.submit(new Tasks.Sleep(0, 2));
        cs.submit(new Tasks.Sleep(0, 3));
        Set<Integer> firstTwo = new HashSet<>();
        firstTwo.add(cs.take().get());
        firstTwo.add(cs.take().get());
        assertEquals(Set.of(2, 3), firstTwo);
        assertEquals(1, cs.poll(30, TimeUnit.SECONDS).get());
        assertNull(cs.poll());
    }

    /* ---------------- cancel ---------------- */

    /** cancel(true) on a running task interrupts it; the future reports cancelled. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("subjects")
    void cancel_runningTask_interruptsIt(Subject s) {
        Path f = dir.resolve("running");
        Future<String> future = start(s).submit((Callable<String>) new Tasks.Mark(f, 60_000));
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(f));
        assertTrue(future.cancel(true));
        assertTrue(future.isCancelled());
        assertThrows(CancellationException.class, future::get);
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(Path.of(f + ".interrupted")));
    }

    /** A task cancelled while queued never runs. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("subjects")
    void cancel_queuedTask_neverRuns(Subject s) throws Exception {
        ExecutorService ex = start(s);
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        Path queued = dir.resolve("queued");
        Future<String> fa = ex.submit((Callable<String>) new Tasks.Mark(a, 2000));
        Future<String> fb = ex.submit((Callable<String>) new Tasks.Mark(b, 2000));
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(a) && Files.exists(b));
        Future<String> fq = ex.submit((Callable<String>) new Tasks.Mark(queued, 0));
        assertTrue(fq.cancel(false));
        fa.get(30, TimeUnit.SECONDS);
        fb.get(30, TimeUnit.SECONDS);
        Future<Integer> after = ex.submit(new Tasks.Sleep(0, 7));
        assertEquals(7, after.get(30, TimeUnit.SECONDS));
        assertFalse(Files.exists(queued), "a cancelled queued task ran");
    }

    /* ---------------- lifecycle ---------------- */

    /** After shutdown(), new tasks are rejected with RejectedExecutionException. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("subjects")
    void shutdown_rejectsNewTasks(Subject s) {
        ExecutorService ex = start(s);
        ex.shutdown();
        assertTrue(ex.isShutdown());
        assertThrows(RejectedExecutionException.class, () -> ex.submit(new Tasks.Value<>(1)));
        assertThrows(RejectedExecutionException.class, () -> ex.execute(new Tasks.Mark(dir.resolve("x"), 0)));
    }

    /** shutdown() lets accepted tasks finish; then the executor terminates. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("subjects")
    void shutdown_letsAcceptedTasksFinishThenTerminates(Subject s) throws Exception {
        ExecutorService ex = start(s);
        List<Future<Integer>> futures = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            futures.add(ex.submit(new Tasks.Sleep(200, i)));
        }
        ex.shutdown();
        assertFalse(ex.isTerminated());
        assertTrue(ex.awaitTermination(30, TimeUnit.SECONDS));
        assertTrue(ex.isTerminated());
        for (int i = 0; i < 6; i++) {
            assertEquals(i, futures.get(i).get());
        }
    }

    /** awaitTermination returns false when the timeout passes before the tasks end. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("subjects")
    void awaitTermination_tasksStillRunning_returnsFalse(Subject s) throws Exception {
        ExecutorService ex = start(s);
        ex.submit(new Tasks.Sleep(60_000, 1));
        ex.shutdown();
        assertFalse(ex.awaitTermination(300, TimeUnit.MILLISECONDS));
        assertFalse(ex.isTerminated());
    }

    /** shutdownNow() returns the tasks that never started, never runs them, and interrupts running ones. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("subjects")
    void shutdownNow_returnsTasksThatNeverStartedAndInterruptsRunningOnes(Subject s) throws Exception {
        ExecutorService ex = start(s);
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        ex.submit((Callable<String>) new Tasks.Mark(a, 60_000));
        ex.submit((Callable<String>) new Tasks.Mark(b, 60_000));
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(a) && Files.exists(b));
        List<Path> queued = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            queued.add(dir.resolve("q" + i));
            ex.submit((Callable<String>) new Tasks.Mark(queued.get(i), 0));
        }
        s.awaitQueued(5);
        List<Runnable> neverStarted = ex.shutdownNow();
        assertEquals(5, neverStarted.size());
        assertTrue(ex.awaitTermination(30, TimeUnit.SECONDS));
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(Path.of(a + ".interrupted"))
                && Files.exists(Path.of(b + ".interrupted")));
        for (Path q : queued) {
            assertFalse(Files.exists(q), q + " ran after shutdownNow returned it");
        }
        neverStarted.get(0).run();
        assertEquals(1, queued.stream().filter(Files::exists).count(), "a returned task can be run by the caller");
    }

    /** Tasks run in the executor's threads or JVMs, not in the caller's thread. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("subjects")
    void submit_runsTasksElsewhere(Subject s) throws Exception {
        long pid = start(s).submit(new Tasks.Pid()).get(30, TimeUnit.SECONDS);
        if (s.toString().equals("DistributedExecutor")) {
            assertNotEquals(ProcessHandle.current().pid(), pid);
        } else {
            assertEquals(ProcessHandle.current().pid(), pid);
        }
    }
}
