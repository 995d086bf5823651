package io.scoop;

import io.scoop.broker.Broker;
import io.scoop.internal.LocalWorkers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A real cluster for tests: a broker in the test JVM on {@code tcp://127.0.0.1:*} and worker JVMs forked
 * with the test classpath. Executors connect to it with {@link #newExecutor()}; one cluster serves a
 * whole test class, since JVMs are costly on two cores. {@link #close()} ends every worker process.
 */
public final class TestCluster implements AutoCloseable {
    private final Broker broker;
    private final LocalWorkers workers;
    private final List<String> exits = new CopyOnWriteArrayList<>();

    private TestCluster(int n, int maxAttempts, List<String> jvmOptions) {
        this(n, 1, maxAttempts, jvmOptions);
    }

    private TestCluster(int n, int threadsPerWorker, int maxAttempts, List<String> jvmOptions) {
        this(n, threadsPerWorker, maxAttempts, jvmOptions, address -> address);
    }

    private TestCluster(int n, int threadsPerWorker, int maxAttempts, List<String> jvmOptions,
            java.util.function.UnaryOperator<String> workerAddress) {
        broker = Broker.builder().heartbeat(300, 3000).maxAttempts(maxAttempts).noWorkerTimeout(3000).start();
        workers = new LocalWorkers(new LocalWorkers.Spec(workerAddress.apply(broker.address()),
                System.getProperty("java.class.path"),
                jvmOptions, threadsPerWorker, 300, 3000, "w", System.out, System.err), (name, code, why, remaining) -> {
                    exits.add(why);
                    broker.workerLost(name, why);
                });
        try {
            workers.start(n);
        } catch (IOException e) {
            broker.close();
            throw new UncheckedIOException(e);
        }
    }

    public static TestCluster start(int workers) {
        return new TestCluster(workers, 3, List.of("-Xshare:auto", "-XX:TieredStopAtLevel=1"));
    }

    /** A cluster whose workers get these JVM options (after the usual start-up ones). */
    public static TestCluster start(int workers, List<String> jvmOptions) {
        List<String> all = new java.util.ArrayList<>(List.of("-Xshare:auto", "-XX:TieredStopAtLevel=1"));
        all.addAll(jvmOptions);
        return new TestCluster(workers, 3, all);
    }

    /** A cluster of workers with {@code threadsPerWorker} task threads each, and these JVM options. */
    public static TestCluster start(int workers, int threadsPerWorker, List<String> jvmOptions) {
        List<String> all = new java.util.ArrayList<>(List.of("-Xshare:auto", "-XX:TieredStopAtLevel=1"));
        all.addAll(jvmOptions);
        return new TestCluster(workers, threadsPerWorker, 3, all);
    }

    /**
     * A cluster whose workers connect to the address {@code via} makes of the broker's (a proxy in front of
     * it), with {@code threadsPerWorker} task threads each and these JVM options.
     */
    public static TestCluster startVia(int workers, int threadsPerWorker, List<String> jvmOptions,
            java.util.function.UnaryOperator<String> via) {
        List<String> all = new java.util.ArrayList<>(List.of("-Xshare:auto", "-XX:TieredStopAtLevel=1"));
        all.addAll(jvmOptions);
        return new TestCluster(workers, threadsPerWorker, 3, all, via);
    }

    public static TestCluster start(int workers, int maxAttempts) {
        return new TestCluster(workers, maxAttempts, List.of("-Xshare:auto", "-XX:TieredStopAtLevel=1"));
    }

    public String address() {
        return broker.address();
    }

    public DistributedExecutor newExecutor() {
        return DistributedExecutor.builder().connect(broker.address()).build();
    }

    public Broker.Stats brokerStats() {
        return broker.stats();
    }

    public Map<String, Process> processes() {
        return workers.processes();
    }

    /** Starts more workers (to replace killed ones). */
    public void addWorkers(int n) {
        try {
            workers.start(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends SIGKILL to a worker's process with the real {@code kill -9}. */
    public static void kill9(long pid) {
        try {
            Process p = new ProcessBuilder("kill", "-9", Long.toString(pid)).inheritIO().start();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("kill -9 " + pid + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public List<String> exits() {
        return exits;
    }

    @Override
    public void close() {
        workers.close(3000);
        broker.close();
    }
}
