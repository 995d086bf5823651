package io.scoop.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scoop.wire.Hello;
import io.scoop.wire.Messages;
import io.scoop.wire.ResultItem;
import io.scoop.wire.RunInfo;
import io.scoop.wire.Status;
import io.scoop.wire.TaskItem;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * What the scheduler keeps for the status page, driven message by message with a test clock: counts, the
 * per-second ring, and rings of records and failures that stay the same size however many tasks pass.
 */
class StatusSnapshotTest {
    private final AtomicLong now = new AtomicLong(5_000_000_000L);
    private final List<byte[]> dispatched = new ArrayList<>();
    private final Scheduler s = new Scheduler(now::get, 100_000_000L, 1_000_000_000L, 5_000_000_000L, 2,
            (peer, body) -> {
                if (peer.equals("w") && io.scoop.wire.Command.of(body) == io.scoop.wire.Command.DISPATCH) {
                    dispatched.add(body);
                }
            });

    private static byte[] utf8(String t) {
        return t.getBytes(StandardCharsets.UTF_8);
    }

    /** Runs {@code n} tasks through worker w; every {@code failEvery}-th fails with a trace. */
    private void run(int n, int failEvery, long firstRootId) {
        List<TaskItem> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            items.add(new TaskItem(firstRootId + i, 0, 0, utf8("t")));
        }
        s.onTasks(Messages.readTasks(Messages.tasks("r", items)));
        s.dispatch();
        List<ResultItem> results = new ArrayList<>();
        for (byte[] body : dispatched) {
            for (TaskItem t : Messages.readDispatch(body)) {
                boolean fail = failEvery > 0 && t.id() % failEvery == 0;
                RunInfo run = new RunInfo(t.id(), "", "", 0, 0, 0, 0, 10, 0, new byte[0], 0, new byte[0], List.of(),
                        "job " + t.id(), fail ? "java.lang.IllegalStateException: no " + t.id() + "\n\tat x.y(Z.java:1)"
                                : "");
                results.add(new ResultItem(t.id(), fail ? Status.FAILED : Status.OK, 2_000_000, utf8("r"), run));
            }
        }
        dispatched.clear();
        s.onResults(Messages.readResults(Messages.results("w", results)));
        s.flushResults();
    }

    @Test
    void millionsOfTasks_keepTheSameFewHundredEntries() {
        s.onHello(Messages.readHello(Messages.hello(new Hello(Hello.ROOT, "r", 0, 0, 200, "host"))));
        s.onHello(Messages.readHello(Messages.hello(new Hello(Hello.WORKER, "w", 1, 1_000_000, 100, "node1"))));
        long id = 1;
        for (int round = 0; round < 50; round++) {
            run(2000, 100, id);
            id += 2000;
            now.addAndGet(1_000_000_000L);
        }
        StatusSnapshot snap = s.snapshot(0, "tcp://x:1", "token");
        assertEquals(99_000, snap.ok());
        assertEquals(1_000, snap.failed());
        assertEquals(Monitor.RECORDS, snap.records().size());
        assertEquals(Monitor.FAILURES, snap.failures().size());
        assertEquals(Monitor.SECONDS, snap.perSecond().length);
        // The newest first: the last task's record, with its label and times.
        StatusSnapshot.TaskRow last = snap.records().get(0);
        assertEquals(100_000, last.id());
        assertEquals("job 100000", last.label());
        assertEquals("failed", last.status());
        assertEquals(2.0, last.run());
        assertTrue(snap.failures().get(0).text().startsWith("java.lang.IllegalStateException: no 100000"));
        // 2000 ended in each of the last 50 seconds (the last one in the current second), none before.
        long[] ps = snap.perSecond();
        assertEquals(2000, ps[ps.length - 2]);
        assertEquals(0, ps[ps.length - 1]);
        assertEquals(0, ps[0]);
        StatusSnapshot.WorkerRow w = snap.workers().get(0);
        assertEquals("w", w.name());
        assertEquals(99_000, w.done());
        assertEquals(-1, w.cpuPermille());
        String json = StatusJson.of(snap);
        assertTrue(json.length() < 200_000, "the JSON of a snapshot is bounded: " + json.length());
    }

    @Test
    void heartbeatLoad_showsOnTheWorker_andALostWorkerIsListed() {
        s.onHello(Messages.readHello(Messages.hello(new Hello(Hello.ROOT, "r", 0, 0, 200, "host"))));
        s.onHello(Messages.readHello(Messages.hello(new Hello(Hello.WORKER, "w", 1, 2, 100, "node1"))));
        s.seen(Messages.readPeerHeartbeat(Messages.workerHeartbeat("w", new Messages.WorkerLoad(250, 10 << 20,
                1 << 30, List.of(new Messages.RunningTask(7, "x".repeat(500)))))));
        StatusSnapshot.WorkerRow w = s.snapshot(0, "a", "none").workers().get(0);
        assertEquals(250, w.cpuPermille());
        assertEquals(10 << 20, w.heapUsed());
        assertEquals(100, w.running().get(0).label().length(), "labels are cut");
        s.onTasks(Messages.readTasks(Messages.tasks("r", List.of(new TaskItem(1, 0, 0, utf8("t"))))));
        s.dispatch();
        s.onLost(new Messages.Lost("w", "killed"));
        StatusSnapshot snap = s.snapshot(0, "a", "none");
        assertEquals(0, snap.workers().size());
        assertEquals("w", snap.lostWorkers().get(0).name());
        assertEquals("killed", snap.lostWorkers().get(0).reason());
        assertEquals(1, snap.queued(), "its task went back to the queue (attempt 1 of 2)");
    }

    @Test
    void json_escapesWhatCouldBeMarkup() {
        String j = StatusJson.of(new StatusSnapshot(1, 0, "a", "none", List.of(), List.of(), 0, 0, 0, 0, 1,
                new long[] {0}, List.of(), List.of(new StatusSnapshot.Failure(1, "<img src=x onerror=alert(1)>",
                        "failed", "w", 1, "\"quoted\" \\ \u2028 \u0001 \ud800")), 0, 0));
        assertTrue(j.contains("\\u003cimg src=x onerror=alert(1)\\u003e"), j);
        assertTrue(j.contains("\\\"quoted\\\" \\\\ \\u2028 \\u0001 \\ufffd"), j);
    }
}
