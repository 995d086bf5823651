package io.scoop;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Worker churn on the embedded default, with real {@code kill -9}s: every dead worker is replaced for as long
 * as replacements start, pending tasks wait for them, and only workers that cannot start at all end the run.
 */
class ChurnTest {
    private DistributedExecutor executor;

    @AfterEach
    void stop() throws InterruptedException {
        if (executor != null) {
            executor.shutdownNow();
            assertTrue(executor.awaitTermination(30, TimeUnit.SECONDS));
        }
    }

    /** The live worker JVMs this executor forked (children of this JVM that serve its broker). */
    static List<ProcessHandle> workersOf(DistributedExecutor ex) {
        String address = ex.brokerAddress();
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive).filter(p -> p.info().commandLine()
                .map(c -> c.contains("io.scoop.worker.WorkerMain") && c.contains(address)).orElse(false)).toList();
    }

    /** With one worker, two kill -9s in a row (the old budget ended the run at the second): nothing fails. */
    @Test
    void oneWorker_killedTwiceInARow_tasksWaitForTheReplacement() throws Exception {
        executor = DistributedExecutor.builder().workers(1).jvmOptions("-Xshare:auto", "-XX:TieredStopAtLevel=1")
                .build();
        for (int round = 0; round < 2; round++) {
            long pid = executor.submit(() -> ProcessHandle.current().pid()).get(60, TimeUnit.SECONDS);
            CompletableFuture<Integer> pending = executor.submit(new Tasks.Sleep(2_000, round));
            TestCluster.kill9(pid);
            assertEquals(round, pending.get(60, TimeUnit.SECONDS));
        }
        assertFalse(executor.isShutdown());
    }

    /** Workers that cannot start (a bad JVM option) end the run with the command and what it printed. */
    @Test
    void workersThatCannotStart_tasksFailNamingTheCommandAndItsOutput() throws Exception {
        executor = DistributedExecutor.builder().workers(1).maxFailedStarts(3)
                .jvmOptions("-Xshare:auto", "-XX:+ScoopNoSuchOption").build();
        CompletableFuture<Integer> f = executor.submit(() -> 1);
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(60, TimeUnit.SECONDS));
        ClusterBrokenException b = assertInstanceOf(ClusterBrokenException.class, e.getCause());
        String m = b.getMessage();
        assertTrue(m.contains("3 workers in a row exited before joining"), m);
        assertTrue(m.contains("-XX:+ScoopNoSuchOption") && m.contains("io.scoop.worker.WorkerMain"), m);
        assertTrue(m.contains("Unrecognized VM option"), m);
        assertTrue(executor.awaitTermination(30, TimeUnit.SECONDS));
    }

    /**
     * The soak of issue #8: a 10,000-item map on 4 workers, 20 kill -9s of random workers at one a second.
     * Every result arrives, in order, once.
     */
    @Test
    @Tag("slow")
    void map_twentyKillsOneASecond_everyResultOnceInOrder() throws Exception {
        executor = DistributedExecutor.builder().workers(4)
                .jvmOptions("-Xshare:auto", "-XX:TieredStopAtLevel=1").build();
        int n = 10_000;
        await().atMost(Duration.ofSeconds(60)).until(() -> executor.workerCount() == 4);
        AtomicInteger kills = new AtomicInteger();
        AtomicBoolean done = new AtomicBoolean();
        List<String> killed = new ArrayList<>();
        Thread killer = new Thread(() -> {
            Random random = new Random(8);
            long next = System.nanoTime();
            while (kills.get() < 20 && !done.get()) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                    continue;
                }
                List<ProcessHandle> live = workersOf(executor);
                if (!live.isEmpty()) {
                    ProcessHandle victim = live.get(random.nextInt(live.size()));
                    TestCluster.kill9(victim.pid());
                    killed.add(Long.toString(victim.pid()));
                    kills.incrementAndGet();
                    next += TimeUnit.SECONDS.toNanos(1);
                } else {
                    next = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
                }
            }
        }, "churn-killer");
        long t0 = System.nanoTime();
        killer.start();
        List<Integer> got = new ArrayList<>(n);
        Iterator<Integer> it = executor.map(ChurnTest::slowTriple, IntStream.range(0, n).boxed()).iterator();
        it.forEachRemaining(got::add);
        done.set(true);
        killer.join(30_000);
        System.out.println("churn soak: " + n + " items, " + kills.get() + " kills in "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms");
        assertEquals(IntStream.range(0, n).map(x -> x * 3).boxed().toList(), got);
        assertEquals(20, kills.get(), "the map ended before 20 kills: make the items slower");
        assertFalse(executor.isShutdown());
    }

    static int slowTriple(int x) {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return x * 3;
    }
}
