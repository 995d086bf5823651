package io.scoop;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scoop.Rogues.MarkerTask;
import io.scoop.broker.Broker;
import io.scoop.internal.Link;
import io.scoop.internal.LocalWorkers;
import io.scoop.internal.Sockets;
import io.scoop.wire.Hello;
import io.scoop.wire.KryoCodec;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
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

/**
 * A broker guarded by a token (ZeroMQ PLAIN) over real TCP sockets, with a real worker JVM given the token on
 * its stdin: members get correct results; processes without the token (plain, PLAIN with another token or
 * another user name, CURVE) get nothing in and nothing out while the root keeps working; a peer with a wrong
 * token fails at once with a message that says so; and the embedded default guards its own broker with a
 * token of its own.
 */
class TokenTest {
    /*
     * One broker and one worker serve the whole class (JVMs are costly on two cores). Every rogue socket lives
     * in its own context, closed after each test.
     */

    private static final List<String> FAST_JVM = List.of("-Xshare:auto", "-XX:TieredStopAtLevel=1");
    private static final Duration QUIET = Duration.ofSeconds(2);

    private static RunKeys token;
    private static Broker broker;
    private static LocalWorkers workers;
    private static DistributedExecutor root;

    private final List<ZContext> contexts = new ArrayList<>();

    @TempDir
    Path dir;

    @BeforeAll
    static void startCluster() throws IOException {
        token = RunKeys.token();
        broker = Broker.builder().heartbeat(300, 3000).noWorkerTimeout(3000).secure(token).start();
        workers = new LocalWorkers(new LocalWorkers.Spec(broker.address(), System.getProperty("java.class.path"),
                FAST_JVM, 1, 300, 3000, "w", System.out, System.err, token),
                (name, code, why, remaining) -> broker.workerLost(name, why));
        workers.start(1);
        // The root holds what the launcher hands it: the token line, parsed.
        root = DistributedExecutor.builder().connect(broker.address(), RunKeys.parse(token.memberLine())).build();
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

    /** A root and a worker holding the run's token get correct results through a token broker. */
    @Test
    void members_withTheToken_getCorrectResults() throws Exception {
        await("the worker joined").atMost(Duration.ofSeconds(30)).until(() -> root.workerCount() == 1);

        long sum = root.map((Integer x) -> (long) x * x, IntStream.rangeClosed(1, 200).boxed().toList())
                .mapToLong(Long::longValue).sum();

        assertEquals(2_686_700L, sum);
        assertEquals(42, root.submit(() -> 6 * 7).get(30, TimeUnit.SECONDS));
        assertTrue(broker.isSecure());
        assertFalse(broker.isCurve());
        assertTrue(broker.toString().contains("(token)"), broker.toString());
        assertTrue(root.toString().contains("with a token"), root.toString());
    }

    /** A task on a token worker submits child tasks: the worker's nested connection presents the token too. */
    @Test
    void nestedTasks_onATokenWorker_getCorrectResults() throws Exception {
        await("the worker joined").atMost(Duration.ofSeconds(30)).until(() -> root.workerCount() == 1);

        int sum = root.submit(() -> {
            DistributedExecutor nested = DistributedExecutor.current();
            return nested.submit(() -> 20).get(30, TimeUnit.SECONDS)
                    + nested.submit(() -> 22).get(30, TimeUnit.SECONDS);
        }).get(60, TimeUnit.SECONDS);

        assertEquals(42, sum);
        assertEquals(1, broker.stats().workers());
    }

    /* ---------------- rogues ---------------- */

    /**
     * Rogues without the token (plain; PLAIN with another run's token; PLAIN with the right token but another
     * user name; a CURVE client) say HELLO as a worker and as a root and send a task that would write a marker
     * file: they receive nothing, the broker counts none of them, the task never runs, and meanwhile the real
     * root keeps getting correct results.
     */
    @Test
    void rogues_withoutTheToken_receiveNothingAndRunNothing() throws Exception {
        await("the worker joined").atMost(Duration.ofSeconds(30)).until(() -> root.workerCount() == 1);
        Path marker = dir.resolve("rogue-task-ran");
        byte[] payload = KryoCodec.encode(new MarkerTask(marker.toString()));
        long refusalsBefore = broker.refusals();
        // The members' counts, which the rogues must not change (a nested test may have left a nested root).
        Broker.Stats before = broker.stats();
        try (Rogues rogues = new Rogues()) {
            rogues.add(broker.address(), "plain", sock -> { }, payload);
            rogues.add(broker.address(), "other-token", sock -> Sockets.secureClient(sock, RunKeys.token()), payload);
            rogues.add(broker.address(), "other-user", sock -> {
                sock.setPlainUsername("root");
                sock.setPlainPassword(token.plainPassword());
            }, payload);
            rogues.add(broker.address(), "curve", sock -> Sockets.secureClient(sock, RunKeys.generate().forMembers()),
                    payload);

            await("rogues hear nothing while the root works").during(QUIET).atMost(QUIET.plusSeconds(10))
                    .pollInterval(Duration.ofMillis(100)).until(() -> {
                        Broker.Stats st = broker.stats();
                        return rogues.heardNothing() && st.workers() == before.workers()
                                && st.roots() == before.roots()
                                && root.submit(() -> 6 * 7).get(10, TimeUnit.SECONDS) == 42;
                    });
        }
        await("the broker holds no task").atMost(Duration.ofSeconds(5)).until(() -> broker.stats().tasks() == 0);

        assertFalse(Files.exists(marker), "a rogue's task ran");
        assertTrue(broker.refusals() >= refusalsBefore + 2,
                "the PLAIN rogues (another token, another user) were refused by the ZAP handler");
        // The marker task itself works: sent by the real root, it runs.
        Path control = dir.resolve("root-task-ran");
        assertEquals("ran", root.submit(new MarkerTask(control.toString())).get(30, TimeUnit.SECONDS));
        assertTrue(Files.exists(control));
    }

    /* ---------------- errors ---------------- */

    /** A peer with another run's token is refused by the broker at once, and the message says so and the fix. */
    @Test
    void handshake_otherToken_failsAtOnceSayingRefused() {
        ZContext ctx = Sockets.context();
        contexts.add(ctx);
        Link link = new Link(ctx, broker.address(), "w-other-token", 50, RunKeys.token());
        long t0 = System.nanoTime();

        ClusterBrokenException e = assertThrows(ClusterBrokenException.class,
                () -> link.handshake(new Hello(Hello.WORKER, "w-other-token", 1, 1, 1, "test"), 20_000));

        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10), "refused at once, not at the timeout");
        assertTrue(e.getMessage().startsWith("the Scoop broker at " + broker.address() + " refused this worker"
                + " (w-other-token): its token is not this run's (status 400). A worker reads the run's key line"
                + " on stdin (WorkerMain --keys-stdin)"), e.getMessage());
        assertFalse(e.getMessage().contains(token.memberLine().split(" ")[1]), "the message shows the token");
    }

    /** A worker JVM given another token exits by itself (code 4), saying that the broker refused it. */
    @Test
    void workerJvm_otherToken_exitsSayingRefused() throws IOException {
        List<String> why = new CopyOnWriteArrayList<>();
        List<String> said = new CopyOnWriteArrayList<>();
        PrintStream err = new PrintStream(new OutputStream() {
            private final StringBuilder line = new StringBuilder();

            @Override
            public synchronized void write(int b) {
                System.err.write(b);
                if (b == '\n') {
                    said.add(line.toString());
                    line.setLength(0);
                } else {
                    line.append((char) b);
                }
            }
        }, true);
        long t0 = System.nanoTime();
        try (LocalWorkers rogueWorkers = new LocalWorkers(new LocalWorkers.Spec(broker.address(),
                System.getProperty("java.class.path"), FAST_JVM, 1, 300, 3000, "rogue-w", System.out, err,
                RunKeys.token()), (name, code, w, remaining) -> why.add(code + ": " + w))) {
            rogueWorkers.start(1);
            // The worker gives up by itself after 30 s if it never hears the refusal: wait past that, so that a
            // failure shows what it said rather than a bare timeout.
            await("the worker with another token exits").atMost(Duration.ofSeconds(50)).until(() -> !why.isEmpty());
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
        assertTrue(seconds < 25, "refused at once, not at the worker's 30 s handshake deadline (" + seconds
                + " s); the worker said " + said + "; broker refusals " + broker.refusals());

        assertTrue(why.get(0).startsWith("4: "), why.toString());
        assertTrue(why.get(0).contains("refused this worker"), why.toString());
        assertTrue(why.get(0).contains("its token is not this run's"), why.toString());
        assertEquals(1, broker.stats().workers());
    }

    /* ---------------- the embedded default ---------------- */

    /**
     * The embedded default, given no keys, makes a token: its workers read it on stdin and run tasks, and a
     * plain rogue on the broker's TCP address (loopback) gets nothing in and nothing out.
     */
    @Test
    void embedded_noKeys_usesATokenAndRefusesAPlainRogue() throws Exception {
        DistributedExecutor embedded = DistributedExecutor.builder().workers(1)
                .jvmOptions(FAST_JVM.toArray(String[]::new)).build();
        try {
            assertEquals(42, embedded.submit(() -> 6 * 7).get(30, TimeUnit.SECONDS));
            assertTrue(embedded.toString().contains("embedded, 1 local workers, token"), embedded.toString());
            String address = embedded.brokerAddress();
            assertTrue(address.startsWith("tcp://127.0.0.1:"), address);
            List<String> workerArgs = embedded.submit(() -> List.of(ProcessHandle.current().info().arguments()
                    .orElse(new String[0]))).get(30, TimeUnit.SECONDS);
            assertTrue(workerArgs.contains("--keys-stdin"), workerArgs.toString());
            assertTrue(workerArgs.contains(address), "the worker dials the broker's TCP address: " + workerArgs);

            Path marker = dir.resolve("rogue-task-ran");
            try (Rogues rogues = new Rogues()) {
                rogues.add(address, "plain", sock -> { }, KryoCodec.encode(new MarkerTask(marker.toString())));
                await("the plain rogue hears nothing while the root works").during(QUIET)
                        .atMost(QUIET.plusSeconds(10)).pollInterval(Duration.ofMillis(100))
                        .until(() -> rogues.heardNothing() && embedded.workerCount() == 1
                                && embedded.submit(() -> 6 * 7).get(10, TimeUnit.SECONDS) == 42);
            }
            assertFalse(Files.exists(marker), "the rogue's task ran");
        } finally {
            embedded.shutdownNow();
            assertTrue(embedded.awaitTermination(10, TimeUnit.SECONDS));
        }
    }
}
