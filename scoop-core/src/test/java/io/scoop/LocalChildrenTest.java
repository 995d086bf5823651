package io.scoop;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task's plain children run on the thread that waits for them while they are still unsent, and go to the
 * broker when it asks for them for an idle thread (STEAL) or when their thread parks: same results, failures,
 * output and cancel as children that travel, and a worker's death still loses nothing. Embedded default, two
 * worker JVMs of one task thread each; a worker says it holds children once they are 30 ms old, and the delay
 * before children of a parked thread go out is 300 ms, so that "still unsent when awaited" holds on a loaded
 * machine; the last-resort delay is 10 s, so that only stealing moves children of a running thread here.
 */
class LocalChildrenTest {
    /** Lives in a worker JVM: the child running inline has started. */
    static final CountDownLatch CHILD_STARTED = new CountDownLatch(1);

    private static DistributedExecutor pool;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        pool = DistributedExecutor.builder().workers(2).threadsPerWorker(1)
                .jvmOptions("-Xshare:auto", "-XX:TieredStopAtLevel=1", "-Dscoop.holdAfterMicros=30000", "-Dscoop.parkedSpillAfterMicros=300000",
                        "-Dscoop.spillAfterMicros=10000000").build();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
    }

    private static String here() {
        return ProcessHandle.current().pid() + "/" + Thread.currentThread().getName();
    }

    @Test
    void awaitedChild_runsOnItsParentsThread_withItsOwnRecord() throws Exception {
        List<String> r = pool.submit(() -> {
            String parent = here();
            CompletableFuture<String> child = DistributedExecutor.current().submit(LocalChildrenTest::here);
            String ran = child.get();
            TaskRecord record = TaskRecord.of(child).orElseThrow();
            return List.of(parent, ran, record.worker(), Long.toString(record.pid()), Integer.toString(record.attempt()));
        }).get(60, TimeUnit.SECONDS);

        assertEquals(r.get(0), r.get(1), "the child ran on the thread of the parent that waited for it");
        assertEquals(r.get(0).split("/")[0], r.get(3), "its record names the worker JVM it ran in");
        assertEquals("1", r.get(4));
        assertFalse(r.get(2).isEmpty());
    }

    @Test
    void childNobodyWaitsFor_goesToTheBroker() throws Exception {
        List<String> r = pool.submit(() -> {
            DistributedExecutor here = DistributedExecutor.current();
            CompletableFuture<String> slow = here.submit(() -> {
                Thread.sleep(1500);
                return here();
            });
            CompletableFuture<String> other = here.submit(LocalChildrenTest::here);
            // The parent runs `slow` on its own thread; `other`, unsent for longer than the spill delay
            // meanwhile, goes to the broker, and another thread runs it (of the other worker, as this one's
            // only thread is busy).
            return List.of(here(), slow.get(), other.get());
        }).get(60, TimeUnit.SECONDS);

        assertEquals(r.get(0), r.get(1));
        assertNotEquals(r.get(0), r.get(2), "the child left waiting was spilled and ran elsewhere: " + r);
    }

    @Test
    void heldChild_cancelled_neverRuns() throws Exception {
        Path marker = dir.resolve("held-child-ran");
        String m = marker.toString();
        Boolean cancelled = pool.submit(() -> {
            CompletableFuture<Boolean> child = DistributedExecutor.current().submit(() -> {
                Files.writeString(Path.of(m), "ran");
                return true;
            });
            return child.cancel(false) && child.isCancelled();
        }).get(60, TimeUnit.SECONDS);

        assertTrue(cancelled);
        await("the cancelled child stays unrun past the spill delay").during(Duration.ofSeconds(1))
                .atMost(Duration.ofSeconds(5)).until(() -> !Files.exists(marker));
        // and the worker goes on
        assertEquals(42, pool.submit(() -> 6 * 7).get(60, TimeUnit.SECONDS));
    }

    @Test
    void childRunningOnItsParentsThread_cancelledWithInterrupt_stops_andTheParentGoesOn() throws Exception {
        String r = pool.submit(() -> {
            String parent = here();
            CompletableFuture<String> child = DistributedExecutor.current().submit(() -> {
                CHILD_STARTED.countDown();
                try {
                    Thread.sleep(30_000);
                    return "slept: not interrupted";
                } catch (InterruptedException e) {
                    return "interrupted";
                }
            });
            Thread canceller = new Thread(() -> {
                try {
                    if (CHILD_STARTED.await(30, TimeUnit.SECONDS)) {
                        child.cancel(true);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            canceller.start();
            long t0 = System.nanoTime();
            String outcome;
            try {
                outcome = child.get();
            } catch (CancellationException e) {
                outcome = "cancelled";
            }
            canceller.join();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            return outcome + ", ran here " + parent.equals(here()) + ", parent interrupted "
                    + Thread.currentThread().isInterrupted() + ", within 10 s " + (ms < 10_000);
        }).get(60, TimeUnit.SECONDS);

        assertEquals("cancelled, ran here true, parent interrupted false, within 10 s true", r);
    }

    @Test
    void childOutput_isItsOwn_andTheParentsCaptureGoesOn() throws Exception {
        CompletableFuture<String> parent = pool.submit(() -> {
            System.out.println("parent before");
            CompletableFuture<String> child = DistributedExecutor.current().submit(() -> {
                System.out.println("child says hello");
                return "done";
            });
            child.get();
            System.out.println("parent after");
            return TaskRecord.of(child).orElseThrow().out();
        });
        String childOut = parent.get(60, TimeUnit.SECONDS);
        String parentOut = TaskRecord.of(parent).orElseThrow().out();

        assertTrue(childOut.contains("child says hello"), childOut);
        assertFalse(childOut.contains("parent"), childOut);
        assertTrue(parentOut.contains("parent before") && parentOut.contains("parent after"), parentOut);
        assertFalse(parentOut.contains("child says"), parentOut);
    }

    @Test
    void failingChild_failsAsOneThatTravelled() throws Exception {
        List<String> r = pool.submit(() -> {
            DistributedExecutor here = DistributedExecutor.current();
            CompletableFuture<Integer> local = here.submit(() -> {
                throw new IllegalArgumentException("bad input 7");
            });
            // A label is a task option: such a child always travels.
            CompletableFuture<Integer> sent = here.with(TaskOptions.defaults().label("travels")).submit(() -> {
                throw new IllegalArgumentException("bad input 7");
            });
            return List.of(outcome(local), outcome(sent));
        }).get(60, TimeUnit.SECONDS);

        assertTrue(r.get(0).startsWith("java.lang.IllegalArgumentException: bad input 7"), r.get(0));
        assertEquals(r.get(1), r.get(0), "a child run here fails as one run elsewhere does");
    }

    private static String outcome(CompletableFuture<Integer> f) throws InterruptedException {
        try {
            return "value " + f.get();
        } catch (ExecutionException e) {
            return e.getCause().toString();
        }
    }

    /**
     * A tree whose leaves compute (their thread never parks) starts on one worker; the other worker's idle thread
     * gets held children through the broker's STEAL, so leaves run in both worker JVMs, long before the
     * last-resort delay.
     */
    @Test
    void treeOfBusyLeaves_idleWorkerStealsPartOfIt() throws Exception {
        java.util.Set<Long> pids = pool.submit(new BusyTree(6)).get(120, TimeUnit.SECONDS);
        assertEquals(2, pids.size(), "leaves ran in " + pids);
    }

    /** A tree whose leaves spin for 3 ms and answer the pid they ran in. */
    static final class BusyTree implements java.util.concurrent.Callable<java.util.Set<Long>> {
        private final int depth;

        BusyTree(int depth) {
            this.depth = depth;
        }

        @Override
        public java.util.Set<Long> call() throws Exception {
            if (depth == 0) {
                long end = System.nanoTime() + 3_000_000;
                while (System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
                return java.util.Set.of(ProcessHandle.current().pid());
            }
            DistributedExecutor here = DistributedExecutor.current();
            CompletableFuture<java.util.Set<Long>> left = here.submit(new BusyTree(depth - 1));
            CompletableFuture<java.util.Set<Long>> right = here.submit(new BusyTree(depth - 1));
            java.util.Set<Long> all = new java.util.TreeSet<>(left.get());
            all.addAll(right.get());
            return all;
        }
    }

    /**
     * Every task thread of the cluster runs a parent that waits for its children through a plain
     * CompletableFuture ({@code allOf(...).join()}), which the worker cannot see as a wait on a task: after the
     * parked parent's slot is lent (compensation), the children run and both parents end. Without it: deadlock.
     */
    @Test
    void everyThreadParkedOnAllOfItsChildren_slotsAreLent_noDeadlock() throws Exception {
        List<CompletableFuture<Integer>> parents = new java.util.ArrayList<>();
        for (int p = 0; p < 2; p++) {
            int base = p * 10;
            parents.add(pool.submit(() -> {
                DistributedExecutor here = DistributedExecutor.current();
                List<CompletableFuture<Integer>> kids = new java.util.ArrayList<>();
                for (int i = 1; i <= 4; i++) {
                    int k = base + i;
                    kids.add(here.submit(() -> k));
                }
                CompletableFuture.allOf(kids.toArray(new CompletableFuture<?>[0])).join();
                return kids.stream().mapToInt(CompletableFuture::join).sum();
            }));
        }
        assertEquals(10, parents.get(0).get(60, TimeUnit.SECONDS));
        assertEquals(50, parents.get(1).get(60, TimeUnit.SECONDS));
    }

    @Test
    void fullTree_onTwoWorkersOfOneThread_countsEveryNode() throws Exception {
        assertEquals(1023L, pool.submit(new Node(9)).get(120, TimeUnit.SECONDS));
    }

    /** A node of a complete binary tree: submits its two children and waits for them. */
    static final class Node implements java.util.concurrent.Callable<Long> {
        private final int depth;

        Node(int depth) {
            this.depth = depth;
        }

        @Override
        public Long call() throws Exception {
            if (depth == 0) {
                return 1L;
            }
            DistributedExecutor here = DistributedExecutor.current();
            CompletableFuture<Long> left = here.submit(new Node(depth - 1));
            CompletableFuture<Long> right = here.submit(new Node(depth - 1));
            return 1 + left.get() + right.get();
        }
    }

    /**
     * kill -9 of the worker while its task runs children on its thread: the task runs again from the start on
     * a live worker and its result is exact.
     */
    @Test
    void workerKilledWhileItRunsChildrenInline_parentRunsAgain_resultExact() throws Exception {
        Path ready = dir.resolve("child-holding");
        String readyPath = ready.toString();
        CompletableFuture<Long> parent = pool.submit(() -> {
            DistributedExecutor here = DistributedExecutor.current();
            long sum = 0;
            for (int i = 1; i <= 10; i++) {
                int n = i;
                CompletableFuture<Long> child = here.submit(() -> {
                    if (n == 5 && !Files.exists(Path.of(readyPath))) {
                        Files.writeString(Path.of(readyPath), Long.toString(ProcessHandle.current().pid()));
                        Thread.sleep(60_000); // until killed
                    }
                    return (long) n * n;
                });
                sum += child.get();
            }
            return sum;
        });
        await("the first attempt's child holds").atMost(Duration.ofSeconds(60))
                .until(() -> Files.exists(ready) && !Files.readString(ready).isEmpty());
        TestCluster.kill9(Long.parseLong(Files.readString(ready).trim()));

        assertEquals(385L, parent.get(90, TimeUnit.SECONDS));
        assertEquals(2, TaskRecord.of(parent).orElseThrow().attempt(), "the parent ran again");
    }
}
