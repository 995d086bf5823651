package io.scoop;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoSerializable;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The failure matrix: every way a task can go wrong ({@link Kind}) at every place it can go wrong
 * ({@link Where}), on real worker JVMs. The promise under test: no task is lost or left hanging; each failure
 * ends its future with one named exception, whose message says what happened, within a deadline; the ordinary
 * tasks submitted alongside all complete with their right values; and the cluster takes the next task.
 *
 * <p>How a cell misbehaves: the task captures a {@link Rogue} (its Kryo {@code write} misbehaves at the root, its
 * {@code read} on the worker), or returns one (its {@code write} misbehaves on the worker, its {@code read} at
 * the root). Worker JVMs are started with {@code -Dmatrix.worker=true}, so a Rogue knows where it is.
 *
 * <p>Cells that are not run (each reported as skipped, with its reason):
 * <ul>
 *   <li>exit or halt at the root (encoding the task, decoding the result): that code runs in the test JVM
 *       itself, which also hosts the broker; it would end the test run. Nothing in-process can stop
 *       {@code System.exit} or {@code halt} since the Security Manager is gone; a root that exits takes its
 *       futures with it, which is not a task outcome.
 * </ul>
 * The hang cells at the root are run, but the promise is weaker there: Java cannot stop a thread, so a
 * {@code write} that never returns blocks its {@code submit} (the caller's own thread, before any future
 * exists), and a {@code read} that never returns keeps its own future pending. Those cells check that nothing
 * else waits for them (other submitters, other futures, the next task), then release the hang.
 *
 * <p>Out of memory: workers have a 64 MiB heap and the task fills it with 1 MiB arrays (the real thing,
 * other threads of that JVM included). At the root the test JVM hosts the broker and the other futures, so
 * filling its heap would fail them at random; there a single allocation larger than the heap throws the same
 * {@link OutOfMemoryError} at once without starving anyone. On a worker, which thread fails to allocate first is
 * a race: usually the task's (the cell's named outcome below), sometimes the worker's own loop, and then the
 * worker ends itself with code 87 ({@code Worker.OUT_OF_MEMORY_EXIT_CODE}), the task's outcome a
 * {@link WorkerLostException} that says so. Both are accepted; nothing else is.
 *
 * <p>The outcomes (each task has {@code notRestartable()} and a 1 s timeout):
 * <pre>
 *                   THROWS             EXIT, HALT        HANGS                 OOM                  STACK_OVERFLOW
 *  root encode      TaskNotSerializable (not run)        submit blocks (*)     TaskNotSerializable  TaskNotSerializable
 *  worker decode    RemoteTask         WorkerLost        TaskTimeout, w. ends  RemoteTask           RemoteTask
 *  worker run       the exception      WorkerLost        TaskTimeout, w. ends  OutOfMemoryError     StackOverflowError
 *  worker encode    ResultNotSerial.   WorkerLost        TaskTimeout, w. ends  ResultNotSerial.     ResultNotSerial.
 *  root decode      ResultNotSerial.   (not run)         future pends (*)      ResultNotSerial.     ResultNotSerial.
 * </pre>
 * (*) see above. A worker that must end (exit, halt, a hang that ignores its interrupt: code 86 after
 * {@code scoop.killAfterMillis}) is asserted to have ended with that code; the TestCluster does not replace
 * workers (the embedded default does, see CancelKillTest and ChurnTest), so each cell starts one in its place.
 * {@code -Dmatrix.only=OOM} (or {@code WORKER_RUN:}, or {@code WORKER_RUN:HANGS}) runs only the matching cells.
 */
class FailureMatrixTest {
    /** Workers in the cluster: one may die per cell, the other keeps the siblings going. */
    private static final int WORKERS = 2;
    /** Ordinary tasks submitted around each failing one. */
    private static final int SIBLINGS = 6;
    /** The longest any failure may take to surface. */
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final Duration TASK_TIMEOUT = Duration.ofSeconds(1);

    private static TestCluster cluster;
    private static DistributedExecutor pool;
    /** The outcome of each cell, for the summary printed at the end. */
    private static final Map<String, String> OUTCOMES = new ConcurrentSkipListMap<>();

    /** Releases hangs at the root (only ever set in the test JVM). */
    static volatile boolean releaseRootHang;
    /** Counted down when a hang at the root has begun. */
    static volatile CountDownLatch rootHangBegan = new CountDownLatch(1);

    enum Kind {
        THROWS, EXIT, HALT, HANGS, OOM, STACK_OVERFLOW
    }

    enum Where {
        ROOT_ENCODE_TASK, WORKER_DECODE_TASK, WORKER_RUN, WORKER_ENCODE_RESULT, ROOT_DECODE_RESULT;

        boolean atRoot() {
            return this == ROOT_ENCODE_TASK || this == ROOT_DECODE_RESULT;
        }
    }

    @BeforeAll
    static void start() {
        cluster = TestCluster.start(WORKERS,
                List.of("-Xmx64m", "-Dscoop.killAfterMillis=500", "-Dmatrix.worker=true"));
        pool = cluster.newExecutor();
        awaitWorkers();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        releaseRootHang = true;
        try {
            if (pool != null) {
                pool.shutdownNow();
                assertTrue(pool.awaitTermination(20, TimeUnit.SECONDS));
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
            System.out.println("failure matrix:");
            OUTCOMES.forEach((cell, outcome) -> System.out.println("  " + cell + " -> " + outcome));
        }
    }

    /** Set when a cell ran to its end; a cell that failed may leave a worker stuck, which the next must not meet. */
    private boolean cellEnded;

    @AfterEach
    void isolateCells() {
        releaseRootHang = true;
        if (!cellEnded) {
            for (Process p : cluster.processes().values()) {
                if (p.isAlive()) {
                    TestCluster.kill9(p.pid());
                }
            }
            await().atMost(DEADLINE).until(() -> pool.workerCount() == 0);
            cluster.addWorkers(WORKERS);
            awaitWorkers();
        }
    }

    /** Every place by every kind; with {@code -Dmatrix.only=TEXT}, those whose {@code WHERE:KIND} contains it. */
    static Stream<Arguments> cells() {
        String only = System.getProperty("matrix.only", "");
        List<Arguments> cells = new ArrayList<>();
        for (Where where : Where.values()) {
            for (Kind kind : Kind.values()) {
                if ((where + ":" + kind).contains(only)) {
                    cells.add(Arguments.of(where, kind));
                }
            }
        }
        return cells.stream();
    }

    @ParameterizedTest(name = "{0} x {1}")
    @MethodSource("cells")
    void failure_surfacesNamed_othersUnaffected_clusterRecovers(Where where, Kind kind) throws Exception {
        String excluded = exclusion(where, kind);
        cellEnded = excluded != null;
        if (excluded != null) {
            OUTCOMES.put(cellName(where, kind), "not run: " + where + " is in the test JVM");
        }
        Assumptions.assumeTrue(excluded == null, excluded);
        awaitWorkers();
        releaseRootHang = false;
        rootHangBegan = new CountDownLatch(1);
        int exitsBefore = cluster.exits().size();

        List<CompletableFuture<Integer>> siblings = new ArrayList<>();
        for (int i = 0; i < SIBLINGS / 2; i++) {
            siblings.add(pool.submit(new Tasks.Sleep(50, i)));
        }
        long t0 = System.nanoTime();
        DistributedExecutor view = pool.with(TaskOptions.defaults().label("matrix-" + where + "-" + kind)
                .notRestartable().timeout(TASK_TIMEOUT));
        MatrixTask task = new MatrixTask(where, kind);

        String outcome;
        boolean lost = false;
        if (where == Where.ROOT_ENCODE_TASK && kind == Kind.HANGS) {
            outcome = hangInSubmit(view, task, siblings);
        } else if (where == Where.ROOT_ENCODE_TASK) {
            TaskNotSerializableException e = assertThrows(TaskNotSerializableException.class, () -> view.submit(task));
            outcome = describe(e, t0);
            assertMessage(e, MatrixTask.class.getName(), "could not be serialized", expectedCause(kind));
        } else {
            CompletableFuture<Object> f = view.submit(task);
            for (int i = SIBLINGS / 2; i < SIBLINGS; i++) {
                siblings.add(pool.submit(new Tasks.Sleep(50, i)));
            }
            if (where == Where.ROOT_DECODE_RESULT && kind == Kind.HANGS) {
                outcome = hangInRootDecode(f, siblings);
            } else {
                Throwable cause = failureOf(f);
                outcome = describe(cause, t0);
                lost = cause instanceof WorkerLostException;
                assertOutcome(where, kind, cause);
            }
        }
        OUTCOMES.put(cellName(where, kind), outcome);

        // Others unaffected: every sibling completes with its own value.
        assertSiblings(siblings);
        // The cluster recovers: the next ordinary task runs (on the surviving worker if one was lost)...
        assertEquals("next", pool.submit(() -> "next").get(DEADLINE.toSeconds(), TimeUnit.SECONDS));
        // ...and a worker that had to die did die, with the code that says why; it is replaced for the next cell.
        Integer code = expectedExitCode(where, kind);
        if (kind == Kind.OOM && lost) {
            code = io.scoop.worker.Worker.OUT_OF_MEMORY_EXIT_CODE;
        }
        if (code != null) {
            await().atMost(DEADLINE).until(() -> cluster.exits().size() > exitsBefore);
            String why = cluster.exits().get(exitsBefore);
            assertTrue(why.contains("exited with code " + code), why);
        }
        replaceLostWorkers();
        assertEquals(exitsBefore + (code == null ? 0 : 1), cluster.exits().size(), () -> "unexpected worker exits: "
                + cluster.exits().subList(exitsBefore, cluster.exits().size()));
        cellEnded = true;
    }

    /** Why a cell is not run, or null if it is. */
    private static String exclusion(Where where, Kind kind) {
        if (where.atRoot() && (kind == Kind.EXIT || kind == Kind.HALT)) {
            return where + " runs in the test JVM (which hosts the broker): " + kind
                    + " would end the test run itself; there is no in-process guard against it since the Security"
                    + " Manager is gone";
        }
        return null;
    }

    /** The named outcome each cell must end in. */
    private static void assertOutcome(Where where, Kind kind, Throwable cause) {
        String rogue = Rogue.class.getName();
        if (kind == Kind.OOM && cause instanceof WorkerLostException) {
            // Filling a worker's heap is a race between its threads: when the worker's own loop (or another of its
            // threads) fails to allocate first, the worker ends itself with the code that says so.
            assertNamed(WorkerLostException.class, cause,
                    "exited with code " + io.scoop.worker.Worker.OUT_OF_MEMORY_EXIT_CODE, "tried 1 times");
            return;
        }
        switch (kind) {
            case EXIT, HALT -> assertNamed(WorkerLostException.class, cause, "exited with code 3", "tried 1 times");
            case HANGS -> assertNamed(TaskTimeoutException.class, cause, "timeout of PT1S", "matrix-" + where);
            default -> {
                switch (where) {
                    case WORKER_DECODE_TASK -> assertNamed(RemoteTaskException.class, cause, "could not be decoded",
                            expectedCause(kind));
                    case WORKER_RUN -> {
                        switch (kind) {
                            case THROWS -> assertNamed(IllegalStateException.class, cause, "matrix: WORKER_RUN throws");
                            case OOM -> {
                                assertNamed(OutOfMemoryError.class, cause, "Java heap space");
                                // With its heap full, HotSpot throws one of a few preallocated errors that have
                                // room for a stack trace (-XX:PreallocatedOutOfMemoryErrorCount, 4); a worker
                                // JVM that has used them up throws one with none. Any stack it has is the task's.
                                if (cause.getStackTrace().length > 0) {
                                    assertThrownBy(cause, "exhaustMemory");
                                }
                            }
                            case STACK_OVERFLOW -> {
                                assertInstanceOf(StackOverflowError.class, cause);
                                assertThrownBy(cause, "recurse");
                            }
                            default -> fail("no expectation for " + where + " x " + kind);
                        }
                    }
                    case WORKER_ENCODE_RESULT -> assertNamed(ResultNotSerializableException.class, cause,
                            "its result of type " + rogue + " could not be serialized", expectedCause(kind));
                    case ROOT_DECODE_RESULT -> assertNamed(ResultNotSerializableException.class, cause,
                            "could not be decoded on the root", expectedCause(kind));
                    default -> fail("no expectation for " + where + " x " + kind);
                }
            }
        }
    }

    /** What the message of a failure must say about its cause. */
    private static String expectedCause(Kind kind) {
        return switch (kind) {
            case THROWS -> "throws";
            case OOM -> "OutOfMemoryError";
            case STACK_OVERFLOW -> "StackOverflow";
            default -> "";
        };
    }

    /** The exit code of the worker that a cell must end, or null if every worker must live. */
    private static Integer expectedExitCode(Where where, Kind kind) {
        if (where.atRoot()) {
            return null;
        }
        return switch (kind) {
            case EXIT, HALT -> 3;
            case HANGS -> io.scoop.worker.Worker.KILLED_EXIT_CODE;
            default -> null;
        };
    }

    /**
     * A write that never returns holds its own submit (the caller's thread, before a future exists); other
     * submitters and the tasks already in flight do not wait for it.
     */
    private static String hangInSubmit(DistributedExecutor view, MatrixTask task,
            List<CompletableFuture<Integer>> siblings) throws Exception {
        CompletableFuture<Object> submitted = new CompletableFuture<>();
        Thread submitter = new Thread(() -> {
            try {
                submitted.complete(view.submit(task));
            } catch (Throwable e) {
                submitted.completeExceptionally(e);
            }
        }, "matrix-hanging-submitter");
        submitter.setDaemon(true);
        submitter.start();
        assertTrue(rootHangBegan.await(DEADLINE.toSeconds(), TimeUnit.SECONDS), "the hang began");
        for (int i = SIBLINGS / 2; i < SIBLINGS; i++) {
            siblings.add(pool.submit(new Tasks.Sleep(50, i)));
        }
        assertSiblings(siblings);
        assertFalse(submitted.isDone(), "submit returned while its task's encoding hangs");
        releaseRootHang = true;
        Object f = submitted.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertEquals("ran", ((CompletableFuture<?>) f).get(DEADLINE.toSeconds(), TimeUnit.SECONDS));
        return "submit blocked in the caller's thread until released; others unaffected; then ran";
    }

    /**
     * A read that never returns keeps its own future pending (Java cannot stop the thread), but the futures
     * behind it complete: the root hands its completion queue to a new thread.
     */
    private static String hangInRootDecode(CompletableFuture<Object> f, List<CompletableFuture<Integer>> siblings)
            throws Exception {
        assertTrue(rootHangBegan.await(DEADLINE.toSeconds(), TimeUnit.SECONDS), "the hang began");
        assertSiblings(siblings);
        assertEquals(7, pool.submit(() -> 7).get(DEADLINE.toSeconds(), TimeUnit.SECONDS));
        assertFalse(f.isDone(), "the future completed while its result's decoding hangs");
        releaseRootHang = true;
        Object value = f.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertInstanceOf(Rogue.class, value);
        return "own future pending until released (then its value); others unaffected";
    }

    /* ---------------- helpers ---------------- */

    private static Throwable failureOf(CompletableFuture<?> f) throws InterruptedException {
        try {
            Object v = f.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            throw new AssertionError("the task succeeded with " + v);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("no outcome within " + DEADLINE + ": " + f, e);
        }
    }

    private static void assertSiblings(List<CompletableFuture<Integer>> siblings) throws Exception {
        for (int i = 0; i < siblings.size(); i++) {
            assertEquals(i, siblings.get(i).get(DEADLINE.toSeconds(), TimeUnit.SECONDS), "sibling " + i);
        }
    }

    static <T extends Throwable> T assertNamed(Class<T> type, Throwable actual, String... fragments) {
        assertInstanceOf(type, actual, () -> "got " + actual);
        assertMessage(actual, fragments);
        return type.cast(actual);
    }

    /** The error is the task's own, with its stack trace from the worker: its top frames are in {@code method}. */
    private static void assertThrownBy(Throwable actual, String method) {
        StackTraceElement[] stack = actual.getStackTrace();
        assertTrue(stack.length > 0 && java.util.Arrays.stream(stack).limit(8)
                .anyMatch(e -> e.getMethodName().equals(method)), () -> "not thrown by " + method + ": "
                + java.util.Arrays.toString(java.util.Arrays.copyOf(stack, Math.min(8, stack.length))));
    }

    private static void assertMessage(Throwable actual, String... fragments) {
        for (String fragment : fragments) {
            assertTrue(String.valueOf(actual.getMessage()).contains(fragment),
                    () -> "the message lacks '" + fragment + "': " + actual.getMessage());
        }
    }

    private static String cellName(Where where, Kind kind) {
        return String.format("%-21s x %-14s", where, kind);
    }

    private static String describe(Throwable e, long t0) {
        String m = String.valueOf(e.getMessage());
        return e.getClass().getSimpleName() + " in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms: "
                + (m.length() > 160 ? m.substring(0, 160) + "…" : m);
    }

    private static void awaitWorkers() {
        await().atMost(Duration.ofSeconds(30)).until(() -> pool.workerCount() == WORKERS);
    }

    /**
     * Starts a worker for each one that died (the TestCluster, unlike the embedded default, does not), once the
     * broker has counted the death: the root's count comes with the broker's heartbeat and may still be the old one.
     */
    private static void replaceLostWorkers() {
        await().atMost(Duration.ofSeconds(30)).until(() -> pool.workerCount()
                == cluster.processes().values().stream().filter(Process::isAlive).count());
        long alive = cluster.processes().values().stream().filter(Process::isAlive).count();
        if (alive < WORKERS) {
            cluster.addWorkers((int) (WORKERS - alive));
        }
        awaitWorkers();
    }

    /* ---------------- the misbehaving code ---------------- */

    /** Whether this JVM is a worker of the matrix's cluster. */
    static boolean inWorker() {
        return Boolean.getBoolean("matrix.worker");
    }

    static void misbehave(Kind kind, Where where) {
        switch (kind) {
            case THROWS -> throw new IllegalStateException("matrix: " + where + " throws");
            case EXIT -> System.exit(3);
            case HALT -> Runtime.getRuntime().halt(3);
            case HANGS -> hang();
            case OOM -> exhaustMemory();
            case STACK_OVERFLOW -> recurse(0);
            default -> throw new AssertionError(kind);
        }
    }

    /** Spins without looking at its interrupt flag, as a tight numeric loop does. */
    private static void hang() {
        rootHangBegan.countDown();
        long x = 1;
        while (!releaseRootHang) {
            x = x * 6364136223846793005L + 1442695040888963407L;
        }
        if (x == 42) {
            System.out.print("");
        }
    }

    private static void exhaustMemory() {
        if (inWorker()) {
            List<long[]> hog = new ArrayList<>();
            while (true) {
                hog.add(new long[1 << 17]);
            }
        }
        long[] tooLarge = new long[Integer.MAX_VALUE - 16];
        tooLarge[0] = 1;
    }

    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }

    /**
     * A value with its own Kryo encoding, which misbehaves where its cell says: writing at the root (the task
     * captured it) or on the worker (the task returned it), reading on the worker or at the root.
     */
    static final class Rogue implements KryoSerializable {
        Where where;
        Kind kind;
        int value;

        Rogue() {
        }

        Rogue(Where where, Kind kind, int value) {
            this.where = where;
            this.kind = kind;
            this.value = value;
        }

        @Override
        public void write(Kryo kryo, Output output) {
            if ((where == Where.ROOT_ENCODE_TASK && !inWorker()) || (where == Where.WORKER_ENCODE_RESULT && inWorker())) {
                misbehave(kind, where);
            }
            output.writeString(where.name());
            output.writeString(kind.name());
            output.writeInt(value);
        }

        @Override
        public void read(Kryo kryo, Input input) {
            where = Where.valueOf(input.readString());
            kind = Kind.valueOf(input.readString());
            value = input.readInt();
            if ((where == Where.WORKER_DECODE_TASK && inWorker()) || (where == Where.ROOT_DECODE_RESULT && !inWorker())) {
                misbehave(kind, where);
            }
        }
    }

    /** The task of a cell: it captures a Rogue, runs, and returns a Rogue, any of which may misbehave. */
    static final class MatrixTask implements Callable<Object> {
        final Rogue captured;
        final Where where;
        final Kind kind;

        MatrixTask(Where where, Kind kind) {
            this.where = where;
            this.kind = kind;
            this.captured = new Rogue(where, kind, 1);
        }

        @Override
        public Object call() {
            if (where == Where.WORKER_RUN) {
                misbehave(kind, where);
            }
            if (where == Where.WORKER_ENCODE_RESULT || where == Where.ROOT_DECODE_RESULT) {
                return new Rogue(where, kind, captured.value + 1);
            }
            return "ran";
        }
    }
}
