package io.scoop;

import static io.scoop.RawPeer.concat;
import static io.scoop.RawPeer.greeting;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scoop.broker.Broker;
import io.scoop.internal.LocalWorkers;
import io.scoop.internal.Sockets;
import io.scoop.wire.Command;
import io.scoop.wire.Hello;
import io.scoop.wire.Messages;
import io.scoop.wire.ResultItem;
import io.scoop.wire.Status;
import io.scoop.wire.TaskItem;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * 10,000 malformed messages from peers without the token, and 10,000 from a peer holding it (among some 2,600
 * mutants that still parse; valid messages of every kind, mutated: truncated, counts and lengths overwritten, bits flipped, bytes appended, control
 * messages it may not send), with a fixed seed, while a map runs on a token broker with a real worker JVM:
 * the map is right, the broker's thread lives on and still routes, it counts exactly the bad messages that
 * reached it, and its stderr stays a few lines.
 */
class FuzzTest {
    private static final List<String> FAST_JVM = List.of("-Xshare:auto", "-XX:TieredStopAtLevel=1");
    private static final int MESSAGES = 10_000;
    private static final int N = 1000;
    private static final long SUM_OF_SQUARES = (long) N * (N + 1) * (2 * N + 1) / 6;

    private static RunKeys token;
    private static Broker broker;
    private static LocalWorkers workers;
    private static DistributedExecutor root;
    private static final List<ZContext> contexts = new ArrayList<>();

    @BeforeAll
    static void startCluster() throws IOException {
        token = RunKeys.token();
        broker = Broker.builder().heartbeat(300, 3000).noWorkerTimeout(3000).secure(token).start();
        workers = new LocalWorkers(new LocalWorkers.Spec(broker.address(), System.getProperty("java.class.path"),
                FAST_JVM, 2, 300, 3000, "w", System.out, System.err, token),
                (name, code, why, remaining) -> broker.workerLost(name, why));
        workers.start(1);
        root = DistributedExecutor.builder().connect(broker.address(), token.forMembers()).build();
    }

    @AfterAll
    static void stopCluster() {
        contexts.forEach(Sockets::close);
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

    @Test
    void tenThousandBadMessages_fromRoguesAndFromAMember_mapCompletes_brokerCountsThem() throws Exception {
        await("the worker joined").atMost(Duration.ofSeconds(30)).until(() -> root.workerCount() == 1);
        long badBefore = broker.stats().badMessages();
        Random random = new Random(8);
        List<byte[]> fuzz = new ArrayList<>(MESSAGES);
        int expectedBad = 0;
        while (expectedBad < MESSAGES) {
            byte[] m = mutate(valid(random), random);
            Verdict v = verdict(m);
            if (v == Verdict.UNSAFE) {
                continue;
            }
            fuzz.add(m);
            expectedBad += v == Verdict.BAD ? 1 : 0;
        }
        // The mutants that still parse (a flipped bit in a payload...) go too: the broker must take them as any.
        assertTrue(fuzz.size() < MESSAGES * 3 / 2, "most mutants are malformed: " + fuzz.size());

        CountingErr err = CountingErr.install();
        int rawFrames;
        long t0 = System.nanoTime();
        try {
            CompletableFuture<Long> map = CompletableFuture.supplyAsync(() -> root.map((Integer x) -> {
                LockSupport.parkNanos(1_000_000);
                return (long) x * x;
            }, IntStream.rangeClosed(1, N).boxed().toList()).mapToLong(Long::longValue).sum());

            // The member connects first, and proves it is through the handshake with a round trip: under the
            // garbage below, a handshake still under way could pass the broker's 10 s limit and be dropped with
            // the member's queued messages, and the count would wait for messages that never came.
            ZMQ.Socket member = dealer("fuzz", token.forMembers());
            member.setReceiveTimeOut(30_000);
            member.send(Messages.workersQuery("fuzz", 7), 0);
            byte[] answer = member.recv(0);
            assertTrue(answer != null && Command.of(answer) == Command.WORKERS, "the member's round trip: "
                    + (answer == null ? "no answer in 30 s" : Command.of(answer)));

            // Without the token: a JeroMQ peer (refused by the ZAP handler), and raw ZMTP garbage on sockets.
            ZMQ.Socket rogue = dealer("rogue", null);
            for (byte[] m : fuzz.subList(0, MESSAGES)) {
                rogue.send(m, ZMQ.DONTWAIT);
            }
            rawFrames = sendRawGarbage(random, MESSAGES);
            assertTrue(rawFrames >= MESSAGES);

            // With the token: every mutant reaches the broker's loop.
            for (byte[] m : fuzz) {
                member.send(m, 0);
            }

            long expected = badBefore + expectedBad;
            try {
                await("the broker counted every bad message").atMost(Duration.ofSeconds(30))
                        .until(() -> broker.stats().badMessages() >= expected);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("the broker counted " + broker.stats().badMessages() + " bad messages of "
                        + expected + " in 30 s and printed " + err.brokerLines.get() + " lines about bad input; its"
                        + " stats: " + broker.stats(), e);
            }
            assertEquals(SUM_OF_SQUARES, map.get(60, TimeUnit.SECONDS));
        } finally {
            err.uninstall();
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);

        assertEquals(badBefore + expectedBad, broker.stats().badMessages(),
                "bad messages counted: only the member's reach the broker, and each counts once");
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("scoop-broker") && t.isAlive()), "the broker's thread died");
        assertEquals(42, root.submit(() -> 6 * 7).get(30, TimeUnit.SECONDS));
        assertEquals(1, broker.stats().workers(), "the real worker was dropped");
        // 5 lines, then one summary every 5 s at most (the JeroMQ I/O log likewise), with a little slack.
        long allowed = 2 * (5 + seconds / 5 + 1) + 2;
        assertTrue(err.brokerLines.get() <= allowed, err.brokerLines.get() + " lines on stderr in " + seconds
                + " s, more than " + allowed + ": not rate-limited");
        System.out.println("fuzz: " + expectedBad + " bad of " + fuzz.size() + " member messages, " + rawFrames
                + " raw frames; " + err.brokerLines.get() + " stderr lines in " + seconds + " s");
    }

    /* ---------------- the fuzzer ---------------- */

    /** A valid message of a random kind, as a peer (or the control socket, or the broker) would send it. */
    private static byte[] valid(Random r) {
        byte[] p = new byte[r.nextInt(12)];
        r.nextBytes(p);
        return switch (r.nextInt(21)) {
            case 0 -> Messages.hello(new Hello(Hello.ROOT, "fuzz-r", 0, 0, 1, "fuzz"));
            case 1 -> Messages.hello(new Hello(Hello.WORKER, "fuzz-w", 1, 4, 1, "fuzz"));
            case 2 -> Messages.tasks("fuzz-r", List.of(new TaskItem(r.nextInt(100), 0, 0, p),
                    new TaskItem(r.nextInt(100), 1, 0, p)));
            case 3 -> Messages.dispatch(List.of(new TaskItem(1, 0, 0, p)));
            case 4 -> Messages.results("fuzz-w", List.of(new ResultItem(r.nextInt(100), Status.OK, 1, p),
                    new ResultItem(r.nextInt(100), Status.RETURNED, 1, p), new ResultItem(r.nextInt(100), Status.FAILED,
                    1, p, new io.scoop.wire.RunInfo(1, "", "", 0, 0, 0, 0, 0, 0, p, 0, p,
                    List.of(new io.scoop.wire.RunInfo.OutputFile("f", p))))));
            case 5 -> Messages.cancel("fuzz-r", r.nextInt(3), new long[] {1, 2, 3}, r.nextBoolean());
            case 6 -> Messages.peerHeartbeat("fuzz-r", Hello.ROOT);
            case 7 -> Messages.brokerHeartbeat(1, 1);
            case 8 -> Messages.named(Command.BYE, "fuzz-r");
            case 9 -> Messages.credit("fuzz-w", r.nextInt());
            case 10 -> Messages.lost("*", "a fuzzer says every worker is gone");
            case 11 -> Messages.bare(Command.STOP);
            case 12 -> Messages.bare(Command.SHUTDOWN);
            case 13 -> Messages.workersQuery("fuzz-r", r.nextLong());
            case 15 -> Messages.share("fuzz-r", "k" + r.nextInt(4), p);
            case 16 -> Messages.fetch("fuzz-w", "k" + r.nextInt(4));
            case 14 -> Messages.tasks("fuzz-r", List.of(new TaskItem(r.nextInt(100), 0, r.nextInt(3), r.nextInt(3),
                    r.nextBoolean() ? "host:fuzz" : "worker:w" + r.nextInt(3), p)));
            case 18 -> Messages.hold(r.nextBoolean() ? "fuzz-r" : "w" + r.nextInt(3) + "/root", r.nextInt());
            case 19 -> Messages.lend("fuzz-w", r.nextInt());
            case 20 -> Messages.steal(r.nextInt());
            default -> Messages.lost("w1", "a fuzzer says w1 is gone");
        };
    }

    private static byte[] mutate(byte[] m, Random r) {
        switch (r.nextInt(7)) {
            case 0 -> { // truncated
                return Arrays.copyOf(m, 1 + r.nextInt(m.length));
            }
            case 1, 2 -> { // a count or length overwritten: random, or one of the absurd ones
                if (m.length < 5) {
                    return m;
                }
                int[] absurd = {-1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0x7FFFFFF0, r.nextInt()};
                int v = absurd[r.nextInt(absurd.length)];
                byte[] out = m.clone();
                int at = 1 + r.nextInt(m.length - 4);
                for (int i = 0; i < 4; i++) {
                    out[at + i] = (byte) (v >>> (24 - 8 * i));
                }
                return out;
            }
            case 3 -> { // bits flipped
                byte[] out = m.clone();
                for (int i = 1 + r.nextInt(3); i > 0; i--) {
                    int bit = r.nextInt(out.length * 8);
                    out[bit / 8] ^= (byte) (1 << (bit % 8));
                }
                return out;
            }
            case 4 -> { // bytes appended
                byte[] more = new byte[1 + r.nextInt(8)];
                r.nextBytes(more);
                return concat(m, more);
            }
            case 5 -> { // random bytes after a command byte, any
                byte[] out = new byte[1 + r.nextInt(40)];
                r.nextBytes(out);
                out[0] = (byte) r.nextInt(Command.values().length + 2);
                return out;
            }
            default -> { // as it is: control and broker-only messages must be refused by their sender
                return m;
            }
        }
    }

    private enum Verdict { GOOD, BAD, UNSAFE }

    /**
     * What the broker must make of {@code m} from a member, by its rules: BAD (dropped and counted) or GOOD; a
     * well-formed worker HELLO is UNSAFE for this test (a real worker the fuzzer never serves would take real
     * tasks until it expires), so the fuzzer never sends one.
     */
    private static Verdict verdict(byte[] m) {
        Command c = Command.of(m);
        if (c == null || c.isControl() || c == Command.DISPATCH || c == Command.SHUTDOWN || c == Command.DROPPED
                || c == Command.STEAL) {
            return Verdict.BAD;
        }
        try {
            switch (c) {
                case HELLO -> {
                    if (Messages.readHello(m).isWorker()) {
                        return Verdict.UNSAFE;
                    }
                }
                case TASKS -> Messages.readTasks(m);
                case RESULTS -> Messages.readResults(m);
                case CREDIT -> Messages.readCredit(m);
                case LEND -> Messages.readLend(m);
                case HOLD -> Messages.readHold(m);
                case CANCEL -> Messages.readCancel(m);
                case WORKERS -> Messages.readWorkersQuery(m);
                case SHARE -> Messages.readShare(m);
                case FETCH -> Messages.readFetch(m);
                case HEARTBEAT -> Messages.readPeerHeartbeat(m);
                case BYE -> Messages.readName(m);
                default -> throw new AssertionError(c);
            }
            return Verdict.GOOD;
        } catch (io.scoop.wire.MalformedMessageException e) {
            return Verdict.BAD;
        }
    }

    /** ZMTP garbage on raw sockets: connections of a greeting then short frames of random flags and bytes. */
    private static int sendRawGarbage(Random r, int frames) {
        int sent = 0;
        try (RawPeer raw = new RawPeer(broker.address())) {
            while (sent < frames) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.writeBytes(greeting(r.nextBoolean() ? "PLAIN" : "NULL"));
                for (int i = 0; i < 100; i++) {
                    byte[] body = new byte[r.nextInt(64)];
                    r.nextBytes(body);
                    out.write(r.nextInt(8) & ~0x02); // short frames: MORE and COMMAND bits at random
                    out.write(body.length);
                    out.writeBytes(body);
                }
                raw.send(out.toByteArray());
                sent += 100;
            }
        }
        return sent;
    }

    private static ZMQ.Socket dealer(String identity, RunKeys keys) {
        ZContext ctx = Sockets.context();
        contexts.add(ctx);
        ZMQ.Socket s = Sockets.create(ctx, SocketType.DEALER, identity);
        if (keys != null) {
            Sockets.secureClient(s, keys);
        }
        s.connect(broker.address());
        return s;
    }

    /** Tees System.err, counting the lines the broker and JeroMQ's guard print about bad input. */
    private static final class CountingErr extends OutputStream {
        private final PrintStream original = System.err;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        final AtomicInteger brokerLines = new AtomicInteger();

        static CountingErr install() {
            CountingErr c = new CountingErr();
            System.setErr(new PrintStream(c, true, StandardCharsets.UTF_8));
            return c;
        }

        void uninstall() {
            System.setErr(original);
        }

        @Override
        public synchronized void write(int b) {
            original.write(b);
            if (b != '\n') {
                line.write(b);
                return;
            }
            String s = line.toString(StandardCharsets.UTF_8);
            line.reset();
            if (s.startsWith("scoop broker: dropped") || s.startsWith("scoop broker: ") && s.contains("more like this")
                    || s.startsWith("scoop: JeroMQ's I/O thread")) {
                brokerLines.incrementAndGet();
            }
        }
    }
}
