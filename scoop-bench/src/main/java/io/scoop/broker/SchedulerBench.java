package io.scoop.broker;

import io.scoop.wire.Hello;
import io.scoop.wire.Messages;
import io.scoop.wire.ResultItem;
import io.scoop.wire.Status;
import io.scoop.wire.TaskItem;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The broker's scheduler, alone (no sockets, no thread): a root's TASKS message of {@code batch} tasks is read
 * and queued, dispatched to a worker, the worker's RESULTS for them read and forwarded to the root, per task.
 * The RESULTS message is built from the DISPATCH the scheduler sent, as a worker would, and that building is
 * timed too (a few tens of nanoseconds a task). It lives in the broker's package to reach the scheduler, which
 * is not public. Run: {@code java -jar scoop-bench/target/scoop-bench.jar jmh SchedulerBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SchedulerBench {
    @Param({"1", "100"})
    public int batch;

    private long now = 1_000_000_000L;
    private Scheduler scheduler;
    private final List<byte[]> dispatched = new ArrayList<>();
    private long forwarded;
    private byte[] tasks;
    private final byte[] payload = new byte[64];
    private final byte[] result = new byte[8];

    @Setup
    public void setUp() {
        long second = TimeUnit.SECONDS.toNanos(1);
        scheduler = new Scheduler(() -> now, second, 30 * second, 30 * second, 2, (peer, body) -> {
            if (peer.equals("w1") && io.scoop.wire.Command.of(body) == io.scoop.wire.Command.DISPATCH) {
                dispatched.add(body);
            } else {
                forwarded += body.length;
            }
        });
        scheduler.onHello(Messages.readHello(Messages.hello(new Hello(Hello.ROOT, "root", 0, 0, 1, "host"))));
        scheduler.onHello(Messages.readHello(Messages.hello(new Hello(Hello.WORKER, "w1", 1, 1_000_000, 2, "host"))));
        List<TaskItem> items = new ArrayList<>();
        for (int k = 0; k < batch; k++) {
            items.add(new TaskItem(k + 1, 0, 0, payload));
        }
        tasks = Messages.tasks("root", items);
    }

    /** Fails the run if the tasks did not all go through: none left queued, results forwarded to the root. */
    @TearDown
    public void check() {
        Broker.Stats st = scheduler.stats(0);
        if (st.queued() != 0 || st.tasks() != 0 || forwarded == 0) {
            throw new IllegalStateException("SchedulerBench: " + st.queued() + " queued, " + st.tasks()
                    + " tasks known, " + forwarded + " bytes forwarded: the rounds did not go through");
        }
    }

    /** One TASKS message through the scheduler and back as RESULTS: the time per task. */
    @Benchmark
    @OperationsPerInvocation(100)
    public long roundOfTasks() {
        long before = forwarded;
        for (int round = 0; round < 100 / Math.min(batch, 100); round++) {
            scheduler.onTasks(Messages.readTasks(tasks));
            scheduler.dispatch();
            List<ResultItem> results = new ArrayList<>(batch);
            for (byte[] body : dispatched) {
                for (TaskItem t : Messages.readDispatch(body)) {
                    results.add(new ResultItem(t.id(), Status.OK, 1000, result));
                }
            }
            dispatched.clear();
            scheduler.onResults(Messages.readResults(Messages.results("w1", results)));
            scheduler.flushResults();
        }
        return forwarded - before;
    }
}
