package io.scoop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Plain lambdas and method references, written as people write them against an {@link ExecutorService}: none
 * is serializable, and each must run in a worker JVM (its pid differs from this one) with the same result as on
 * a thread pool.
 */
class PlainLambdaTest {
    private static final long ROOT_PID = ProcessHandle.current().pid();
    private static TestCluster cluster;
    private static ExecutorService pool;

    private final int base = 100;

    @BeforeAll
    static void start() {
        cluster = TestCluster.start(1);
        pool = cluster.newExecutor();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
        cluster.close();
    }

    static int twice(int x) {
        return 2 * x;
    }

    static long pid() {
        return ProcessHandle.current().pid();
    }

    @Test
    void lambdasOfTheSameShape_eachRunsItsOwnBody() throws Exception {
        int x = 21;
        Future<Integer> a = pool.submit(() -> twice(x));
        Future<Integer> b = pool.submit(() -> twice(x) + 1);
        Future<Integer> c = pool.submit(() -> twice(x) + 2);
        assertEquals(42, a.get(30, TimeUnit.SECONDS));
        assertEquals(43, b.get(30, TimeUnit.SECONDS));
        assertEquals(44, c.get(30, TimeUnit.SECONDS));
    }

    @Test
    void lambda_runsOnAWorker() throws Exception {
        Future<Long> where = pool.submit(() -> pid());
        assertNotEquals(ROOT_PID, where.get(30, TimeUnit.SECONDS));
    }

    @Test
    void lambdaCapturingThis_seesTheInstance() throws Exception {
        String s = "abc";
        assertEquals(103, pool.submit(() -> base + s.length()).get(30, TimeUnit.SECONDS));
    }

    @Test
    void methodReferences_staticBoundAndConstructor() throws Exception {
        String word = "scoop";
        Callable<Long> staticRef = PlainLambdaTest::pid;
        Callable<Integer> bound = word::length;
        Callable<ArrayList<String>> constructor = ArrayList::new;
        assertNotEquals(ROOT_PID, pool.submit(staticRef).get(30, TimeUnit.SECONDS));
        assertEquals(5, pool.submit(bound).get(30, TimeUnit.SECONDS));
        assertEquals(new ArrayList<>(), pool.submit(constructor).get(30, TimeUnit.SECONDS));
    }

    @Test
    void runnableLambda_runs() throws Exception {
        long root = ROOT_PID; // a static field would be initialized again on the worker
        Future<?> f = pool.submit(() -> {
            if (pid() == root) {
                throw new IllegalStateException("ran in the root");
            }
        });
        f.get(30, TimeUnit.SECONDS);
    }

    @Test
    void invokeAll_ofLambdasBuiltInAStream() throws Exception {
        List<Callable<Integer>> tasks = IntStream.range(0, 20).<Callable<Integer>>mapToObj(i -> () -> twice(i))
                .toList();
        List<Integer> out = new ArrayList<>();
        for (Future<Integer> f : pool.invokeAll(tasks)) {
            out.add(f.get());
        }
        assertEquals(IntStream.range(0, 20).map(i -> 2 * i).boxed().toList(), out);
        assertEquals(14, (int) pool.invokeAny(List.of(() -> twice(7))));
    }

    @Test
    void completionService_ofLambdas() throws Exception {
        ExecutorCompletionService<Integer> ecs = new ExecutorCompletionService<>(pool);
        int y = 5;
        ecs.submit(() -> twice(y));
        assertEquals(10, ecs.take().get(30, TimeUnit.SECONDS));
    }

    /** Lambdas written inside a nested, an inner and an anonymous class: their call sites are in those classes. */
    static final class Nested {
        static Callable<Integer> task(int x) {
            return () -> x * 3;
        }
    }

    final class Inner {
        Callable<Integer> task(int x) {
            return () -> x * 4 + base;
        }
    }

    @Test
    void lambdasWrittenInNestedInnerAndAnonymousClasses_travel() throws Exception {
        Function<Integer, Callable<Integer>> anonymous = new Function<>() {
            @Override
            public Callable<Integer> apply(Integer x) {
                return () -> x * 5;
            }
        };
        assertEquals(6, pool.submit(Nested.task(2)).get(30, TimeUnit.SECONDS));
        assertEquals(108, pool.submit(new Inner().task(2)).get(30, TimeUnit.SECONDS));
        assertEquals(10, pool.submit(anonymous.apply(2)).get(30, TimeUnit.SECONDS));
    }

    @Test
    void lambdasOfTheJdk_travelToo() throws Exception {
        Function<String, String> identity = Function.identity();
        Comparator<String> byLength = Comparator.comparing(String::length);
        assertEquals("x", pool.submit(() -> identity.apply("x")).get(30, TimeUnit.SECONDS));
        assertTrue(pool.submit(() -> byLength.compare("a", "bb") < 0).get(30, TimeUnit.SECONDS));
    }

    @Test
    void capturedValueThatCannotTravel_failsAtSubmit_namingTheLambdaAndTheType() {
        Thread t = Thread.currentThread();
        TaskNotSerializableException e = assertThrows(TaskNotSerializableException.class,
                () -> pool.submit(() -> t.getName()));
        String m = e.getMessage();
        assertTrue(m.contains("PlainLambdaTest"), m);
        assertTrue(m.matches("(?s).*PlainLambdaTest\\.java:\\d+.*"), m);
        assertTrue(m.contains("captures a java.lang.Thread, which cannot be sent to another JVM"), m);
        assertFalse(m.contains("add-opens"), m);
        ReentrantLock lock = new ReentrantLock();
        String m2 = assertThrows(TaskNotSerializableException.class, () -> pool.submit(() -> lock.isLocked()))
                .getMessage();
        assertTrue(m2.contains("java.util.concurrent.locks.ReentrantLock"), m2);
    }
}
