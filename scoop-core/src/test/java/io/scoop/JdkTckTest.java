package io.scoop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.PrivilegedAction;
import java.security.PrivilegedExceptionAction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The scenarios of the JSR-166 TCK's {@code AbstractExecutorServiceTest}, {@code ExecutorCompletionServiceTest},
 * {@code ExecutorsTest}, {@code FutureTaskTest} and the executor-taking part of {@code CompletableFutureTest},
 * written again for an executor whose tasks run in other JVMs, and run against {@code newFixedThreadPool(2)}
 * and Scoop alike. Tasks here are plain lambdas that observe only their inputs: the TCK's tasks share latches
 * and flags with the test thread, which cannot cross a JVM boundary, so those checks are restated with values.
 * What was left out, and why, is listed in this module's README.
 */
class JdkTckTest {
    private static final String TEST_STRING = "a test string";
    private static TestCluster cluster;
    private static ExecutorService scoop;
    private static ExecutorService jdk;

    @BeforeAll
    static void start() {
        cluster = TestCluster.start(2);
        scoop = cluster.newExecutor();
        jdk = Executors.newFixedThreadPool(2);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        for (ExecutorService e : List.of(scoop, jdk)) {
            e.shutdownNow();
            assertTrue(e.awaitTermination(20, TimeUnit.SECONDS));
        }
        cluster.close();
    }

    static Stream<String> pools() {
        return Stream.of("newFixedThreadPool(2)", "DistributedExecutor");
    }

    private static ExecutorService pool(String name) {
        return name.startsWith("Distributed") ? scoop : jdk;
    }

    private static <T> T get(Future<T> f) throws Exception {
        return f.get(60, TimeUnit.SECONDS);
    }

    private static Throwable causeOf(Future<?> f) {
        return assertThrows(ExecutionException.class, () -> get(f)).getCause();
    }

    /* ---------------- AbstractExecutorServiceTest ---------------- */

    @ParameterizedTest(name = "{0}")
    @MethodSource("pools")
    void submitPrivilegedActions_runToCompletion(String p) throws Exception {
        ExecutorService e = pool(p);
        PrivilegedAction<Object> action = () -> TEST_STRING;
        PrivilegedExceptionAction<Object> exceptionAction = () -> TEST_STRING;
        PrivilegedExceptionAction<Object> failing = () -> {
            throw new IndexOutOfBoundsException();
        };
        assertEquals(TEST_STRING, get(e.submit(Executors.callable(action))));
        assertEquals(TEST_STRING, get(e.submit(Executors.callable(exceptionAction))));
        assertInstanceOf(IndexOutOfBoundsException.class, causeOf(e.submit(Executors.callable(failing))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pools")
    void nullTaskSubmission_throwsNullPointerException(String p) {
        ExecutorService e = pool(p);
        assertThrows(NullPointerException.class, () -> e.execute(null));
        assertThrows(NullPointerException.class, () -> e.submit((Runnable) null));
        assertThrows(NullPointerException.class, () -> e.submit((Callable<?>) null));
        assertThrows(NullPointerException.class, () -> e.submit((Runnable) null, TEST_STRING));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pools")
    void invokeAnyAndAll_nullsAndEmpties(String p) throws Exception {
        ExecutorService e = pool(p);
        Callable<String> failing = () -> {
            throw new ArithmeticException();
        };
        List<Callable<String>> withNull = new ArrayList<>(Arrays.asList(failing, null));
        assertThrows(NullPointerException.class, () -> e.invokeAny(null));
        assertThrows(NullPointerException.class, () -> e.invokeAny(withNull));
        assertThrows(IllegalArgumentException.class, () -> e.invokeAny(List.of()));
        assertThrows(NullPointerException.class, () -> e.invokeAll(null));
        assertTrue(e.invokeAll(List.<Callable<String>>of()).isEmpty());
        assertThrows(NullPointerException.class, () -> e.invokeAll(withNull));
        assertThrows(NullPointerException.class, () -> e.invokeAny(null, 1, TimeUnit.SECONDS));
        assertThrows(NullPointerException.class, () -> e.invokeAny(withNull, 1, TimeUnit.SECONDS));
        assertThrows(NullPointerException.class, () -> e.invokeAny(List.of(() -> TEST_STRING), 1, null));
        assertThrows(IllegalArgumentException.class, () -> e.invokeAny(List.of(), 1, TimeUnit.SECONDS));
        assertThrows(NullPointerException.class, () -> e.invokeAll(null, 1, TimeUnit.SECONDS));
        assertThrows(NullPointerException.class, () -> e.invokeAll(withNull, 1, TimeUnit.SECONDS));
        assertThrows(NullPointerException.class, () -> e.invokeAll(List.of(() -> TEST_STRING), 1, null));
        assertTrue(e.invokeAll(List.<Callable<String>>of(), 1, TimeUnit.SECONDS).isEmpty());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pools")
    void invokeAnyAndAll_resultsAndFailures(String p) throws Exception {
        ExecutorService e = pool(p);
        Callable<String> npe = () -> {
            throw new NullPointerException();
        };
        assertInstanceOf(NullPointerException.class,
                assertThrows(ExecutionException.class, () -> e.invokeAny(List.of(npe))).getCause());
        assertEquals(TEST_STRING, e.invokeAny(List.of(() -> TEST_STRING, () -> TEST_STRING)));
        assertEquals(TEST_STRING, e.invokeAny(List.of(() -> TEST_STRING), 60, TimeUnit.SECONDS));
        List<Future<String>> all = e.invokeAll(List.of(npe, () -> TEST_STRING));
        assertInstanceOf(NullPointerException.class, causeOf(all.get(0)));
        assertEquals(TEST_STRING, get(all.get(1)));
        List<Future<String>> timed = e.invokeAll(List.of(() -> TEST_STRING, () -> TEST_STRING), 60, TimeUnit.SECONDS);
        for (Future<String> f : timed) {
            assertTrue(f.isDone());
            assertEquals(TEST_STRING, get(f));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pools")
    void timedInvokeAll_taskNotDoneInTime_isCancelled(String p) throws Exception {
        ExecutorService e = pool(p);
        List<Future<String>> f = e.invokeAll(List.of(() -> TEST_STRING, () -> {
            Thread.sleep(20_000);
            return "late";
        }), 2, TimeUnit.SECONDS);
        assertEquals(TEST_STRING, get(f.get(0)));
        assertTrue(f.get(1).isCancelled());
        assertThrows(CancellationException.class, () -> f.get(1).get());
    }

    /* ---------------- ExecutorsTest: the adapters ---------------- */

    @ParameterizedTest(name = "{0}")
    @MethodSource("pools")
    void executorsCallable_ofRunnable_returnsNullOrTheResult(String p) throws Exception {
        ExecutorService e = pool(p);
        Runnable noOp = () -> { };
        assertNull(get(e.submit(Executors.callable(noOp))));
        assertEquals(TEST_STRING, get(e.submit(Executors.callable(noOp, TEST_STRING))));
    }

    /* ---------------- FutureTaskTest: the futures it returns ---------------- */

    @ParameterizedTest(name = "{0}")
    @MethodSource("pools")
    void future_cancelAfterCompletion_returnsFalse_andStaysDone(String p) throws Exception {
        Future<String> f = pool(p).submit(() -> TEST_STRING);
        assertEquals(TEST_STRING, get(f));
        assertFalse(f.cancel(false));
        assertFalse(f.cancel(true));
        assertTrue(f.isDone());
        assertFalse(f.isCancelled());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pools")
    void future_cancelTwice_secondReturnsFalse(String p) {
        Future<String> f = pool(p).submit(() -> {
            Thread.sleep(20_000);
            return "late";
        });
        assertTrue(f.cancel(true));
        assertFalse(f.cancel(true));
        assertTrue(f.isCancelled());
        assertTrue(f.isDone());
        assertThrows(CancellationException.class, () -> f.get());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pools")
    void future_timedGet_throwsTimeoutException(String p) {
        Future<String> f = pool(p).submit(() -> {
            Thread.sleep(2_000);
            return "late";
        });
        assertThrows(TimeoutException.class, () -> f.get(1, TimeUnit.MILLISECONDS));
        f.cancel(true);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pools")
    void future_getInterrupted_throwsInterruptedException(String p) {
        Future<String> f = pool(p).submit(() -> {
            Thread.sleep(20_000);
            return "late";
        });
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, () -> f.get());
        assertFalse(Thread.interrupted());
        f.cancel(true);
    }

    /* ---------------- ExecutorCompletionServiceTest ---------------- */

    @ParameterizedTest(name = "{0}")
    @MethodSource("pools")
    void completionService_takePollAndRunnables(String p) throws Exception {
        ExecutorCompletionService<String> ecs = new ExecutorCompletionService<>(pool(p));
        assertNull(ecs.poll());
        assertThrows(NullPointerException.class, () -> ecs.submit(null));
        assertThrows(NullPointerException.class, () -> ecs.submit(null, TEST_STRING));
        ecs.submit(() -> TEST_STRING);
        assertEquals(TEST_STRING, get(ecs.take()));
        ecs.submit(() -> { }, TEST_STRING);
        Future<String> polled = ecs.poll(60, TimeUnit.SECONDS);
        assertEquals(TEST_STRING, get(polled));
        assertNull(ecs.poll(10, TimeUnit.MILLISECONDS));
        ecs.submit(() -> {
            throw new ArithmeticException();
        });
        assertInstanceOf(ArithmeticException.class, causeOf(ecs.take()));
    }

    /* ---------------- CompletableFutureTest: the async methods that take an executor ---------------- */

    @ParameterizedTest(name = "{0}")
    @MethodSource("pools")
    void completableFuture_asyncStages_computeAsOnAThreadPool(String p) throws Exception {
        ExecutorService e = pool(p);
        CompletableFuture<Integer> one = CompletableFuture.supplyAsync(() -> 1, e);
        CompletableFuture<Integer> two = CompletableFuture.supplyAsync(() -> 2, e);
        assertEquals(1, get(one));
        assertNull(get(CompletableFuture.runAsync(() -> { }, e)));
        assertEquals(2, (int) get(one.<Integer>thenApplyAsync(x -> x + 1, e)));
        assertNull(get(one.thenAcceptAsync(x -> { }, e)));
        assertNull(get(one.thenRunAsync(() -> { }, e)));
        assertEquals(3, get(one.thenCombineAsync(two, Integer::sum, e)));
        assertNull(get(one.thenAcceptBothAsync(two, (x, y) -> { }, e)));
        assertNull(get(one.runAfterBothAsync(two, () -> { }, e)));
        int either = get(one.applyToEitherAsync(two, x -> x * 10, e));
        assertTrue(either == 10 || either == 20, "either: " + either);
        assertNull(get(one.acceptEitherAsync(two, x -> { }, e)));
        assertNull(get(one.runAfterEitherAsync(two, () -> { }, e)));
        assertEquals(11, (int) get(one.<Integer>thenComposeAsync(x -> CompletableFuture.completedFuture(x + 10), e)));
        assertEquals("1/null", get(one.handleAsync((x, t) -> x + "/" + t, e)));
        assertEquals(1, get(one.whenCompleteAsync((x, t) -> { }, e)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pools")
    void completableFuture_failures_keepTheirType(String p) throws Exception {
        ExecutorService e = pool(p);
        CompletableFuture<Integer> failed = CompletableFuture.supplyAsync(() -> {
            throw new ArithmeticException("boom");
        }, e);
        assertInstanceOf(ArithmeticException.class, causeOf(failed));
        CompletionException joined = assertThrows(CompletionException.class, failed::join);
        assertInstanceOf(ArithmeticException.class, joined.getCause());
        // A failed source fails its async dependents without running their functions.
        assertInstanceOf(ArithmeticException.class, causeOf(failed.thenApplyAsync(x -> x + 1, e)));
        // A function that throws fails its dependent with that exception.
        Function<Integer, Integer> throwing = x -> {
            throw new IllegalStateException("in stage");
        };
        assertInstanceOf(IllegalStateException.class,
                causeOf(CompletableFuture.supplyAsync(() -> 1, e).thenApplyAsync(throwing, e)));
        // handle and exceptionally see the failure as the JDK stores it.
        assertEquals("CompletionException/ArithmeticException",
                get(failed.handleAsync((x, t) -> t.getClass().getSimpleName() + "/"
                        + t.getCause().getClass().getSimpleName(), e)));
        assertEquals(-1, get(failed.exceptionallyAsync(t -> -1, e)));
        // whenComplete keeps the source's outcome, or takes the action's failure when the source succeeded.
        assertInstanceOf(ArithmeticException.class, causeOf(failed.whenCompleteAsync((x, t) -> { }, e)));
        assertInstanceOf(IllegalStateException.class, causeOf(CompletableFuture.supplyAsync(() -> 1, e)
                .whenCompleteAsync((x, t) -> {
                    throw new IllegalStateException();
                }, e)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pools")
    void completableFuture_allOfAFanOut(String p) throws Exception {
        ExecutorService e = pool(p);
        List<CompletableFuture<Integer>> fan = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int n = i;
            fan.add(CompletableFuture.supplyAsync(() -> n * n, e));
        }
        get(CompletableFuture.allOf(fan.toArray(new CompletableFuture<?>[0])));
        assertEquals(2470, fan.stream().mapToInt(CompletableFuture::join).sum());
    }
}
