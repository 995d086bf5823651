package io.scoop.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every message kind in {@link Messages} read back as written, field by field; and the reads that hostile
 * input reaches (counts, lengths, truncations, trailing bytes) fail with {@link MalformedMessageException}
 * before allocating anything from the wire.
 */
class MessagesTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /* ---------------- round trips ---------------- */

    @Test
    void hello_roundTrip() {
        Hello h = new Hello(Hello.WORKER, "w-ünï", 8, 32, Long.MAX_VALUE, "host.example");
        byte[] body = Messages.hello(h);
        assertEquals(Command.HELLO, Command.of(body));
        assertEquals(h, Messages.readHello(body));
    }

    @Test
    void tasks_roundTrip() {
        List<TaskItem> items = List.of(new TaskItem(1, 0, 0, bytes("a")), new TaskItem(Long.MIN_VALUE, -5, 7,
                new byte[0]), new TaskItem(Long.MAX_VALUE, Integer.MAX_VALUE, Integer.MIN_VALUE, new byte[1000]),
                new TaskItem(3, 0, 2, 5, "host:alpha", bytes("with its own attempt limit and a target")));
        byte[] body = Messages.tasks("root-1", items);
        assertEquals(Command.TASKS, Command.of(body));
        Messages.Batch<TaskItem> read = Messages.readTasks(body);
        assertEquals("root-1", read.from());
        assertTasksEqual(items, read.items());
    }

    @Test
    void dispatch_roundTrip() {
        List<TaskItem> items = List.of(new TaskItem(9, 1, 2, bytes("payload")), new TaskItem(10, 0, 0, bytes("")));
        byte[] body = Messages.dispatch(items);
        assertEquals(Command.DISPATCH, Command.of(body));
        assertTasksEqual(items, Messages.readDispatch(body));
        assertTasksEqual(List.of(), Messages.readDispatch(Messages.dispatch(List.of())));
    }

    @Test
    void results_roundTrip() {
        List<ResultItem> items = List.of(new ResultItem(3, Status.OK, 12345, bytes("r")),
                new ResultItem(-1, Status.RETURNED, Long.MAX_VALUE, new byte[0]),
                new ResultItem(4, Status.BROKEN, 0, bytes("why")),
                new ResultItem(5, Status.FAILED, 7, bytes("f"), new RunInfo(99, "w1", "node-ü", 4242, 2, 10, 20, -1,
                        3, bytes("out"), 0, new byte[0], List.of(new RunInfo.OutputFile("sub/a.txt", bytes("A")),
                        new RunInfo.OutputFile("b", new byte[0])))));
        byte[] body = Messages.results("w-2", items);
        assertEquals(Command.RESULTS, Command.of(body));
        Messages.Batch<ResultItem> read = Messages.readResults(body);
        assertEquals("w-2", read.from());
        assertEquals(items.size(), read.items().size());
        for (int i = 0; i < items.size(); i++) {
            ResultItem a = items.get(i);
            ResultItem b = read.items().get(i);
            assertEquals(a.id(), b.id());
            assertEquals(a.status(), b.status());
            assertEquals(a.nanos(), b.nanos());
            assertArrayEquals(a.payload(), b.payload());
            assertEquals(a.run() == null, b.run() == null);
            if (a.run() != null) {
                RunInfo x = a.run();
                RunInfo y = b.run();
                assertEquals(List.of(x.taskId(), x.worker(), x.host(), x.pid(), x.attempt(), x.queuedNanos(),
                        x.waitNanos(), x.allocatedBytes(), x.outDropped(), x.errDropped()), List.of(y.taskId(),
                        y.worker(), y.host(), y.pid(), y.attempt(), y.queuedNanos(), y.waitNanos(),
                        y.allocatedBytes(), y.outDropped(), y.errDropped()));
                assertArrayEquals(x.out(), y.out());
                assertArrayEquals(x.err(), y.err());
                assertEquals(x.files().size(), y.files().size());
                for (int k = 0; k < x.files().size(); k++) {
                    assertEquals(x.files().get(k).name(), y.files().get(k).name());
                    assertArrayEquals(x.files().get(k).bytes(), y.files().get(k).bytes());
                }
            }
        }
    }

    @Test
    void cancel_roundTrip() {
        for (boolean interrupt : new boolean[] {true, false}) {
            byte[] body = Messages.cancel("root", 42, new long[] {1, Long.MAX_VALUE, -3}, interrupt);
            assertEquals(Command.CANCEL, Command.of(body));
            Messages.Cancel c = Messages.readCancel(body);
            assertEquals("root", c.from());
            assertEquals(42, c.tag());
            assertArrayEquals(new long[] {1, Long.MAX_VALUE, -3}, c.ids());
            assertEquals(interrupt, c.interrupt());
        }
        Messages.Cancel empty = Messages.readCancel(Messages.cancel("", 0, new long[0], false));
        assertEquals("", empty.from());
        assertEquals(0, empty.ids().length);
    }

    @Test
    void heartbeats_roundTrip() {
        byte[] peer = Messages.peerHeartbeat("r-7", Hello.ROOT);
        assertEquals(Command.HEARTBEAT, Command.of(peer));
        assertEquals(new Messages.PeerHeartbeat("r-7", Hello.ROOT), Messages.readPeerHeartbeat(peer));

        byte[] broker = Messages.brokerHeartbeat(3, 12);
        assertEquals(Command.HEARTBEAT, Command.of(broker));
        assertEquals(new Messages.ClusterSize(3, 12), Messages.readBrokerHeartbeat(broker));
    }

    @Test
    void byeCreditLost_roundTrip() {
        byte[] bye = Messages.named(Command.BYE, "w-1");
        assertEquals(Command.BYE, Command.of(bye));
        assertEquals("w-1", Messages.readName(bye));

        byte[] credit = Messages.credit("w-1", -17);
        assertEquals(Command.CREDIT, Command.of(credit));
        assertEquals(new Messages.Credit("w-1", -17), Messages.readCredit(credit));

        byte[] lost = Messages.lost("*", "every worker has exited");
        assertEquals(Command.LOST, Command.of(lost));
        assertEquals(new Messages.Lost("*", "every worker has exited"), Messages.readLost(lost));
    }

    @Test
    void holdStealLend_roundTrip_andAHoldNamesARootWithinTheLimit() {
        assertEquals(new Messages.Hold("w1/root-7-1", 12), Messages.readHold(Messages.hold("w1/root-7-1", 12)));
        assertEquals(Command.HOLD, Command.of(Messages.hold("r", 1)));
        assertEquals(5, Messages.readSteal(Messages.steal(5)));
        assertEquals(Command.STEAL, Command.of(Messages.steal(5)));
        assertEquals(new Messages.Credit("w1", -1), Messages.readLend(Messages.lend("w1", -1)));
        assertEquals(Command.LEND, Command.of(Messages.lend("w1", 1)));
        assertThrows(MalformedMessageException.class,
                () -> Messages.readHold(Messages.hold("r".repeat(Messages.MAX_NAME_BYTES + 1), 1)));
    }

    @Test
    void bare_roundTrip() {
        for (Command c : List.of(Command.SHUTDOWN, Command.STOP, Command.BYE)) {
            byte[] body = Messages.bare(c);
            assertEquals(1, body.length);
            assertEquals(c, Command.of(body));
        }
        assertTrue(Command.STOP.isControl());
        assertTrue(Command.LOST.isControl());
        assertFalse(Command.TASKS.isControl());
    }

    @Test
    void commandOf_unknownOrEmpty_isNull() {
        assertEquals(null, Command.of(null));
        assertEquals(null, Command.of(new byte[0]));
        assertEquals(null, Command.of(new byte[] {0}));
        assertEquals(null, Command.of(new byte[] {(byte) (Command.values().length + 1)}));
        assertEquals(null, Command.of(new byte[] {31}));
        assertEquals(null, Command.of(new byte[] {(byte) 0xff}));
        assertEquals(null, Command.of(new byte[] {100}));
    }

    /* ---------------- hostile input ---------------- */

    @Test
    void taskCount_thatTheBodyCannotHold_isRefusedBeforeAllocating() {
        for (int count : new int[] {-1, Integer.MAX_VALUE, Integer.MIN_VALUE, 2}) {
            byte[] body = new WireWriter(32).command(Command.TASKS).string("r").i32(count)
                    .i64(1).i32(0).i32(0).bytes(bytes("x")).toByteArray();
            MalformedMessageException e = assertThrows(MalformedMessageException.class, () -> Messages.readTasks(body));
            assertTrue(e.getMessage().contains("item count " + count), e.getMessage());
        }
        byte[] dispatch = new WireWriter(8).command(Command.DISPATCH).i32(Integer.MAX_VALUE).toByteArray();
        assertThrows(MalformedMessageException.class, () -> Messages.readDispatch(dispatch));
        byte[] results = new WireWriter(8).command(Command.RESULTS).string("w").i32(-1).toByteArray();
        assertThrows(MalformedMessageException.class, () -> Messages.readResults(results));
        byte[] cancel = new WireWriter(8).command(Command.CANCEL).string("r").i64(1).i32(1 << 30).toByteArray();
        assertThrows(MalformedMessageException.class, () -> Messages.readCancel(cancel));
    }

    @Test
    void stringLength_thatOverflowsOrOverruns_isRefused() {
        for (int len : new int[] {0x7FFFFFFF, 0x7FFFFFF0, -1, Integer.MIN_VALUE, 10}) {
            byte[] body = new WireWriter(16).command(Command.BYE).i32(len).u8('a').toByteArray();
            MalformedMessageException e = assertThrows(MalformedMessageException.class, () -> Messages.readName(body));
            assertTrue(e.getMessage().contains("length " + len), e.getMessage());
        }
    }

    /**
     * Names, labels and failure texts that a peer could make as large as a message are refused past their
     * limits (the status page shows them, every task record repeats them), and a heartbeat may list no more
     * running tasks than a worker sends.
     */
    @Test
    void oversizeNamesLabelsAndRunningLists_areRefused() {
        String longName = "n".repeat(Messages.MAX_NAME_BYTES + 1);
        assertThrows(MalformedMessageException.class,
                () -> Messages.readHello(Messages.hello(new Hello(Hello.WORKER, longName, 1, 1, 1, "h"))));
        assertThrows(MalformedMessageException.class,
                () -> Messages.readHello(Messages.hello(new Hello(Hello.WORKER, "w", 1, 1, 1, longName))));
        assertEquals("w", Messages.readHello(Messages.hello(new Hello(Hello.WORKER, "w", 1, 1, 1,
                "h".repeat(Messages.MAX_NAME_BYTES)))).name());

        WireWriter w = new WireWriter(256).command(Command.HEARTBEAT).string("w1").u8(Hello.WORKER).i32(10).i64(1)
                .i64(2).i32(Messages.MAX_RUNNING + 1);
        for (int i = 0; i <= Messages.MAX_RUNNING; i++) {
            w.i64(i).string("t");
        }
        byte[] tooMany = w.toByteArray();
        assertThrows(MalformedMessageException.class, () -> Messages.readPeerHeartbeat(tooMany));

        RunInfo label = new RunInfo(1, "", "", 0, 0, 0, 0, 0, 0, new byte[0], 0, new byte[0], List.of(),
                "l".repeat(RunInfo.MAX_LABEL_CHARS * 3 + 1), "");
        byte[] results = Messages.results("w", List.of(new ResultItem(1, Status.OK, 1, bytes("x"), label)));
        assertThrows(MalformedMessageException.class, () -> Messages.readResults(results));
        RunInfo failure = new RunInfo(1, "", "", 0, 0, 0, 0, 0, 0, new byte[0], 0, new byte[0], List.of(), "",
                "f".repeat(RunInfo.MAX_FAILURE_CHARS * 3 + 1));
        byte[] failed = Messages.results("w", List.of(new ResultItem(1, Status.FAILED, 1, bytes("x"), failure)));
        assertThrows(MalformedMessageException.class, () -> Messages.readResults(failed));
    }

    @Test
    void everyTruncation_ofEveryKind_isRefused() {
        List<byte[]> valid = List.of(Messages.hello(new Hello(Hello.ROOT, "r", 0, 0, 1, "h")),
                Messages.tasks("r", List.of(new TaskItem(1, 0, 0, bytes("t")))),
                Messages.dispatch(List.of(new TaskItem(1, 0, 0, bytes("t")))),
                Messages.results("w", List.of(new ResultItem(1, Status.OK, 1, bytes("x")))),
                Messages.cancel("r", 1, new long[] {1}, true), Messages.peerHeartbeat("r", Hello.ROOT),
                Messages.brokerHeartbeat(1, 1), Messages.named(Command.BYE, "w"), Messages.credit("w", 1),
                Messages.lost("w", "why"), Messages.hold("w/root", 3), Messages.lend("w", -1), Messages.steal(2));
        for (byte[] body : valid) {
            boolean fromBroker = body.length == 9 && Command.of(body) == Command.HEARTBEAT;
            read(body, fromBroker); // whole: fine
            for (int len = 0; len < body.length; len++) {
                byte[] cut = Arrays.copyOf(body, len);
                if (len == 0) {
                    assertEquals(null, Command.of(cut));
                    continue;
                }
                assertThrows(MalformedMessageException.class, () -> read(cut, fromBroker), Command.of(body) + " cut at " + len);
            }
            byte[] longer = Arrays.copyOf(body, body.length + 1);
            assertThrows(MalformedMessageException.class, () -> read(longer, fromBroker), Command.of(body) + " with a byte more");
        }
    }

    /** Reads {@code body} with the reader for its command (HEARTBEAT: the broker's layout or a peer's). */
    private static void read(byte[] body, boolean fromBroker) {
        switch (Command.of(body)) {
            case HELLO -> Messages.readHello(body);
            case TASKS -> Messages.readTasks(body);
            case DISPATCH -> Messages.readDispatch(body);
            case RESULTS -> Messages.readResults(body);
            case CANCEL -> Messages.readCancel(body);
            case HEARTBEAT -> {
                if (fromBroker) {
                    Messages.readBrokerHeartbeat(body);
                } else {
                    Messages.readPeerHeartbeat(body);
                }
            }
            case BYE -> Messages.readName(body);
            case CREDIT -> Messages.readCredit(body);
            case LOST -> Messages.readLost(body);
            case HOLD -> Messages.readHold(body);
            case LEND -> Messages.readLend(body);
            case STEAL -> Messages.readSteal(body);
            default -> throw new AssertionError(Command.of(body));
        }
    }

    private static void assertTasksEqual(List<TaskItem> expected, List<TaskItem> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            TaskItem a = expected.get(i);
            TaskItem b = actual.get(i);
            assertEquals(a.id(), b.id());
            assertEquals(a.priority(), b.priority());
            assertEquals(a.attempt(), b.attempt());
            assertEquals(a.maxAttempts(), b.maxAttempts());
            assertEquals(a.target(), b.target());
            assertArrayEquals(a.payload(), b.payload());
        }
    }

    @Test
    void workers_queryAndAnswer_roundTrip() {
        Messages.WorkersQuery q = Messages.readWorkersQuery(Messages.workersQuery("root-1", -5));
        assertEquals("root-1", q.from());
        assertEquals(-5, q.tag());
        List<Messages.WorkerEntry> list = List.of(new Messages.WorkerEntry("w1", "alpha", 42, 2),
                new Messages.WorkerEntry("w2", "", Long.MAX_VALUE, 1));
        Messages.Workers w = Messages.readWorkers(Messages.workers(9, list));
        assertEquals(9, w.tag());
        assertEquals(list, w.workers());
        assertEquals(List.of(), Messages.readWorkers(Messages.workers(1, List.of())).workers());
    }

    @Test
    void shareAndFetch_roundTrip() {
        Messages.Share share = Messages.readShare(Messages.share("r1", "abc", bytes("value")));
        assertEquals("r1", share.from());
        assertEquals("abc", share.key());
        assertArrayEquals(bytes("value"), share.bytes());
        Messages.Shared answer = Messages.readShared(Messages.shared("abc", "too big"));
        assertEquals("abc", answer.key());
        assertEquals("too big", answer.refusal());
        Messages.Fetch fetch = Messages.readFetch(Messages.fetch("w1", "abc"));
        assertEquals("w1", fetch.from());
        assertEquals("abc", fetch.key());
        assertArrayEquals(bytes("value"), Messages.readFetched(Messages.fetched("abc", bytes("value"))).bytes());
        assertEquals(null, Messages.readFetched(Messages.fetched("abc", null)).bytes());
    }
}
