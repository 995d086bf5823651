package io.scoop;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scoop.broker.Broker;
import io.scoop.internal.Link;
import io.scoop.internal.LocalWorkers;
import io.scoop.Rogues.MarkerTask;
import io.scoop.internal.Sockets;
import io.scoop.wire.Hello;
import io.scoop.wire.KryoCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * A broker with CURVE over real TCP sockets, with real worker JVMs given the run's keys through their stdin:
 * members get correct results; processes without the run's keys (plain, another run's keys, a key pair of
 * their own with the broker's public key, the members' public key with a wrong secret) get nothing in and
 * nothing out; a peer refused by the broker fails at once with a message that says so, one that cannot
 * finish the handshake at its timeout with a message that names the keys.
 */
class CurveTest {
    /*
     * One broker and two workers serve the whole class (JVMs are costly on two cores). Every rogue socket
     * lives in its own context, closed after each test.
     */

    private static final List<String> FAST_JVM = List.of("-Xshare:auto", "-XX:TieredStopAtLevel=1");
    private static final Duration QUIET = Duration.ofSeconds(2);

    private static RunKeys keys;
    private static Broker broker;
    private static LocalWorkers workers;
    private static DistributedExecutor root;
    private static final List<String> exits = new CopyOnWriteArrayList<>();

    private final List<ZContext> contexts = new ArrayList<>();

    @TempDir
    Path dir;

    @BeforeAll
    static void startCluster() throws IOException {
        keys = RunKeys.generate();
        broker = Broker.builder().heartbeat(300, 3000).noWorkerTimeout(3000).secure(keys).start();
        workers = new LocalWorkers(new LocalWorkers.Spec(broker.address(), System.getProperty("java.class.path"),
                FAST_JVM, 1, 300, 3000, "w", System.out, System.err, keys), (name, code, why, remaining) -> {
                    exits.add(why);
                    broker.workerLost(name, why);
                });
        workers.start(2);
        // The root holds what the launcher hands it: the member line, parsed.
        root = DistributedExecutor.builder().connect(broker.address(), RunKeys.parse(keys.memberLine())).build();
    }

    @AfterAll
    static void stopCluster() {
        if (root != null) {
            root.shutdownNow();
        }
        if (workers != null) {
            workers.close(3000);
        }
        if (broker != null) {
            broker.close();
        }
    }

    @AfterEach
    void closeRogues() {
        contexts.forEach(ZContext::close);
    }

    /* ---------------- members ---------------- */

    /** A root and workers holding the run's keys get correct results through a CURVE broker. */
    @Test
    void members_withTheRunsKeys_getCorrectResults() throws Exception {
        await("both workers joined").atMost(Duration.ofSeconds(30)).until(() -> root.workerCount() == 2);

        long sum = root.map((Integer x) -> (long) x * x, IntStream.rangeClosed(1, 200).boxed().toList())
                .mapToLong(Long::longValue).sum();

        assertEquals(2_686_700L, sum);
        assertEquals(42, root.submit(() -> 6 * 7).get(30, TimeUnit.SECONDS));
        assertTrue(broker.isCurve());
        assertTrue(broker.toString().contains("(CURVE)"), broker.toString());
        assertTrue(root.toString().contains("with CURVE"), root.toString());
    }

    /* ---------------- rogues ---------------- */

    /**
     * Rogues without the run's keys (plain; another run's member pair; the members' public key with another
     * secret) say HELLO as a worker and as a root and send a task that would write a marker file: they receive
     * nothing (no task, no result, no heartbeat), the broker counts none of them, the task never runs, and
     * meanwhile the real root keeps getting correct results.
     */
    @Test
    void rogues_withoutTheRunsKeys_receiveNothingAndRunNothing() throws Exception {
        await("both workers joined").atMost(Duration.ofSeconds(30)).until(() -> root.workerCount() == 2);
        Path marker = dir.resolve("rogue-task-ran");
        byte[] payload = KryoCodec.encode(new MarkerTask(marker.toString()));
        RunKeys otherRun = RunKeys.generate();
        try (Rogues rogues = new Rogues()) {
            rogues.add(broker.address(), "plain", sock -> { }, payload);
            rogues.add(broker.address(), "other-run", sock -> Sockets.secureClient(sock, otherRun.forMembers()),
                    payload);
            rogues.add(broker.address(), "own-pair", sock -> Sockets.secureClient(sock, ownPair(otherRun)), payload);
            rogues.add(broker.address(), "stolen-public-key", new ForgedKeys(keys, otherRun)::apply, payload);

            await("rogues hear nothing while the root works").during(QUIET).atMost(QUIET.plusSeconds(10))
                    .pollInterval(Duration.ofMillis(100)).until(() -> {
                        Broker.Stats st = broker.stats();
                        return rogues.heardNothing() && st.workers() == 2 && st.roots() == 1
                                && root.submit(() -> 6 * 7).get(10, TimeUnit.SECONDS) == 42;
                    });
        }
        await("the broker holds no task").atMost(Duration.ofSeconds(5)).until(() -> broker.stats().tasks() == 0);

        assertFalse(Files.exists(marker), "a rogue's task ran");
        assertTrue(broker.refusals() > 0, "the rogue with a key pair of its own was refused by the ZAP handler");
        // The marker task itself works: sent by the real root, it runs.
        Path control = dir.resolve("root-task-ran");
        assertEquals("ran", root.submit(new MarkerTask(control.toString())).get(30, TimeUnit.SECONDS));
        assertTrue(Files.exists(control));
    }

    /** The broker's public key (which a rogue may know) with a member key pair of the rogue's own. */
    private static RunKeys ownPair(RunKeys rogues) {
        String[] real = keys.memberLine().split(" ");
        String[] own = rogues.memberLine().split(" ");
        return RunKeys.parse(String.join(" ", real[0], real[1], own[2], own[3]));
    }

    /** The members' public key (not secret to a rogue who saw the traffic) with another secret key. */
    private record ForgedKeys(RunKeys real, RunKeys other) {
        void apply(ZMQ.Socket s) {
            s.setCurveServerKey(real.brokerPublicKey());
            s.setCurvePublicKey(real.memberPublicKey());
            s.setCurveSecretKey(other.memberSecretKey());
        }
    }

    /* ---------------- errors ---------------- */

    /**
     * A peer that knows the broker's public key but holds a key pair of its own is refused by the broker at once,
     * and the message says so and how to fix it.
     */
    @Test
    void handshake_ownKeyPair_failsAtOnceSayingRefused() {
        ZContext ctx = Sockets.context();
        contexts.add(ctx);
        Link link = new Link(ctx, broker.address(), "w-other-run", 50, ownPair(RunKeys.generate()));
        long t0 = System.nanoTime();

        ClusterBrokenException e = assertThrows(ClusterBrokenException.class,
                () -> link.handshake(new Hello(Hello.WORKER, "w-other-run", 1, 1, 1, "test"), 20_000));

        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10), "refused at once, not at the timeout");
        assertTrue(e.getMessage().startsWith("the Scoop broker at " + broker.address() + " refused this worker"
                + " (w-other-run): the broker uses CURVE and these keys are not the run's (status 400). A worker reads"
                + " the run's key line on stdin (WorkerMain --keys-stdin)"), e.getMessage());
    }

    /**
     * A plain peer, or one with another run's keys (another broker key), cannot finish the handshake (JeroMQ
     * reports no event for it on the client): at the timeout, the message says that the keys may not match.
     */
    @Test
    void handshake_noKeysOrOtherRunsKeys_timesOutNamingTheKeys() {
        ZContext ctx = Sockets.context();
        contexts.add(ctx);
        for (RunKeys k : new RunKeys[] {null, RunKeys.generate().forMembers()}) {
            Link link = new Link(ctx, broker.address(), "root-" + (k == null ? "plain" : "other"), 50, k);

            ClusterBrokenException e = assertThrows(ClusterBrokenException.class,
                    () -> link.handshake(new Hello(Hello.ROOT, "r", 0, 0, 1, "test"), 1500));

            assertEquals("no Scoop broker answered at " + broker.address() + " within 1500 ms: check that the broker"
                    + " (the launcher, or the embedded executor) is running and that this address is reachable from "
                    + io.scoop.internal.Hosts.localName() + ". If the broker uses CURVE or a token, it may also have"
                    + " refused this root because its keys do not match the run's: a worker reads the run's key line on stdin"
                    + " (WorkerMain --keys-stdin), a root under the launcher from SCOOP_KEYS (or"
                    + " DistributedExecutor.builder().connect(address, keys)); keys are made anew for every run, so"
                    + " they must come from the run of this broker", e.getMessage());
        }
    }

    /** A worker JVM given a key pair of its own exits by itself (code 4) and says that the broker refused it. */
    @Test
    void workerJvm_ownKeyPair_exitsSayingRefused() throws IOException {
        List<String> why = new CopyOnWriteArrayList<>();
        try (LocalWorkers rogueWorkers = new LocalWorkers(new LocalWorkers.Spec(broker.address(),
                System.getProperty("java.class.path"), FAST_JVM, 1, 300, 3000, "rogue-w", System.out, System.err,
                ownPair(RunKeys.generate())), (name, code, w, remaining) -> why.add(code + ": " + w))) {
            rogueWorkers.start(1);
            await("the worker with other keys exits").atMost(Duration.ofSeconds(30)).until(() -> !why.isEmpty());
        }

        assertTrue(why.get(0).startsWith("4: "), why.toString());
        assertTrue(why.get(0).contains("refused this worker"), why.toString());
        assertEquals(2, broker.stats().workers());
    }

    /** The embedded default with keys: its root talks to its CURVE broker over inproc, its workers over CURVE. */
    @Test
    void embedded_withKeys_runsTasks() throws Exception {
        DistributedExecutor embedded = DistributedExecutor.builder().workers(1).jvmOptions(FAST_JVM.toArray(String[]::new))
                .keys(RunKeys.generate()).build();
        try {
            assertEquals(42, embedded.submit(() -> 6 * 7).get(30, TimeUnit.SECONDS));
            assertTrue(embedded.toString().contains("CURVE"), embedded.toString());
        } finally {
            embedded.shutdownNow();
            assertTrue(embedded.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    /** Member keys cannot start the embedded default's broker. */
    @Test
    void embedded_memberKeys_refusedWithTheFix() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> DistributedExecutor.builder()
                .keys(RunKeys.parse(keys.memberLine())).build());
        assertEquals("the embedded default starts its own CURVE broker, which needs the broker's secret key that"
                + " RunKeys[CURVE, member keys] lack: pass RunKeys.generate(), or connect(address, keys) to the"
                + " broker of these keys", e.getMessage());
    }
}
