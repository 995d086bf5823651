package io.scoop;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.KryoSerializable;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shared value that two tasks of one worker want at once is loaded by one of them while the other waits; on
 * a real worker JVM with two task threads, whatever ends the load, the waiter never waits forever: it fails
 * with an error that ends the load, it can be cancelled while it waits, and it loads the value itself when the
 * loading task was cancelled.
 */
class SharedLoadTest {
    @TempDir
    static Path marks;

    private static TestCluster cluster;
    private static DistributedExecutor pool;

    @BeforeAll
    static void start() {
        cluster = TestCluster.start(1, 2, List.of("-Xmx256m"));
        pool = cluster.newExecutor();
        await().atMost(Duration.ofSeconds(30)).until(() -> pool.workerCount() == 1);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
        cluster.close();
    }

    /** What a rogue value's first decoding in a worker JVM does, once another task waits for it. */
    enum Mode {
        /** Fails with a StackOverflowError (every decoding). */
        OVERFLOW,
        /** Waits until its thread is interrupted, then fails saying so. */
        BLOCK
    }

    /**
     * A value whose decoding on a worker waits until another task thread waits for the same value, marks the
     * file {@code mark}, and then misbehaves as {@link #mode} says.
     */
    static final class Rogue implements KryoSerializable {
        private static final Set<String> DECODED = ConcurrentHashMap.newKeySet();
        Mode mode;
        String mark;
        String text;

        Rogue() {
        }

        Rogue(Mode mode, Path mark, String text) {
            this.mode = mode;
            this.mark = mark.toString();
            this.text = text;
        }

        @Override
        public void write(Kryo kryo, Output output) {
            output.writeString(mode.name());
            output.writeString(mark);
            output.writeString(text);
        }

        @Override
        public void read(Kryo kryo, Input input) {
            mode = Mode.valueOf(input.readString());
            mark = input.readString();
            text = input.readString();
            boolean first = DECODED.add(mark);
            if (!first && mode == Mode.BLOCK) {
                return;
            }
            touch(mark + ".loading");
            awaitAnotherWaiter();
            touch(mark);
            if (mode == Mode.OVERFLOW) {
                throw new StackOverflowError("decoding the rogue value " + text);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Thread.currentThread().isInterrupted() && System.nanoTime() - deadline < 0) {
                LockSupport.parkNanos(this, 10_000_000);
            }
            throw new KryoException("interrupted while decoding the rogue value " + text);
        }

        private static void touch(String path) {
            try {
                Files.writeString(Path.of(path), Thread.currentThread().getName());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Waits (at most 30 s) until another thread waits inside SharedStore.resolve. */
        private static void awaitAnotherWaiter() {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() - deadline < 0) {
                for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
                    Thread t = e.getKey();
                    if (t != Thread.currentThread() && (t.getState() == Thread.State.WAITING
                            || t.getState() == Thread.State.TIMED_WAITING) && inResolve(e.getValue())) {
                        return;
                    }
                }
                LockSupport.parkNanos(5_000_000);
            }
        }

        private static boolean inResolve(StackTraceElement[] stack) {
            for (StackTraceElement s : stack) {
                if (s.getClassName().equals("io.scoop.internal.SharedStore") && s.getMethodName().equals("resolve")) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Starts a task that loads {@code handle}, then one that waits for that load; returns both, loader first. */
    private static List<CompletableFuture<String>> loaderAndWaiter(Shared<Rogue> handle, Path mark) {
        CompletableFuture<String> loader = pool.submit(() -> handle.get().text);
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(Path.of(mark + ".loading")));
        CompletableFuture<String> waiter = pool.submit(() -> handle.get().text + " too");
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(mark));
        return List.of(loader, waiter);
    }

    @Test
    void aLoadThatOverflowsTheStack_failsTheTaskWaitingForItToo() {
        Path mark = marks.resolve("overflow");
        Shared<Rogue> handle = pool.share(new Rogue(Mode.OVERFLOW, mark, "overflowing"));
        List<CompletableFuture<String>> both = loaderAndWaiter(handle, mark);
        for (CompletableFuture<String> f : both) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
            assertTrue(e.getCause().toString().contains("StackOverflowError"), "named: " + e.getCause());
        }
        assertEquals("next", assertCompletes(pool.submit(() -> "next")));
        assertTrue(cluster.exits().isEmpty(), "no worker ended: " + cluster.exits());
    }

    @Test
    void aTaskWaitingForAnotherTasksLoad_canBeCancelled_andItsThreadIsFreeAtOnce() {
        Path mark = marks.resolve("cancel-waiter");
        Shared<Rogue> handle = pool.share(new Rogue(Mode.BLOCK, mark, "blocking"));
        List<CompletableFuture<String>> both = loaderAndWaiter(handle, mark);
        assertTrue(both.get(1).cancel(true));
        // The loader still holds one of the two task threads: the other, the waiter's, must be free now (a
        // waiter that ignored its interrupt would hold it until the worker ends itself, 5 s after the cancel).
        CompletableFuture<String> next = pool.submit(() -> "ran");
        assertEquals("ran", assertCompletes(next, Duration.ofSeconds(3)));
        assertTrue(both.get(0).cancel(true));
        assertEquals("after", assertCompletes(pool.submit(() -> "after")));
        assertTrue(cluster.exits().isEmpty(), "no worker ended: " + cluster.exits());
    }

    @Test
    void whenTheLoadingTaskIsCancelled_theWaitingTaskLoadsTheValueItself() {
        Path mark = marks.resolve("cancel-loader");
        Shared<Rogue> handle = pool.share(new Rogue(Mode.BLOCK, mark, "value"));
        List<CompletableFuture<String>> both = loaderAndWaiter(handle, mark);
        assertTrue(both.get(0).cancel(true));
        assertEquals("value too", assertCompletes(both.get(1)));
        assertTrue(cluster.exits().isEmpty(), "no worker ended: " + cluster.exits());
    }

    private static <T> T assertCompletes(CompletableFuture<T> f) {
        return assertCompletes(f, Duration.ofSeconds(30));
    }

    private static <T> T assertCompletes(CompletableFuture<T> f, Duration within) {
        try {
            return f.get(within.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("the task did not complete within " + within + ": " + e, e);
        }
    }
}
