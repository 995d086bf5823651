package io.scoop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.awaitility.Awaitility.await;

import io.scoop.broker.Broker;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Liveness that does not depend on the work: a callback that blocks for several heartbeat expiries, and a
 * large result on a loaded machine, do not lose the root; a broker that drops a root says so.
 */
class LivenessTest {
    private static DistributedExecutor executor;

    /** The message limit (default 64 MiB) raised for the 100 MB result, in this JVM and its workers. */
    @BeforeAll
    static void start() {
        System.setProperty(io.scoop.internal.Sockets.MAX_MESSAGE_PROPERTY, "256m");
        executor = DistributedExecutor.builder().workers(1)
                .jvmOptions("-Xshare:auto", "-XX:TieredStopAtLevel=1", "-Xmx1g").build();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        executor.shutdownNow();
        assertTrue(executor.awaitTermination(30, TimeUnit.SECONDS));
        System.clearProperty(io.scoop.internal.Sockets.MAX_MESSAGE_PROPERTY);
    }

    /**
     * A non-async callback that blocks 5 s (over three expiries): heartbeats go on, the results behind it
     * complete meanwhile, and the root is still served afterwards.
     */
    @Test
    void blockingCallback_rootKeepsItsBrokerAndOtherFuturesComplete() throws Exception {
        DistributedExecutor executor = DistributedExecutor.builder().workers(1)
                .heartbeat(200, 1500, TimeUnit.MILLISECONDS).jvmOptions("-Xshare:auto", "-XX:TieredStopAtLevel=1")
                .build();
        try {
            blockingCallback(executor);
        } finally {
            executor.shutdownNow();
            assertTrue(executor.awaitTermination(30, TimeUnit.SECONDS));
        }
    }

    private static void blockingCallback(DistributedExecutor executor) throws Exception {
        assertEquals(0, executor.submit(() -> 0).get(60, TimeUnit.SECONDS));
        AtomicLong blockStart = new AtomicLong();
        AtomicLong blockEnd = new AtomicLong();
        CompletableFuture<Integer> first = executor.submit(new Tasks.Sleep(100, 1));
        CompletableFuture<Void> blocked = first.thenAccept(v -> {
            blockStart.set(System.nanoTime());
            try {
                new CountDownLatch(1).await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            blockEnd.set(System.nanoTime());
        });
        CompletableFuture<Integer> second = executor.submit(new Tasks.Sleep(300, 2));
        // A callback that waits on another future of the same root: it completes through the hand-over.
        CompletableFuture<Integer> chained = executor.submit(() -> 3).thenApply(v -> v + second.join());
        assertEquals(2, second.get(30, TimeUnit.SECONDS));
        assertEquals(5, chained.get(30, TimeUnit.SECONDS));
        long secondDone = System.nanoTime();
        blocked.get(30, TimeUnit.SECONDS);
        assertTrue(secondDone < blockEnd.get(), "the other futures completed while the callback blocked");
        assertTrue(blockEnd.get() - blockStart.get() >= TimeUnit.MILLISECONDS.toNanos(4900), "it blocked 5 s");
        assertEquals(4, executor.submit(() -> 4).get(30, TimeUnit.SECONDS));
        assertFalse(executor.isShutdown());
    }

    /**
     * A 100 MB result while two threads of this JVM spin on both cores (default heartbeat: 1 s, expiry 5 s): it
     * arrives, and the root and the worker live.
     */
    @Test
    @Tag("slow") // over 10 s: run by .ci/run with the slow group
    void bigResultOnALoadedMachine_completes() throws Exception {
        AtomicBoolean hog = new AtomicBoolean(true);
        Thread[] hogs = new Thread[2];
        for (int i = 0; i < hogs.length; i++) {
            hogs[i] = new Thread(() -> {
                long x = 1;
                while (hog.get()) {
                    x = x * 6364136223846793005L + 1;
                }
                if (x == 42) {
                    System.out.println(x);
                }
            }, "cpu-hog-" + i);
            hogs[i].setDaemon(true);
            hogs[i].start();
        }
        try {
            long t0 = System.nanoTime();
            byte[] big = executor.submit(() -> {
                byte[] b = new byte[100 << 20];
                b[b.length - 1] = 7;
                return b;
            }).get(120, TimeUnit.SECONDS);
            System.out.println("100 MB result under two CPU hogs: " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime()
                    - t0) + " ms");
            assertEquals(100 << 20, big.length);
            assertEquals(7, big[big.length - 1]);
        } finally {
            hog.set(false);
            for (Thread t : hogs) {
                t.join(5000);
            }
        }
        assertEquals(5, executor.submit(() -> 5).get(30, TimeUnit.SECONDS));
    }

    /** A broker that drops a root (silent past the expiry, as its ticker says) tells it: a named exception. */
    @Test
    void brokerDropsTheRoot_pendingFuturesFailWithRootDropped() throws Exception {
        AtomicLong now = new AtomicLong(System.nanoTime());
        try (Broker broker = Broker.builder().ticker(now::get).heartbeat(100, 1000).start()) {
            DistributedExecutor root = DistributedExecutor.builder().connect(broker.address())
                    .heartbeat(30_000, 60_000, TimeUnit.MILLISECONDS).build();
            try {
                CompletableFuture<Integer> f = root.submit(() -> 1);
                await().atMost(Duration.ofSeconds(30)).until(() -> broker.stats().tasks() == 1);
                now.addAndGet(TimeUnit.SECONDS.toNanos(10));
                ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
                RootDroppedException d = assertInstanceOf(RootDroppedException.class, e.getCause());
                assertTrue(d.getMessage().contains("dropped this root") && d.getMessage().contains("no heartbeat"),
                        d.getMessage());
                assertTrue(root.awaitTermination(30, TimeUnit.SECONDS), "the dropped executor shuts down");
                assertThrows(RejectedExecutionException.class, () -> root.submit(() -> 2));
            } finally {
                root.shutdownNow();
            }
        }
    }
}
