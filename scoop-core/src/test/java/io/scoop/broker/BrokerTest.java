package io.scoop.broker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.scoop.internal.Link;
import io.scoop.internal.Sockets;
import io.scoop.wire.Command;
import io.scoop.wire.Hello;
import io.scoop.wire.Messages;
import io.scoop.wire.ResultItem;
import io.scoop.wire.Status;
import io.scoop.wire.TaskItem;
import io.scoop.wire.WireReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.zeromq.ZContext;

/**
 * The broker's protocol, spoken by hand over real sockets, with time on a fake ticker: credit, routing,
 * expiry and requeueing, attempts, cancel. No worker JVMs here.
 */
class BrokerTest {
    private final AtomicLong now = new AtomicLong();
    private ZContext ctx;
    private Broker broker;
    private final List<Link> links = new ArrayList<>();

    @BeforeEach
    void start() {
        ctx = Sockets.context();
        broker = Broker.builder().ticker(now::get).heartbeat(100, 1000).maxAttempts(2).noWorkerTimeout(5000).start();
    }

    @AfterEach
    void stop() {
        for (Link l : links) {
            l.close();
            l.closeReceiver();
        }
        broker.close();
        ctx.close();
    }

    private Link peer(String name, int role, int credit) {
        Link l = new Link(ctx, broker.address(), name, 50);
        links.add(l);
        l.handshake(new Hello(role, name, 1, credit, 1, "test"), 5000);
        return l;
    }

    /** Receives the next message of the given command, skipping heartbeats. */
    private static byte[] next(Link l, Command c) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            byte[] body = l.receive();
            if (body != null && Command.of(body) == c) {
                return body;
            }
        }
        throw new AssertionError("no " + c + " within 10 s");
    }

    private static List<TaskItem> dispatched(byte[] body) {
        return Messages.readTasks(new WireReader(body).afterCommand());
    }

    private static List<ResultItem> results(byte[] body) {
        WireReader r = new WireReader(body).afterCommand();
        r.string();
        return Messages.readResults(r);
    }

    /** Sends tasks 1..n, with payloads "t1".."tn", from the peer named "root". */
    private static void sendTasks(Link root, int n) {
        List<TaskItem> tasks = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            tasks.add(new TaskItem(i, 0, 0, bytes("t" + i)));
        }
        root.send(Messages.tasks("root", tasks));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A worker never gets more tasks than its credit; each result returns one credit. */
    @Test
    void dispatch_neverExceedsCredit_andResultsReturnCredit() {
        Link root = peer("root", Hello.ROOT, 0);
        Link worker = peer("w1", Hello.WORKER, 2);
        sendTasks(root, 5);
        List<TaskItem> got = dispatched(next(worker, Command.DISPATCH));
        assertEquals(2, got.size());
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.stats().queued() == 3);
        worker.send(Messages.results("w1", List.of(new ResultItem(got.get(0).id(), Status.OK, 1, bytes("r")))));
        List<ResultItem> back = results(next(root, Command.RESULTS));
        assertEquals(1, back.size());
        assertEquals(1, back.get(0).id());
        assertArrayEquals(bytes("r"), back.get(0).payload());
        assertEquals(1, dispatched(next(worker, Command.DISPATCH)).size());
    }

    /**
     * A worker whose HELLO went unanswered says it again; the broker answers again and keeps the worker as it
     * was: one worker, its credit counted once, its tasks still its own.
     */
    @Test
    void hello_repeatedBySameProcess_answeredAgain_creditCountedOnce() {
        Link root = peer("root", Hello.ROOT, 0);
        Link worker = peer("w1", Hello.WORKER, 2);
        sendTasks(root, 5);
        List<TaskItem> got = dispatched(next(worker, Command.DISPATCH));
        assertEquals(2, got.size());
        byte[] answer = worker.handshake(new Hello(Hello.WORKER, "w1", 1, 2, 1, "test"), 5000);
        assertEquals(Command.HEARTBEAT, Command.of(answer));
        worker.send(Messages.results("w1", List.of(new ResultItem(got.get(0).id(), Status.OK, 1, bytes("r")))));
        List<TaskItem> next = dispatched(next(worker, Command.DISPATCH));
        assertEquals(1, next.size(), "one credit came back, so one task");
        assertArrayEquals(bytes("t3"), next.get(0).payload(), "the held tasks were not taken away and requeued");
        assertEquals(0, next.get(0).attempt());
        assertEquals(1, broker.stats().workers());
    }

    /**
     * Roots that say BYE and close their sockets at once, while the broker answers the BYE, never stall the
     * broker: a send to a closing peer fails at once instead of waiting for its pipe.
     */
    @Test
    void bye_peersClosingAsTheBrokerAnswers_neverStallTheBroker() {
        for (int i = 0; i < 60; i++) {
            String name = "leaver" + i;
            Link l = new Link(ctx, broker.address(), name, 50);
            // A stalled broker never answers again; a slow machine may take a while.
            l.handshake(new Hello(Hello.ROOT, name, 0, 0, 1, "test"), 30_000);
            l.send(Messages.named(Command.BYE, name));
            l.close();
            l.closeReceiver();
        }
        Link probe = peer("probe", Hello.WORKER, 1);
        Link root = peer("root", Hello.ROOT, 0);
        root.send(Messages.tasks("root", List.of(new TaskItem(1, 0, 0, bytes("after")))));
        assertArrayEquals(bytes("after"), dispatched(next(probe, Command.DISPATCH)).get(0).payload());
    }

    /** A worker silent past the expiry is dropped and its tasks go to another worker. */
    @Test
    void expiry_silentWorker_tasksRequeuedToAnother() {
        Link root = peer("root", Hello.ROOT, 0);
        Link w1 = peer("w1", Hello.WORKER, 1);
        root.send(Messages.tasks("root", List.of(new TaskItem(7, 0, 0, bytes("seven")))));
        TaskItem first = dispatched(next(w1, Command.DISPATCH)).get(0);
        assertEquals(0, first.attempt());
        now.addAndGet(2_000_000_000L);
        root.send(Messages.peerHeartbeat("root", Hello.ROOT));
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.stats().workers() == 0);
        Link w2 = peer("w2", Hello.WORKER, 1);
        TaskItem again = dispatched(next(w2, Command.DISPATCH)).get(0);
        assertArrayEquals(bytes("seven"), again.payload());
        assertEquals(1, again.attempt());
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.stats().workers() == 1);
    }

    /** A task whose workers keep dying fails with LOST once it has been tried maxAttempts times. */
    @Test
    void workerLost_attemptsExhausted_rootGetsLost() {
        Link root = peer("root", Hello.ROOT, 0);
        root.send(Messages.tasks("root", List.of(new TaskItem(3, 0, 0, bytes("x")))));
        for (String w : List.of("w1", "w2")) {
            Link worker = peer(w, Hello.WORKER, 1);
            dispatched(next(worker, Command.DISPATCH));
            broker.workerLost(w, "killed for the test");
        }
        ResultItem r = results(next(root, Command.RESULTS)).get(0);
        assertEquals(Status.LOST, r.status());
        String why = new String(r.payload(), StandardCharsets.UTF_8);
        assertEquals(true, why.contains("tried 2 times"), why);
    }

    /** Cancel of a queued task removes it; a tagged cancel reports it as never started. */
    @Test
    void cancel_queuedTask_isRemovedAndReported() {
        Link root = peer("root", Hello.ROOT, 0);
        root.send(Messages.tasks("root", List.of(new TaskItem(1, 0, 0, bytes("a")), new TaskItem(2, 0, 0, bytes("b")))));
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.stats().queued() == 2);
        root.send(Messages.cancel("root", 99, new long[] {2}, true));
        WireReader r = new WireReader(next(root, Command.CANCEL)).afterCommand();
        r.string();
        assertEquals(99, r.i64());
        assertEquals(1, r.i32());
        assertEquals(2, r.i64());
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.stats().queued() == 1);
        Link worker = peer("w1", Hello.WORKER, 5);
        List<TaskItem> got = dispatched(next(worker, Command.DISPATCH));
        assertEquals(1, got.size());
        assertArrayEquals(bytes("a"), got.get(0).payload());
    }

    /** Higher priority (a child of a running task) is dispatched before earlier, lower-priority tasks. */
    @Test
    void dispatch_higherPriorityFirst() {
        Link root = peer("root", Hello.ROOT, 0);
        root.send(Messages.tasks("root", List.of(new TaskItem(1, 0, 0, bytes("low")),
                new TaskItem(2, 3, 0, bytes("high")))));
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.stats().queued() == 2);
        Link worker = peer("w1", Hello.WORKER, 1);
        assertArrayEquals(bytes("high"), dispatched(next(worker, Command.DISPATCH)).get(0).payload());
    }
}
