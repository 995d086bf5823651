package io.scoop.broker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scoop.wire.Command;
import io.scoop.wire.Hello;
import io.scoop.wire.Messages;
import io.scoop.wire.ResultItem;
import io.scoop.wire.Status;
import io.scoop.wire.TaskItem;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The broker's scheduling without sockets or threads: messages go in as the loop would hand them over, what it
 * sends is read from a list, and time moves only when the test moves it.
 */
class SchedulerTest {
    private static final long HEARTBEAT = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long EXPIRY = TimeUnit.MILLISECONDS.toNanos(1000);
    private static final long NO_WORKER = TimeUnit.MILLISECONDS.toNanos(5000);

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final List<Sent> sent = new ArrayList<>();
    private Scheduler s;

    record Sent(String peer, byte[] body) {
        Command command() {
            return Command.of(body);
        }
    }

    @BeforeEach
    void create() {
        s = new Scheduler(now::get, HEARTBEAT, EXPIRY, NO_WORKER, 2, (peer, body) -> sent.add(new Sent(peer, body)));
    }

    private void worker(String name, int credit) {
        s.onHello(Messages.readHello(Messages.hello(new Hello(Hello.WORKER, name, 1, credit, 100, "host"))));
    }

    private void root(String name) {
        s.onHello(Messages.readHello(Messages.hello(new Hello(Hello.ROOT, name, 0, 0, 200, "host"))));
    }

    private void submit(String root, long id, int priority) {
        s.onTasks(Messages.readTasks(Messages.tasks(root, List.of(new TaskItem(id, priority, 0, utf8("t" + id))))));
    }

    private void workerOn(String name, String host, int credit) {
        s.onHello(Messages.readHello(Messages.hello(new Hello(Hello.WORKER, name, 1, credit, 100, host))));
    }

    private void submitTo(String root, long id, String target) {
        s.onTasks(Messages.readTasks(Messages.tasks(root, List.of(new TaskItem(id, 0, 0, 0, target, utf8("t" + id))))));
    }

    private List<String> payloads(List<TaskItem> items) {
        return items.stream().map(t -> text(t.payload())).collect(Collectors.toList());
    }

    private void result(String worker, long brokerId, byte status) {
        s.onResults(Messages.readResults(Messages.results(worker, List.of(new ResultItem(brokerId, status, 1,
                utf8("r"))))));
    }

    private void loop() {
        s.tick(now.get());
        s.dispatch();
        s.steal();
        s.flushResults();
    }

    /** The counts of the STEAL messages sent to {@code root} since the last call, and forgets them. */
    private List<Integer> stealsFrom(String root) {
        List<Integer> out = new ArrayList<>();
        for (Sent x : sent) {
            if (x.peer().equals(root) && x.command() == Command.STEAL) {
                out.add(Messages.readSteal(x.body()));
            }
        }
        sent.removeIf(x -> x.peer().equals(root) && x.command() == Command.STEAL);
        return out;
    }

    private void hold(String root, int count) {
        s.onHold(Messages.readHold(Messages.hold(root, count)));
    }

    private void lend(String worker, int delta) {
        s.onLend(Messages.readLend(Messages.lend(worker, delta)));
    }

    /** The tasks dispatched to {@code worker} since the last call, in order, and forgets what was sent. */
    private List<TaskItem> dispatchedTo(String worker) {
        List<TaskItem> out = new ArrayList<>();
        for (Sent x : sent) {
            if (x.peer().equals(worker) && x.command() == Command.DISPATCH) {
                out.addAll(Messages.readDispatch(x.body()));
            }
        }
        sent.removeIf(x -> x.peer().equals(worker) && x.command() == Command.DISPATCH);
        return out;
    }

    private List<ResultItem> resultsTo(String root) {
        List<ResultItem> out = new ArrayList<>();
        for (Sent x : sent) {
            if (x.peer().equals(root) && x.command() == Command.RESULTS) {
                out.addAll(Messages.readResults(x.body()).items());
            }
        }
        sent.removeIf(x -> x.peer().equals(root) && x.command() == Command.RESULTS);
        return out;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void queue_higherPriorityFirst_thenArrivalOrder() {
        root("r");
        submit("r", 1, 0);
        submit("r", 2, 5);
        submit("r", 3, 0);
        submit("r", 4, 5);
        worker("w", 4);
        loop();
        assertEquals(List.of("t2", "t4", "t1", "t3"),
                dispatchedTo("w").stream().map(t -> text(t.payload())).collect(Collectors.toList()));
    }

    @Test
    void dispatch_neverExceedsCredit_andEachResultReturnsOne() {
        root("r");
        for (int i = 1; i <= 5; i++) {
            submit("r", i, 0);
        }
        worker("w", 2);
        loop();
        List<TaskItem> first = dispatchedTo("w");
        assertEquals(2, first.size());
        loop();
        assertEquals(0, dispatchedTo("w").size());
        result("w", first.get(0).id(), Status.OK);
        loop();
        assertEquals(1, dispatchedTo("w").size());
        assertEquals(List.of(1L), resultsTo("r").stream().map(ResultItem::id).toList());
    }

    @Test
    void dispatch_sharesTheQueueAmongReadyWorkers() {
        root("r");
        for (int i = 1; i <= 4; i++) {
            submit("r", i, 0);
        }
        worker("a", 10);
        worker("b", 10);
        loop();
        assertEquals(2, dispatchedTo("a").size());
        assertEquals(2, dispatchedTo("b").size());
    }

    @Test
    void results_goToTheRootThatSubmitted_underItsOwnIds() {
        root("r1");
        root("r2");
        submit("r1", 7, 0);
        submit("r2", 7, 0);
        worker("w", 2);
        loop();
        for (TaskItem t : dispatchedTo("w")) {
            result("w", t.id(), Status.OK);
        }
        loop();
        assertEquals(List.of(7L), resultsTo("r1").stream().map(ResultItem::id).toList());
        assertEquals(List.of(7L), resultsTo("r2").stream().map(ResultItem::id).toList());
    }

    @Test
    void lostWorker_requeuesItsTasks_untilTheAttemptLimit() {
        root("r");
        submit("r", 1, 0);
        worker("a", 1);
        loop();
        assertEquals(1, dispatchedTo("a").size());
        s.onLost(Messages.readLost(Messages.lost("a", "killed")));
        worker("b", 1);
        loop();
        TaskItem again = dispatchedTo("b").get(0);
        assertEquals(1, again.attempt(), "the second attempt says so");
        s.onLost(Messages.readLost(Messages.lost("b", "killed too")));
        loop();
        ResultItem lost = resultsTo("r").get(0);
        assertEquals(Status.LOST, lost.status());
        assertTrue(text(lost.payload()).contains("tried 2 times, the limit"), text(lost.payload()));
    }

    @Test
    void returnedTask_goesBackToTheQueue_withoutUsingAnAttempt() {
        root("r");
        submit("r", 1, 0);
        worker("a", 1);
        loop();
        TaskItem t = dispatchedTo("a").get(0);
        result("a", t.id(), Status.RETURNED);
        loop();
        assertEquals(0, dispatchedTo("a").get(0).attempt());
    }

    @Test
    void silentWorker_expires_andItsTaskRunsElsewhere() {
        root("r");
        submit("r", 1, 0);
        worker("a", 1);
        loop();
        dispatchedTo("a");
        worker("b", 1);
        now.addAndGet(EXPIRY / 2);
        s.seen("b", Hello.WORKER);
        s.seen("r", Hello.ROOT);
        now.addAndGet(EXPIRY / 2 + HEARTBEAT);
        s.seen("b", Hello.WORKER);
        s.seen("r", Hello.ROOT);
        loop();
        assertEquals(1, dispatchedTo("b").size());
        assertEquals(1, s.stats(0).workers());
    }

    @Test
    void cancel_queuedTaskIsRemovedAndAcknowledged_runningOneIsForwardedToItsWorker() {
        root("r");
        submit("r", 1, 0);
        submit("r", 2, 0);
        worker("w", 1);
        loop();
        TaskItem running = dispatchedTo("w").get(0);
        s.onCancel(Messages.readCancel(Messages.cancel("r", 9, new long[] {1, 2}, true)));
        Sent toWorker = sent.stream().filter(x -> x.peer().equals("w") && x.command() == Command.CANCEL)
                .findFirst().orElseThrow();
        assertArrayEquals(new long[] {running.id()}, Messages.readCancel(toWorker.body()).ids());
        Sent ack = sent.stream().filter(x -> x.peer().equals("r") && x.command() == Command.CANCEL).findFirst()
                .orElseThrow();
        assertEquals(9, Messages.readCancel(ack.body()).tag());
        assertArrayEquals(new long[] {2}, Messages.readCancel(ack.body()).ids());
        assertEquals(0, s.stats(0).queued());
    }

    @Test
    void noWorkerLeft_afterTheTimeout_waitingTasksFailBroken() {
        root("r");
        worker("w", 1);
        submit("r", 1, 0);
        loop();
        dispatchedTo("w");
        s.onLost(Messages.readLost(Messages.lost("w", "gone")));
        loop();
        assertEquals(List.of(), resultsTo("r"));
        now.addAndGet(NO_WORKER + HEARTBEAT);
        s.seen("r", Hello.ROOT);
        loop();
        ResultItem r = resultsTo("r").get(0);
        assertEquals(Status.BROKEN, r.status());
        assertTrue(text(r.payload()).contains("no worker left"), text(r.payload()));
    }

    @Test
    void silentRoot_isDropped_andItsRunningTasksInterrupted() {
        root("r");
        submit("r", 1, 0);
        worker("w", 1);
        loop();
        TaskItem t = dispatchedTo("w").get(0);
        now.addAndGet(EXPIRY + HEARTBEAT);
        s.seen("w", Hello.WORKER);
        loop();
        Sent cancel = sent.stream().filter(x -> x.peer().equals("w") && x.command() == Command.CANCEL).findFirst()
                .orElseThrow();
        assertArrayEquals(new long[] {t.id()}, Messages.readCancel(cancel.body()).ids());
        assertTrue(Messages.readCancel(cancel.body()).interrupt());
        assertEquals(0, s.stats(0).roots());
    }

    @Test
    void droppedRoot_isToldSo_andNeverRegisteredAgainByItsLaterMessages() {
        root("r");
        now.addAndGet(EXPIRY + HEARTBEAT);
        loop();
        assertTrue(sent.stream().anyMatch(x -> x.peer().equals("r") && x.command() == Command.DROPPED));
        sent.clear();
        submit("r", 1, 0);
        s.seen("r", Hello.ROOT);
        assertEquals(2, sent.stream().filter(x -> x.peer().equals("r") && x.command() == Command.DROPPED).count());
        assertEquals(0, s.stats(0).roots());
        assertEquals(0, s.stats(0).tasks());
    }

    @Test
    void workerThatSentABadMessage_isDroppedAndToldToExit_itsTaskRequeued() {
        root("r");
        submit("r", 1, 0);
        worker("a", 1);
        worker("b", 0);
        loop();
        dispatchedTo("a");
        s.dropSender("a/tx", "a malformed RESULTS");
        assertTrue(sent.stream().anyMatch(x -> x.peer().equals("a") && x.command() == Command.SHUTDOWN));
        s.onCredit(Messages.readCredit(Messages.credit("b", 1)));
        loop();
        assertEquals(1, dispatchedTo("b").size());
    }

    @Test
    void boundTasks_goOnlyToTheirWorkerOrHost_andOthersFillTheRest() {
        root("r");
        workerOn("a", "alpha", 3);
        workerOn("b", "beta", 3);
        submitTo("r", 1, "worker:b");
        submitTo("r", 2, "host:alpha");
        submitTo("r", 3, "worker:b");
        submit("r", 4, 0);
        loop();
        List<String> toA = payloads(dispatchedTo("a"));
        List<String> toB = payloads(dispatchedTo("b"));
        assertTrue(toA.contains("t2") && !toA.contains("t1") && !toA.contains("t3"), "a got " + toA);
        assertTrue(toB.containsAll(List.of("t1", "t3")) && !toB.contains("t2"), "b got " + toB);
        assertEquals(1, (toA.contains("t4") ? 1 : 0) + (toB.contains("t4") ? 1 : 0), "t4 once, anywhere");
    }

    @Test
    void boundTasks_waitForCreditOfTheirWorker_notAnother() {
        root("r");
        workerOn("a", "alpha", 1);
        workerOn("b", "beta", 5);
        submitTo("r", 1, "worker:a");
        submitTo("r", 2, "worker:a");
        loop();
        assertEquals(List.of("t1"), payloads(dispatchedTo("a")));
        assertEquals(List.of(), payloads(dispatchedTo("b")));
        assertEquals(1, s.stats(0).queued());
        result("a", 1, Status.OK);
        loop();
        assertEquals(List.of("t2"), payloads(dispatchedTo("a")));
    }

    @Test
    void boundTasks_toAWorkerOrHostNotInTheRun_failAtOnceNamingWhatThereIs() {
        root("r");
        workerOn("a", "alpha", 1);
        submitTo("r", 1, "worker:zz");
        submitTo("r", 2, "host:nowhere");
        submitTo("r", 3, "planet:mars");
        loop();
        List<ResultItem> results = resultsTo("r");
        assertEquals(3, results.size());
        assertTrue(results.stream().allMatch(r -> r.status() == Status.LOST));
        assertTrue(text(results.get(0).payload()).contains("worker zz") && text(results.get(0).payload()).contains("a"));
        assertTrue(text(results.get(1).payload()).contains("host nowhere")
                && text(results.get(1).payload()).contains("alpha"), text(results.get(1).payload()));
        assertTrue(text(results.get(2).payload()).contains("neither"));
    }

    @Test
    void boundTasks_theirWorkerLost_failInsteadOfMoving_whileHostTasksWait() {
        root("r");
        workerOn("a", "alpha", 1);
        workerOn("b", "beta", 1);
        submitTo("r", 1, "worker:a");
        submitTo("r", 2, "worker:a");
        submitTo("r", 3, "host:alpha");
        loop();
        assertEquals(List.of("t1"), payloads(dispatchedTo("a")));
        s.onLost(new Messages.Lost("a", "killed"));
        loop();
        List<ResultItem> results = resultsTo("r");
        assertEquals(List.of(1L, 2L), results.stream().map(ResultItem::id).sorted().toList());
        assertTrue(results.stream().allMatch(r -> r.status() == Status.LOST && text(r.payload()).contains("killed")));
        assertEquals(List.of(), payloads(dispatchedTo("b")), "nothing moves to another host");
        workerOn("a2", "alpha", 1);
        loop();
        assertEquals(List.of("t3"), payloads(dispatchedTo("a2")), "a replacement on the host takes the host's task");
    }

    @Test
    void workersQuery_answersWithEveryWorker() {
        root("r");
        workerOn("a", "alpha", 1);
        workerOn("b", "beta", 2);
        s.onWorkersQuery(new Messages.WorkersQuery("r", 77));
        Sent answer = sent.get(sent.size() - 1);
        assertEquals("r", answer.peer());
        Messages.Workers w = Messages.readWorkers(answer.body());
        assertEquals(77, w.tag());
        assertEquals(List.of("a@alpha", "b@beta"), w.workers().stream().map(e -> e.name() + "@" + e.host()).toList());
    }

    @Test
    void steal_asksAHolderOnlyForIdleThreads_andOnceUntilItSaysItStillHolds() {
        root("r");
        root("a/root");
        worker("a", 3);
        submit("r", 1, 0);
        loop();
        assertEquals(1, dispatchedTo("a").size()); // a's one thread is busy with it
        hold("a/root", 5);
        loop();
        assertEquals(List.of(), stealsFrom("a/root"), "no thread is idle: the children stay where they are");

        worker("b", 3);
        loop();
        assertEquals(List.of(1), stealsFrom("a/root"), "b's one thread is idle: one child is asked for");
        loop();
        assertEquals(List.of(), stealsFrom("a/root"), "asked once until a/root says it still holds some");

        submit("a/root", 10, 0); // the stolen child
        loop();
        assertEquals(List.of("t10"), payloads(dispatchedTo("b")), "to the idle worker, not into a's prefetch");
        assertEquals(List.of(), dispatchedTo("a"));
        hold("a/root", 4);
        loop();
        assertEquals(List.of(), stealsFrom("a/root"), "both threads are busy again");

        lend("a", 1); // a's task waits on its stolen child: its thread is free for another task
        loop();
        assertEquals(List.of(1), stealsFrom("a/root"));
        assertEquals(2, s.stats(0).steals());
    }

    @Test
    void steal_childrenOnTheirWay_areNotAskedOfAnotherHolder_untilTheyComeOrTheAskIsOld() {
        root("a/root");
        root("c/root");
        worker("a", 3);
        worker("c", 3);
        submit("a/root", 1, 0);
        submit("c/root", 2, 0);
        loop();
        dispatchedTo("a");
        dispatchedTo("c");
        hold("a/root", 5);
        hold("c/root", 3);
        worker("b", 3);
        loop();
        assertEquals(List.of(1), stealsFrom("a/root"), "the largest holder, for b's one idle thread");
        assertEquals(List.of(), stealsFrom("c/root"), "b's thread is promised already");
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(25)); // a/root had nothing old enough to send
        loop();
        assertEquals(List.of(1), stealsFrom("c/root"), "the promise lapsed: the next holder is asked");
    }

    @Test
    void lend_minusBeforePlus_leavesNoPhantomIdleThread() {
        root("a/root");
        worker("a", 3);
        worker("b", 3);
        root("r");
        submit("r", 1, 0);
        submit("r", 2, 0);
        loop();
        assertEquals(1, dispatchedTo("a").size());
        assertEquals(1, dispatchedTo("b").size());
        lend("a", -1); // a compensation's end overtook its start
        lend("a", 1);
        hold("a/root", 4);
        loop();
        assertEquals(List.of(), stealsFrom("a/root"), "both threads are busy: no idle thread appeared");
    }

    @Test
    void steal_holdOfNothingOrFromAStranger_asksNothing() {
        root("a/root");
        worker("a", 3);
        worker("b", 3);
        hold("a/root", 0);
        hold("nobody/root", 7);
        hold("a/root", -5);
        loop();
        assertEquals(List.of(), stealsFrom("a/root"));
        assertEquals(List.of(), stealsFrom("nobody/root"));
        assertTrue(sent.stream().noneMatch(x -> x.command() == Command.STEAL));
    }

    @Test
    void dispatch_aLoneTask_goesToAWorkerWithAnIdleThread_whateverTheTurn() {
        root("r");
        worker("a", 5);
        worker("b", 5);
        submit("r", 1, 0);
        loop();
        String busy = dispatchedTo("a").isEmpty() ? "b" : "a";
        String idle = busy.equals("a") ? "b" : "a";
        dispatchedTo(idle);
        for (int i = 2; i <= 4; i++) {
            submit("r", i, 0);
            loop();
            assertEquals(1, dispatchedTo(idle).size(), "task " + i);
            assertEquals(0, dispatchedTo(busy).size(), "task " + i);
            result(idle, i, Status.OK);
        }
    }
}
