package io.scoop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What is specific to distribution, on a cluster of one worker JVM with one task thread (the hardest case
 * for nested tasks): what can travel and the errors for what cannot, map, nested tasks, remote failures.
 */
class DistributedExecutorTest {
    private static TestCluster cluster;
    private DistributedExecutor executor;

    @BeforeAll
    static void startCluster() {
        cluster = TestCluster.start(1);
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @BeforeEach
    void connect() {
        executor = cluster.newExecutor();
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        executor.shutdownNow();
        assertTrue(executor.awaitTermination(20, TimeUnit.SECONDS));
    }

    /* ---------------- sending ---------------- */

    /**
     * A task queued while another thread holds the send lock for a heartbeat is still sent. With a heartbeat
     * every millisecond, thousands of sequential round trips collide with one many times over; before the fix
     * such a task stayed queued until the next submit, and get() waited forever.
     */
    @Test
    void sequentialSubmits_whileHeartbeatsHoldTheSendLock_neverStrandATask() throws Exception {
        DistributedExecutor chatty = DistributedExecutor.builder().connect(cluster.address())
                .heartbeat(1, 20_000, TimeUnit.MILLISECONDS).build();
        try {
            for (int i = 0; i < 3000; i++) {
                int x = i;
                assertEquals(x + 1, chatty.submit(() -> x + 1).get(10, TimeUnit.SECONDS), "round trip " + i);
            }
        } finally {
            chatty.shutdownNow();
            assertTrue(chatty.awaitTermination(20, TimeUnit.SECONDS));
        }
    }

    /* ---------------- what can travel ---------------- */

    /** A lambda passed where the static type is DistributedExecutor is serializable and runs remotely. */
    @Test
    void submit_lambdaWithDistributedExecutorStaticType_runsOnTheWorker() throws Exception {
        int base = 40;
        CompletableFuture<Long> pid = executor.submit(() -> ProcessHandle.current().pid() + base - base);
        assertNotEquals(ProcessHandle.current().pid(), pid.get(30, TimeUnit.SECONDS));
        assertEquals(42, executor.submit(() -> base + 2).get(30, TimeUnit.SECONDS));
    }

    /** A plain lambda through an ExecutorService-typed variable travels too, and runs on the worker. */
    @Test
    void submit_plainLambdaThroughExecutorService_runsOnTheWorker() throws Exception {
        ExecutorService es = executor;
        long here = ProcessHandle.current().pid();
        Callable<Long> plain = () -> ProcessHandle.current().pid();
        assertNotEquals(here, es.submit(plain).get(30, TimeUnit.SECONDS));
    }

    /** An anonymous class travels with its captured locals, without implementing Serializable. */
    @Test
    void submit_anonymousClassCapturingLocals_runsWithThem() throws Exception {
        List<Integer> data = List.of(1, 2, 3);
        int factor = 10;
        ExecutorService es = executor;
        Integer sum = es.submit(new Callable<Integer>() {
            @Override
            public Integer call() {
                return data.stream().mapToInt(i -> i * factor).sum();
            }
        }).get(30, TimeUnit.SECONDS);
        assertEquals(60, sum);
    }

    /** A task holding something Kryo cannot encode fails at submit, naming the task class and the type. */
    @Test
    void submit_taskHoldingAThread_throwsTaskNotSerializableNamingTheTask() {
        HoldsThread task = new HoldsThread(Thread.currentThread());
        TaskNotSerializableException e = assertThrows(TaskNotSerializableException.class,
                () -> executor.submit((Callable<Integer>) task));
        assertTrue(e.getMessage().contains(HoldsThread.class.getName()), e.getMessage());
        assertTrue(e.getMessage().contains("Thread"), e.getMessage());
    }

    /** A result that cannot travel back fails the future with ResultNotSerializableException naming its type. */
    @Test
    void get_resultNotSerializable_failsWithResultNotSerializableException() {
        CompletableFuture<HoldsThread> f = executor.submit(() -> new HoldsThread(Thread.currentThread()));
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
        assertInstanceOf(ResultNotSerializableException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains(HoldsThread.class.getName()), e.getCause().getMessage());
        assertTrue(e.getCause().getMessage().contains("w1"), e.getCause().getMessage());
    }

    /** A task's own exception type comes back, and the ExecutionException names the worker. */
    @Test
    void get_taskThrowsCustomException_causeHasTheOriginalTypeAndWorkerIsNamed() {
        CompletableFuture<Object> f = executor.submit(() -> {
            throw new CustomException("bad input 7");
        });
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
        assertInstanceOf(CustomException.class, e.getCause());
        assertEquals("bad input 7", e.getCause().getMessage());
        assertTrue(e.getMessage().contains("w1 (pid"), e.getMessage());
        assertTrue(e.getCause().getStackTrace().length > 0);
    }

    /* ---------------- map ---------------- */

    /** map returns results in input order. */
    @Test
    void map_returnsResultsInInputOrder() {
        List<Integer> out = executor.map((Integer x) -> x * 2, IntStream.range(0, 5000).boxed().toList())
                .collect(Collectors.toList());
        assertEquals(IntStream.range(0, 5000).map(x -> x * 2).boxed().toList(), out);
    }

    /** map pulls its input lazily: an endless input with limit() ends, having read a bounded prefix. */
    @Test
    void map_endlessInput_readsOnlyWhatIsNeeded() {
        AtomicLong pulled = new AtomicLong();
        Iterator<Integer> endless = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Integer next() {
                return (int) pulled.incrementAndGet();
            }
        };
        try (Stream<Integer> s = executor.map((Integer x) -> x + 1, endless)) {
            assertEquals(List.of(2, 3, 4, 5, 6), s.limit(5).collect(Collectors.toList()));
        }
        assertTrue(pulled.get() < 100_000, "read " + pulled.get() + " items for 5 results");
    }

    /**
     * A map over millions of items keeps a bounded number of them between the input and the consumer (read
     * but not yet consumed), and the broker's queue bounded too: memory stays flat however long the input.
     */
    @Test
    void map_millionsOfItems_keepsWhatIsInFlightBounded() {
        int n = 3_000_000;
        AtomicLong pulled = new AtomicLong();
        Iterator<Integer> input = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return pulled.get() < n;
            }

            @Override
            public Integer next() {
                return (int) pulled.incrementAndGet();
            }
        };
        long consumed = 0;
        long maxAhead = 0;
        int maxQueued = 0;
        long sum = 0;
        Iterator<Integer> out = executor.map((Integer x) -> x & 7, input).iterator();
        while (out.hasNext()) {
            sum += out.next();
            consumed++;
            if ((consumed & 0x3fff) == 0) {
                maxAhead = Math.max(maxAhead, pulled.get() - consumed);
                maxQueued = Math.max(maxQueued, cluster.brokerStats().queued());
            }
        }
        assertEquals(n, consumed);
        assertEquals(LongStream.rangeClosed(1, n).map(x -> x & 7).sum(), sum);
        assertTrue(maxAhead < 100_000, "items read ahead of the consumer: up to " + maxAhead);
        assertTrue(maxQueued < 64, "tasks (chunks) queued at the broker: up to " + maxQueued);
    }

    /** An item that throws surfaces at its position, after every item before it. */
    @Test
    void map_itemThrows_failsAtItsPositionWithTheCause() {
        Iterator<Integer> it = executor.map((Integer x) -> {
            if (x == 3) {
                throw new IllegalArgumentException("item " + x);
            }
            return x;
        }, List.of(0, 1, 2, 3, 4)).iterator();
        assertEquals(0, it.next());
        assertEquals(1, it.next());
        assertEquals(2, it.next());
        CompletionException e = assertThrows(CompletionException.class, it::next);
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
        assertEquals("item 3", e.getCause().getMessage());
        assertEquals(4, it.next());
    }

    /** mapUnordered yields every result once. */
    @Test
    void mapUnordered_yieldsEveryResultOnce() {
        List<Integer> out = executor.mapUnordered((Integer x) -> x, IntStream.range(0, 1000).boxed())
                .sorted().collect(Collectors.toList());
        assertEquals(IntStream.range(0, 1000).boxed().toList(), out);
    }

    /* ---------------- nested tasks ---------------- */

    /** A tree of tasks that wait on their children finishes on one worker with one thread: no deadlock. */
    @Test
    void submit_recursiveTreeOnOneSingleThreadedWorker_completes() throws Exception {
        assertEquals(127L, executor.submit(new Tree(6)).get(60, TimeUnit.SECONDS));
    }

    /** A task class whose static field creates an executor starts no cluster on the worker. */
    @Test
    void staticFieldExecutorLoadedOnAWorker_spawnsNothing() throws Exception {
        String report = executor.submit(new UsesStaticExecutor()).get(30, TimeUnit.SECONDS);
        assertTrue(report.startsWith("children=0 "), report);
        assertTrue(report.contains("nested on w1"), report);
    }

    /* ---------------- task classes ---------------- */

    static final class HoldsThread implements Callable<Integer> {
        final Thread thread;

        HoldsThread(Thread thread) {
            this.thread = thread;
        }

        @Override
        public Integer call() {
            return 1;
        }
    }

    static final class CustomException extends RuntimeException {
        CustomException(String message) {
            super(message);
        }
    }

    /** Counts the nodes of a full binary tree of the given depth, one task per node. */
    static final class Tree implements Callable<Long> {
        final int depth;

        Tree(int depth) {
            this.depth = depth;
        }

        @Override
        public Long call() throws Exception {
            if (depth == 0) {
                return 1L;
            }
            DistributedExecutor ex = DistributedExecutor.current();
            List<CompletableFuture<Long>> kids = new ArrayList<>();
            kids.add(ex.submit(new Tree(depth - 1)));
            kids.add(ex.submit(new Tree(depth - 1)));
            long n = 1;
            for (CompletableFuture<Long> k : kids) {
                n += k.get();
            }
            return n;
        }
    }

    /** Holds an executor in a static field, as programs do; never initialized in the test JVM. */
    static final class StaticHolder {
        static final DistributedExecutor EXECUTOR = new DistributedExecutor();
    }

    static final class UsesStaticExecutor implements Callable<String> {
        @Override
        public String call() {
            String desc = StaticHolder.EXECUTOR.toString();
            return "children=" + ProcessHandle.current().children().count() + " " + desc;
        }
    }
}
