package io.scoop;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scoop.broker.Broker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Workers and brokers that die, for real: worker JVMs killed with {@code kill -9} mid-run, tasks that halt
 * their JVM, a broker closed under a waiting root. Nothing may be lost and nothing may hang: every case
 * ends in the right results or in one named exception, within a deadline.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WorkerFailureTest {
    private static TestCluster cluster;
    private DistributedExecutor executor;

    @BeforeAll
    static void startCluster() {
        cluster = TestCluster.start(2, 2);
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

    private static void awaitWorkers(int n) {
        await().atMost(Duration.ofSeconds(30)).until(() -> cluster.brokerStats().workers() == n);
    }

    /** kill -9 of a worker in the middle of a map: every result arrives exactly once, in order. */
    @Test
    @Order(1)
    void map_workerKilledMidway_everyResultArrivesExactlyOnceInOrder() {
        awaitWorkers(2);
        Iterator<Integer> results = executor.map(WorkerFailureTest::slowTriple, IntStream.range(0, 200).boxed())
                .iterator();
        List<Integer> got = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            got.add(results.next());
        }
        long victim = cluster.processes().values().iterator().next().pid();
        TestCluster.kill9(victim);
        results.forEachRemaining(got::add);
        assertEquals(IntStream.range(0, 200).map(x -> x * 3).boxed().toList(), got);
        cluster.addWorkers(1);
        awaitWorkers(2);
    }

    /** A task that halts its worker every time fails with WorkerLostException after the attempt limit. */
    @Test
    @Order(2)
    void get_taskKillsEveryWorkerItRunsOn_failsWithWorkerLostAfterTheAttemptLimit() {
        awaitWorkers(2);
        CompletableFuture<Object> f = executor.submit((Callable<Object>) new Halt());
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(60, TimeUnit.SECONDS));
        assertInstanceOf(WorkerLostException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("tried 2 times"), e.getCause().getMessage());
        cluster.addWorkers(2);
        awaitWorkers(2);
        assertEquals(5, executor.submit(() -> 5).join());
    }

    /** With every worker gone, pending futures fail with ClusterBrokenException instead of hanging. */
    @Test
    @Order(3)
    void get_everyWorkerKilled_failsWithClusterBroken() throws Exception {
        awaitWorkers(2);
        CompletableFuture<Integer> slow = executor.submit(new Tasks.Sleep(60_000, 1));
        List<CompletableFuture<Integer>> queued = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            queued.add(executor.submit(new Tasks.Sleep(60_000, 1)));
        }
        for (Process p : cluster.processes().values()) {
            TestCluster.kill9(p.pid());
        }
        ExecutionException e = assertThrows(ExecutionException.class, () -> slow.get(60, TimeUnit.SECONDS));
        assertInstanceOf(ClusterBrokenException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("no worker left"), e.getCause().getMessage());
        for (CompletableFuture<Integer> q : queued) {
            assertThrows(ExecutionException.class, () -> q.get(10, TimeUnit.SECONDS));
        }
        cluster.addWorkers(2);
        awaitWorkers(2);
        assertEquals(9, executor.submit(() -> 9).get(30, TimeUnit.SECONDS));
    }

    /** When the broker goes away, a root's pending futures fail with ClusterBrokenException. */
    @Test
    @Order(4)
    void get_brokerGoesAway_failsWithClusterBroken() {
        Broker lonely = Broker.builder().heartbeat(200, 1000).start();
        DistributedExecutor orphan = DistributedExecutor.builder().connect(lonely.address())
                .heartbeat(200, 1500, TimeUnit.MILLISECONDS).build();
        try {
            CompletableFuture<Integer> f = orphan.submit(() -> 1);
            lonely.close();
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
            assertInstanceOf(ClusterBrokenException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("lost the broker at " + lonely.address()),
                    e.getCause().getMessage());
        } finally {
            orphan.shutdownNow();
        }
    }

    /** Connecting to an address where no broker runs fails within the timeout, naming the address. */
    @Test
    @Order(5)
    void connect_noBrokerThere_failsNamingTheAddress() {
        Broker gone = Broker.builder().start();
        String address = gone.address();
        gone.close();
        ClusterBrokenException e = assertThrows(ClusterBrokenException.class, () -> DistributedExecutor.builder()
                .connect(address).connectTimeout(1, TimeUnit.SECONDS).build());
        assertTrue(e.getMessage().contains("no Scoop broker answered at " + address), e.getMessage());
    }

    /** Halts the JVM it runs in, as a crashing native library or System.exit in a task would. */
    static final class Halt implements Callable<Object> {
        @Override
        public Object call() {
            Runtime.getRuntime().halt(137);
            return null;
        }
    }

    static int slowTriple(int x) {
        try {
            Thread.sleep(15);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return x * 3;
    }
}
