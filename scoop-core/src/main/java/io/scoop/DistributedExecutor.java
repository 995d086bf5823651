package io.scoop;

import com.esotericsoftware.kryo.DefaultSerializer;
import io.scoop.broker.Broker;
import io.scoop.internal.LocalWorkers;
import io.scoop.internal.Respawner;
import io.scoop.internal.Sockets;
import io.scoop.root.AsyncStage;
import io.scoop.root.MapChunk;
import io.scoop.root.MapIterator;
import io.scoop.root.Reduction;
import io.scoop.root.RemoteFuture;
import io.scoop.root.RootClient;
import io.scoop.root.RunnableTask;
import io.scoop.root.TaskEnvelope;
import io.scoop.root.TaskPolicy;
import io.scoop.root.WriteBack;
import io.scoop.wire.KryoCodec;
import io.scoop.wire.TravelException;
import io.scoop.worker.TaskContext;
import io.scoop.worker.Worker;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.zeromq.ZContext;

/**
 * An {@link java.util.concurrent.ExecutorService} whose tasks run in other JVMs: swap
 * {@code Executors.newFixedThreadPool(n)} for {@code new DistributedExecutor()} and the tasks go, through
 * a broker, to worker JVMs, and their results come back as {@link CompletableFuture}s.
 *
 * <pre>{@code
 * DistributedExecutor pool = new DistributedExecutor();
 * CompletableFuture<Integer> f = pool.submit(() -> 6 * 7);           // a serializable lambda
 * List<Integer> squares = pool.map(x -> x * x, List.of(1, 2, 3)).toList();   // results in input order
 * pool.shutdown();
 * }</pre>
 *
 * <p><b>Where the tasks run.</b> {@code new DistributedExecutor()} chooses by where it is called:
 * <ol>
 *   <li>inside a task on a worker: it submits through that worker's connection (nested tasks), and starts
 *       nothing, so an executor in a static field of a task class costs nothing on the worker;
 *   <li>under the launcher (environment variable {@code SCOOP_BROKER}, or system property
 *       {@code scoop.broker}): it connects to the launcher's broker, with the run's keys (CURVE keys or a
 *       token) from the environment variable {@value RunKeys#ENV} when the launcher set it;
 *   <li>otherwise, the <em>embedded default</em>: a broker in this JVM, bound to loopback only and guarded
 *       by a token made for it, and one worker JVM per available processor, forked with this JVM's
 *       classpath ({@link Builder#classpath}: also under {@code mvn exec:java}). The workers exit with this JVM,
 *       even if it is killed.
 * </ol>
 * {@link #builder()} sets the worker count, JVM options and the rest explicitly.
 *
 * <p><b>Security.</b> Secure by default: a broker admits only processes that hold the run's {@link RunKeys}.
 * The embedded default binds loopback only and makes a {@linkplain RunKeys#token() token} for its broker,
 * which its workers get through their stdin (ZeroMQ PLAIN: checked once per connection, free per message;
 * its root needs none, being on inproc). The launcher makes a token for a run on this machine only, and CURVE
 * keys (encryption) for a run with remote hosts or {@code --curve}, and hands them to the root in
 * {@value RunKeys#ENV} (an environment variable, which only this user and the superuser can read; it is on no
 * command line and in no file) and to each worker through its stdin. {@link Builder#connect(String, RunKeys)}
 * and {@link Builder#keys(RunKeys)} set them explicitly; {@link Builder#connect(String)} without keys, outside
 * the launcher, connects plain, to a broker of the user's own that takes no keys.
 *
 * <p><b>Watching a run.</b> The broker can serve a live status page (workers, queue, throughput, recent
 * failures with their traces, recent task records): under the launcher by default, for the embedded default
 * with {@link Builder#statusPage(boolean)}. {@link #statusPageUrl()} gives its URL, whose token (derived from
 * the run's keys) admits a browser; the page listens on loopback unless told otherwise.
 *
 * <p><b>What can be a task.</b> Tasks travel with Kryo: named and anonymous classes need not implement
 * {@link Serializable}, and their captured variables travel with them. Lambdas and method references travel
 * whether or not they are serializable, whatever the static type they were passed through: a plain lambda's
 * call site is found in its defining class's class file and the worker makes the same lambda again.
 * {@code CompletableFuture}'s {@code *Async(…, executor)} stages run their function on a worker. A task that
 * cannot travel fails at {@code submit} with a {@link TaskNotSerializableException} that says why; nothing is
 * sent.
 *
 * <p>A task that holds this executor (say, an anonymous class whose enclosing instance keeps it in a field)
 * gets the worker's executor in its place on the worker, and may submit child tasks through it.
 *
 * <p>When the cluster cannot run tasks any more (the broker is lost or dropped this root, or no embedded
 * worker is left and none can be started), the executor shuts itself down once the pending futures have
 * failed, so a program whose {@code main} ended with an exception does not keep its JVM alive.
 *
 * <p><b>Failures.</b> A task's exception reaches {@code get()} as an {@link ExecutionException} whose
 * cause is the original exception when this JVM has its class (else a {@link RemoteTaskException} with
 * the remote class, message and stack), and whose message names the worker. A task whose worker dies is
 * run again elsewhere (up to {@code maxAttempts}, then {@link WorkerLostException}, whose message says why
 * the worker was lost). A dead embedded worker is replaced, with a backoff, for as long as replacements
 * start, and pending tasks wait for it: only when {@code maxFailedStarts} workers in a row exit before they
 * join (or the worker command cannot be run) and no worker is left do the pending futures fail, with a
 * {@link ClusterBrokenException} naming the command and its output. If the broker is lost, every pending
 * future fails with {@link ClusterBrokenException}; if the broker dropped this root (it heard nothing from it
 * for the heartbeat expiry), with {@link RootDroppedException}.
 *
 * <p><b>Limits.</b> At most {@link Builder#maxInFlight maxInFlight} tasks (default 10,000, or 256 MiB
 * encoded, or a quarter of the heap if less, at least 16 MiB) are in flight: beyond that, {@code submit},
 * {@code execute}, {@code invokeAll} and {@code map} wait for results to come back (or are rejected, with {@link Builder#rejectWhenFull}). A task larger than the
 * payload limit (the message limit {@code -Dscoop.maxMessageBytes}, default 64 MiB, less 8 MiB of room) fails
 * at submit with a {@link TaskTooLargeException}, and a result larger than it fails its future with a
 * {@link ResultNotSerializableException}: each message is copied a few times on its way, and every socket
 * refuses larger frames before it allocates them, so that no peer can make a role allocate more. Dependent stages that are not {@code *Async} run on the root's completion
 * thread, never on the thread that keeps its heartbeats; one that blocks longer than a second lets the
 * completions behind it go ahead on a new thread.
 *
 * <p><b>Memory consistency effects.</b> Actions in a thread prior to submitting a task happen-before the
 * task's serialization; completion of the future happens-before actions after a successful {@code get()}.
 * The task runs on a copy of what it captured. What it writes into captured arrays, lists, sets, maps and
 * atomic counters is applied to this JVM's objects before its future completes (a write that conflicts with
 * another task's fails the future with {@link CapturedWriteException}); writes into other objects stay on
 * the worker's copy. Return results where you can.
 */
@DefaultSerializer(ExecutorSerializer.class)
public class DistributedExecutor extends AbstractExecutorService implements RemoteFuture.Owner, AutoCloseable {
    /*
     * Implementation notes.
     *
     * Lifecycle, as in ThreadPoolExecutor:
     *   RUNNING    accepts tasks
     *   SHUTDOWN   shutdown(): rejects new tasks, runs the accepted ones
     *   STOP       shutdownNow(): rejects, revokes queued tasks, interrupts running ones
     *   TERMINATED no task left; the connection, and in embedded mode the broker and workers, are closed
     * RUNNING -> SHUTDOWN -> TERMINATED when the last active future completes; RUNNING|SHUTDOWN -> STOP.
     *
     * An executor that owns resources (embedded, or connected itself) has a non-daemon "keeper" thread
     * from its first task to termination, as a ThreadPoolExecutor has its workers from its first task: the
     * JVM exits when main returns after shutdown(), not while accepted tasks are still running, and (as with a
     * JDK pool) a program whose main throws before its first task exits although it never shut the pool down.
     *
     * The JDK helpers (ExecutorCompletionService, invokeAny) call newTaskFor() and then pass execute() a
     * private FutureTask wrapping what newTaskFor returned. newTaskFor remembers, per thread, the future it
     * just made; execute() recognizes the JDK wrapper, sends that future's task, and runs the wrapper here
     * once the future completes, which is when the wrapper reports it done.
     */

    private static final int RUNNING = 0;
    private static final int SHUTDOWN = 1;
    private static final int STOP = 2;
    private static final int TERMINATED = 3;
    private static final String[] STATE_NAMES = {"Running", "Shutting down", "Stopping", "Terminated"};
    private static final ThreadLocal<RemoteFuture<?>> LAST_CREATED = new ThreadLocal<>();
    private static final AtomicInteger EXECUTORS = new AtomicInteger();

    /*
     * A view made by with(options) shares every field below but the options with the executor it came from:
     * it is the same executor, whose tasks run with other options.
     */

    /** Where tasks go and what was started to get there: nested, connected or embedded. */
    private final Backend backend;
    private final RootClient client;
    /** The futures in flight, with the encoded size of their task. */
    private final ConcurrentHashMap<RemoteFuture<?>, Long> active;
    /** The futures that hold room in the gate, with their size: released once, as they complete. */
    private final ConcurrentHashMap<RemoteFuture<?>, Long> gated;
    /** Backpressure on submit: bounds what is in flight (Builder.maxInFlight). */
    private final io.scoop.root.InFlightGate gate;
    /** Applies what tasks wrote into the arrays, collections and counters they captured. */
    private final WriteBack writeBack;
    private final AtomicInteger state;
    private final CountDownLatch terminateRequested;
    private final CountDownLatch terminated;
    private final java.util.concurrent.atomic.AtomicBoolean keeperStarted;
    /** How this executor's (or view's) tasks run. */
    private final TaskOptions options;
    /** The attempt limit of the builder (or its default): what a task that retries on exceptions gets by default. */
    private final int maxAttempts;
    /** What {@link #progress()} reports: shared by the views of this executor. */
    private final Counts counts;
    /** The futures admitted and not counted complete yet (each is counted once). */
    private final ConcurrentHashMap<RemoteFuture<?>, Boolean> uncounted;

    /**
     * Creates an executor as its context calls for (see the class description): nested on a worker,
     * connected under the launcher, or the embedded default with one worker JVM per processor.
     *
     * @throws ClusterBrokenException if the launcher's broker does not answer
     * @throws UncheckedIOException   if the embedded workers cannot be started
     */
    public DistributedExecutor() {
        this(new Builder());
    }

    /** Returns a builder for an executor with explicit settings. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Inside a task running on a worker: an executor for submitting child tasks. Waiting on their futures
     * never deadlocks the worker: a task that waits gives up its slot while it waits.
     *
     * @throws IllegalStateException if called outside a task on a worker
     */
    public static DistributedExecutor current() {
        Worker w = TaskContext.processWorker();
        if (w == null) {
            throw new IllegalStateException("DistributedExecutor.current() is for tasks running on a worker;"
                    + " this JVM is not a worker: create an executor with new DistributedExecutor()");
        }
        return new DistributedExecutor(new Builder());
    }

    DistributedExecutor(Builder b) {
        this.gate = new io.scoop.root.InFlightGate(b.maxInFlightTasks, b.maxInFlightBytes, b.rejectWhenFull);
        this.active = new ConcurrentHashMap<>();
        this.gated = new ConcurrentHashMap<>();
        this.writeBack = new WriteBack();
        this.state = new AtomicInteger(RUNNING);
        this.terminateRequested = new CountDownLatch(1);
        this.terminated = new CountDownLatch(1);
        this.keeperStarted = new java.util.concurrent.atomic.AtomicBoolean();
        this.backend = Backend.open(b, this::shutdown);
        TaskOptions o = b.taskTimeout == null ? TaskOptions.defaults() : TaskOptions.defaults().timeout(b.taskTimeout);
        // The embedded broker applies maxAttempts itself; a broker we connect to has its own default, so a limit
        // given to this builder (or by scoop.maxAttempts, as the launcher passes it) goes with each task.
        this.options = b.maxAttemptsGiven && !backend.ownsBroker() ? o.maxAttempts(b.maxAttempts) : o;
        this.maxAttempts = b.maxAttempts;
        this.counts = new Counts();
        this.uncounted = new ConcurrentHashMap<>();
        this.client = backend.client();
        if (backend.ownsClient()) {
            client.onBroken(this::shutdown);
        }
        if (TaskContext.processWorker() == null) {
            io.scoop.internal.ProgressDisplay.startIfAsked(this::progress, this::isTerminated); // if asked (launcher)
        }
    }

    private DistributedExecutor(DistributedExecutor of, TaskOptions options) {
        this.gate = of.gate;
        this.active = of.active;
        this.gated = of.gated;
        this.writeBack = of.writeBack;
        this.state = of.state;
        this.terminateRequested = of.terminateRequested;
        this.terminated = of.terminated;
        this.keeperStarted = of.keeperStarted;
        this.backend = of.backend;
        this.client = of.client;
        this.maxAttempts = of.maxAttempts;
        this.counts = of.counts;
        this.uncounted = of.uncounted;
        this.options = options;
    }

    /**
     * This executor, for tasks that run with {@code options} (put over this executor's own, if it is a view
     * already): a label, a priority, an attempt limit, exceptions to retry on, a time limit, dependencies.
     * The view is the same executor: shutting it down shuts this one down, and {@code invokeAll},
     * {@code map} and the JDK's helpers all take the options. A {@code map} chunk is one task: the options
     * apply to each chunk (a timeout to a whole chunk), and {@code retryOn} does not retry single items.
     *
     * <pre>{@code
     * ExecutorService urgent = pool.with(TaskOptions.defaults().priority(10).label("urgent"));
     * CompletableFuture<Model> model = pool.submit(() -> train(data));
     * CompletableFuture<Report> report = pool.with(TaskOptions.defaults().dependsOn(model))
     *         .submit(() -> evaluate());
     * }</pre>
     */
    public DistributedExecutor with(TaskOptions options) {
        Objects.requireNonNull(options, "options");
        return new DistributedExecutor(this, this.options.then(options));
    }

    /* ---------------- submitting ---------------- */

    /**
     * {@inheritDoc}
     *
     * @throws TaskNotSerializableException if the task cannot be sent to a worker
     */
    @Override
    public void execute(Runnable command) {
        Objects.requireNonNull(command, "command");
        RemoteFuture<?> mine = LAST_CREATED.get();
        LAST_CREATED.remove();
        AsyncStage stage = AsyncStage.of(command);
        if (stage != null) {
            // CompletableFuture.supplyAsync(fn, this), thenApplyAsync(fn, this), …: the function runs on a worker.
            RemoteFuture<Object> f = RemoteFuture.ofCallable(this, stage.call());
            send(f);
            f.whenComplete(stage::settle);
        } else if (command instanceof RemoteFuture<?> f && isOwn(f)) {
            send(f);
        } else if (mine != null && command instanceof RunnableFuture
                && command.getClass().getName().startsWith("java.util.concurrent.")) {
            // A JDK wrapper (ExecutorCompletionService's QueueingFuture) around the future newTaskFor just
            // made on this thread: run the task remotely, then let the wrapper see it done.
            send(mine);
            mine.whenComplete((v, e) -> command.run());
        } else {
            send(RemoteFuture.ofRunnable(this, command, null));
        }
    }

    /** Runs a serializable lambda (or any runnable) on a worker. */
    public void execute(SerializableRunnable command) {
        execute((Runnable) command);
    }

    @Override
    public <T> CompletableFuture<T> submit(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        RemoteFuture<T> f = RemoteFuture.ofCallable(this, task);
        send(f);
        return f;
    }

    /** Submits a serializable lambda; see {@link #submit(Callable)}. */
    public <T> CompletableFuture<T> submit(SerializableCallable<T> task) {
        return submit((Callable<T>) task);
    }

    @Override
    public CompletableFuture<?> submit(Runnable task) {
        return submit(task, null);
    }

    /** Submits a serializable lambda; see {@link #submit(Runnable)}. */
    public CompletableFuture<?> submit(SerializableRunnable task) {
        return submit((Runnable) task, null);
    }

    /** {@inheritDoc} The future completes with {@code result} itself: it never travels. */
    @Override
    public <T> CompletableFuture<T> submit(Runnable task, T result) {
        Objects.requireNonNull(task, "task");
        RemoteFuture<T> f = RemoteFuture.ofRunnable(this, task, result);
        send(f);
        return f;
    }

    /** Submits a serializable lambda; see {@link #submit(Runnable, Object)}. */
    public <T> CompletableFuture<T> submit(SerializableRunnable task, T result) {
        return submit((Runnable) task, result);
    }

    @Override
    protected <T> RunnableFuture<T> newTaskFor(Callable<T> callable) {
        Objects.requireNonNull(callable, "task");
        RemoteFuture<T> f = RemoteFuture.ofCallable(this, callable);
        LAST_CREATED.set(f);
        return f;
    }

    @Override
    protected <T> RunnableFuture<T> newTaskFor(Runnable runnable, T value) {
        Objects.requireNonNull(runnable, "task");
        RemoteFuture<T> f = RemoteFuture.ofRunnable(this, runnable, value);
        LAST_CREATED.set(f);
        return f;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Every task is encoded before any is sent, so a task that cannot travel rejects the whole call
     * and nothing runs; the tasks then travel in shared messages. Memory stays bounded: encoded tasks are kept
     * only up to the bytes that may be in flight ({@link Builder#maxInFlight}, per call); the tasks after them
     * are checked the same way without keeping their bytes (encoded into a counted null stream: twice the
     * encoding work for them), and encoded again as they are sent, with what earlier tasks wrote back into their
     * captured containers by then. If one fails only then (it grew past the payload limit meanwhile, say), the
     * tasks already sent are cancelled and the call throws.
     */
    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
        Objects.requireNonNull(tasks, "tasks");
        List<RemoteFuture<T>> futures = new ArrayList<>(tasks.size());
        List<Encoded> encoded = new ArrayList<>(tasks.size());
        io.scoop.wire.SharedArrays.Batch batch = io.scoop.wire.SharedArrays.batch(tasks);
        try {
            long kept = 0;
            for (Callable<T> t : tasks) {
                Objects.requireNonNull(t, "task");
                RemoteFuture<T> f = RemoteFuture.ofCallable(this, t);
                futures.add(f);
                if (kept < gate.maxBytes()) {
                    Encoded e = encodeFor(f, batch);
                    kept += e.payload().length;
                    encoded.add(e);
                } else {
                    checkTask(travelling(f, false));
                    encoded.add(null);
                }
            }
            // The tasks encoded from here on may see what earlier ones wrote back: an array is checked again.
            batch.recheck();
            for (int i = 0; i < futures.size(); i++) {
                Encoded e = encoded.get(i);
                if (e == null) {
                    // Checked above; built and encoded now, its write-back stamped now, as it is sent.
                    e = encodeFor(futures.get(i), batch);
                }
                encoded.set(i, null); // its keys are admitHolding's now
                admitHolding(futures.get(i), e);
                enqueue(futures.get(i), e.payload());
            }
        } catch (RuntimeException | Error e) {
            // The shared arrays that tasks not admitted hold are let go here; the admitted ones' when cancelled.
            for (Encoded left : encoded) {
                if (left != null) {
                    left.keys().forEach(client::unshare);
                }
            }
            for (RemoteFuture<T> f : futures) {
                f.cancel(true);
            }
            throw e;
        }
        client.flush();
        List<Future<T>> out = new ArrayList<>(futures);
        try {
            for (RemoteFuture<T> f : futures) {
                if (!f.isDone()) {
                    try {
                        f.get();
                    } catch (ExecutionException | CancellationException ignore) {
                        // reported through the future
                    }
                }
            }
            return out;
        } catch (InterruptedException e) {
            for (RemoteFuture<T> f : futures) {
                f.cancel(true);
            }
            throw e;
        }
    }

    /* ---------------- map ---------------- */

    /**
     * Applies {@code fn} to every input item on the workers and returns the results in input order, each as
     * soon as it and those before it are ready. The input is read lazily with a bounded number of items in
     * flight, so the input may be far larger than memory; small items travel in chunks. An item that threw
     * surfaces at its position as a {@link java.util.concurrent.CompletionException} whose cause is the
     * task's exception. Closing the stream cancels what is still in flight.
     *
     * @throws NullPointerException if {@code fn} or {@code inputs} is null
     */
    public <T, R> Stream<R> map(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> inputs) {
        Objects.requireNonNull(inputs, "inputs");
        return map(fn, inputs.iterator());
    }

    /** As {@link #map(SerializableFunction, Iterable)}, over an iterator. */
    public <T, R> Stream<R> map(SerializableFunction<? super T, ? extends R> fn, Iterator<? extends T> inputs) {
        return mapStream(fn, inputs, true);
    }

    /** As {@link #map(SerializableFunction, Iterable)}, over a stream (consumed lazily). */
    public <T, R> Stream<R> map(SerializableFunction<? super T, ? extends R> fn, Stream<? extends T> inputs) {
        Objects.requireNonNull(inputs, "inputs");
        return mapStream(fn, inputs.iterator(), true);
    }

    /** As {@link #map(SerializableFunction, Iterable)}, but yields results in the order they complete. */
    public <T, R> Stream<R> mapUnordered(SerializableFunction<? super T, ? extends R> fn,
            Iterable<? extends T> inputs) {
        Objects.requireNonNull(inputs, "inputs");
        return mapStream(fn, inputs.iterator(), false);
    }

    /** As {@link #mapUnordered(SerializableFunction, Iterable)}, over a stream. */
    public <T, R> Stream<R> mapUnordered(SerializableFunction<? super T, ? extends R> fn,
            Stream<? extends T> inputs) {
        Objects.requireNonNull(inputs, "inputs");
        return mapStream(fn, inputs.iterator(), false);
    }

    /* ---------------- shared values ---------------- */

    /** Releases the shared function of a map whose stream was dropped before it was read to its end. */
    private static final java.lang.ref.Cleaner UNREAD_MAPS = java.lang.ref.Cleaner.create();

    /** The encoded size from which {@code map} sends its function once per worker instead of with each chunk. */
    static final int SHARE_FUNCTIONS_FROM = 64 * 1024;

    /**
     * Sends {@code value} to the broker once, to reach each worker once, and returns a small handle that tasks
     * capture in its place; {@link Shared#get()} returns the value (see {@link Shared}). The same value shared
     * twice is kept once: the key is a hash of its encoding.
     *
     * @throws TaskNotSerializableException if the value cannot be encoded
     * @throws TaskTooLargeException        if it encodes to more than the payload limit
     * @throws IllegalStateException        if the broker refuses to keep it (it holds too much already)
     */
    public <T> Shared<T> share(T value) {
        Objects.requireNonNull(value, "value");
        checkRunning(value);
        return shareEncoded(value, encode(value, "shared value"));
    }

    private <T> Shared<T> shareEncoded(T value, byte[] bytes) {
        String key = shareBytes(bytes);
        io.scoop.internal.SharedStore.own(key, value);
        return new Shared<>(key, bytes.length, value);
    }

    /** Hands encoded bytes to the broker under their content hash (see {@link #share}); returns the key. */
    private String shareBytes(byte[] bytes) {
        String key = io.scoop.internal.SharedStore.keyOf(bytes);
        client.share(key, bytes, 60_000);
        return key;
    }

    /**
     * Makes a file of this machine readable by tasks wherever they run (see {@link StagedFile}): its content goes
     * to the broker once, and to each other host once.
     *
     * @throws java.io.UncheckedIOException if the file cannot be read
     * @throws TaskTooLargeException        if it is larger than the payload limit
     */
    public StagedFile stage(java.nio.file.Path file) {
        Objects.requireNonNull(file, "file");
        checkRunning(file);
        byte[] content;
        long modified;
        try {
            modified = java.nio.file.Files.getLastModifiedTime(file).toMillis();
            content = java.nio.file.Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stage " + file + ": " + e.getMessage(), e);
        }
        long limit = Sockets.maxPayloadBytes() - 16;
        if (content.length > limit) {
            throw new TaskTooLargeException("staged file " + file + " is " + content.length + " bytes, above the limit"
                    + " of " + limit + " bytes; it was not staged: put it on a file system the hosts share, or "
                    + Sockets.payloadLimitHint(), content.length, limit);
        }
        return new StagedFile(shareBytes(KryoCodec.encode(content)), file.getFileName().toString(), content.length,
                io.scoop.internal.Hosts.localName(), file.toAbsolutePath().normalize().toString(), modified);
    }

    /**
     * Lets the broker drop a value this executor {@linkplain #share shared}, once no running {@code map} still
     * uses the same value: for a long run that shares one value after another. Release it once the tasks that
     * use it are done: workers keep their copies in their bounded caches, but a task that needs the value on a
     * worker without a copy (one still queued, too) fails, saying the broker no longer has it. Releasing a
     * handle again does nothing; the value shared again is sent again.
     */
    public void release(Shared<?> shared) {
        Objects.requireNonNull(shared, "shared");
        if (shared.markReleased()) {
            client.unshare(shared.key());
        }
    }

    /** Lets the broker drop a {@linkplain #stage staged} file's content, as {@link #release(Shared)} does. */
    public void release(StagedFile file) {
        Objects.requireNonNull(file, "file");
        if (file.markReleased()) {
            client.unshare(file.key());
        }
    }

    /* ---------------- workers ---------------- */

    /**
     * The worker JVMs in the run now, as the broker knows them (it asks the broker, waiting at most 10
     * seconds).
     *
     * @throws ClusterBrokenException if the broker does not answer
     */
    public List<WorkerInfo> workers() {
        List<WorkerInfo> out = new ArrayList<>();
        for (io.scoop.wire.Messages.WorkerEntry e : client.workers(10_000)) {
            out.add(new WorkerInfo(e.name(), e.host(), e.pid(), e.threads()));
        }
        return out;
    }

    /**
     * Runs {@code task} once on every worker in the run now (to warm it up, load a model, check its
     * environment), each copy bound to its worker, and returns their futures by worker name, in the broker's
     * order. A worker lost before its copy ran fails that future with {@link WorkerLostException}; copies
     * are never moved to another worker. Workers that join later do not run it.
     *
     * <pre>{@code
     * Map<String, CompletableFuture<String>> javaVersions = pool.onEachWorker(() -> System.getProperty("java.version"));
     * }</pre>
     */
    public <T> Map<String, CompletableFuture<T>> onEachWorker(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        checkRunning(task);
        awaitOwnWorkers();
        Map<String, CompletableFuture<T>> out = new LinkedHashMap<>();
        for (WorkerInfo w : workers()) {
            out.put(w.name(), with(TaskOptions.defaults().onWorker(w.name())).submit(task));
        }
        return out;
    }

    /**
     * On the embedded default, waits (at most 30 seconds) until the workers it starts have joined: right after
     * {@code new DistributedExecutor()}, "every worker" means those, not the ones that happen to be up yet.
     */
    private void awaitOwnWorkers() {
        int expected = backend.startedWorkers();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (expected > 0 && backend.workerCount() < expected && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Runs a serializable lambda on every worker; see {@link #onEachWorker(Callable)}. */
    public <T> Map<String, CompletableFuture<T>> onEachWorker(SerializableCallable<T> task) {
        return onEachWorker((Callable<T>) task);
    }

    /* ---------------- mapReduce, mapScan ---------------- */

    /**
     * Applies {@code fn} to every input item and reduces the results with {@code reducer}, both on the
     * workers: runs of items are mapped and folded where they run, and adjacent partial results are combined
     * by further tasks as soon as both are known, a tree that grows as results arrive. Results are combined
     * in input order, so {@code reducer} must be associative (as for {@link Stream#reduce(java.util.function.BinaryOperator)})
     * but need not be commutative. The input is read lazily.
     *
     * <pre>{@code
     * Optional<Long> hits = pool.mapReduce(seed -> darts(seed, 1_000_000), Long::sum, seeds);
     * }</pre>
     *
     * @return the reduction, or empty if {@code inputs} is empty (or the reduction is null)
     * @throws java.util.concurrent.CompletionException if {@code fn} or {@code reducer} threw (the cause), or the
     *                                                  wait was interrupted
     */
    public <T, R> Optional<R> mapReduce(SerializableFunction<? super T, ? extends R> fn,
            SerializableBinaryOperator<R> reducer, Iterable<? extends T> inputs) {
        Objects.requireNonNull(inputs, "inputs");
        return this.<T, R>reduction(fn, reducer).reduce(inputs.iterator());
    }

    /**
     * {@link #mapReduce(SerializableFunction, SerializableBinaryOperator, Iterable)} with an identity, as
     * {@link Stream#reduce(Object, java.util.function.BinaryOperator)} has it: {@code identity} is the result of
     * an empty input, and must be an identity for {@code reducer}.
     */
    public <T, R> R mapReduce(SerializableFunction<? super T, ? extends R> fn, R identity,
            SerializableBinaryOperator<R> reducer, Iterable<? extends T> inputs) {
        Objects.requireNonNull(inputs, "inputs");
        Reduction<T, R> r = reduction(fn, reducer);
        Iterator<? extends T> it = inputs.iterator();
        return it.hasNext() ? r.reduce(it).orElse(null) : identity;
    }

    /**
     * Every running reduction of the mapped input, SCOOP's {@code mapScan}: element {@code i} is
     * {@code fn(x0) ⊕ … ⊕ fn(xi)}. Runs of items are mapped and scanned on the workers; the root folds the
     * runs' totals (one reducer call per run) and tasks apply them to the runs.
     *
     * @throws java.util.concurrent.CompletionException if {@code fn} or {@code reducer} threw (the cause)
     */
    public <T, R> List<R> mapScan(SerializableFunction<? super T, ? extends R> fn,
            SerializableBinaryOperator<R> reducer, Iterable<? extends T> inputs) {
        Objects.requireNonNull(inputs, "inputs");
        return this.<T, R>reduction(fn, reducer).scan(inputs.iterator());
    }

    private <T, R> Reduction<T, R> reduction(SerializableFunction<? super T, ? extends R> fn,
            SerializableBinaryOperator<R> reducer) {
        Objects.requireNonNull(fn, "fn");
        Objects.requireNonNull(reducer, "reducer");
        checkRunning(fn);
        return new Reduction<>(fn, reducer, this::submit, client::clusterThreads);
    }

    private <R> Stream<R> mapStream(SerializableFunction<?, ?> fn, Iterator<?> inputs, boolean ordered) {
        Objects.requireNonNull(fn, "fn");
        Objects.requireNonNull(inputs, "inputs");
        checkRunning(fn);
        // A large function (it captured a big array, a model…) travels once per worker, not with every chunk:
        // encoded once here, to measure it and, if large, to share those very bytes.
        byte[] alone = encodeTask(fn);
        Object sent = alone.length >= SHARE_FUNCTIONS_FROM ? shareEncoded(fn, alone) : fn;
        MapIterator<R> it = new MapIterator<>(sent, inputs, this::sendChunk, client::clusterThreads, ordered);
        if (sent instanceof Shared<?> handle) {
            // Let go when the results are all read or the stream is closed; and, for a stream left unread after
            // a failure or a short-circuit (findFirst, limit), when it is collected.
            java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
            RootClient c = client;
            String key = handle.key();
            Runnable release = () -> {
                if (released.compareAndSet(false, true)) {
                    c.unshare(key);
                }
            };
            it.onDone(release);
            UNREAD_MAPS.register(it, release);
        }
        int characteristics = ordered ? Spliterator.ORDERED : 0;
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, characteristics), false).onClose(it::close);
    }

    private RemoteFuture<Object[]> sendChunk(MapChunk chunk) {
        RemoteFuture<Object[]> f = RemoteFuture.ofCallable(this, chunk);
        send(f);
        return f;
    }

    /* ---------------- the path of one task ---------------- */

    private boolean isOwn(RemoteFuture<?> f) {
        return f.owner() instanceof DistributedExecutor e && e.active == active;
    }

    private void send(RemoteFuture<?> f) {
        Encoded e = encodeFor(f, null);
        admitHolding(f, e);
        enqueue(f, e.payload());
        client.flush();
    }

    /**
     * Admits a task ({@link #admit}) whose encoding holds shared arrays: they are let go when it is done, or at
     * once if it is not admitted.
     */
    private void admitHolding(RemoteFuture<?> f, Encoded e) {
        try {
            admit(f, e.payload().length);
        } catch (RuntimeException | Error x) {
            e.keys().forEach(client::unshare);
            throw x;
        }
        if (!e.keys().isEmpty()) {
            RootClient c = client;
            f.whenComplete((value, failure) -> e.keys().forEach(c::unshare));
        }
    }

    /** Queues an admitted task: at once, or, when it has dependencies, once they have succeeded. */
    private void enqueue(RemoteFuture<?> f, byte[] payload) {
        TaskPolicy policy = f.policy();
        if (policy == null) {
            client.enqueue(f, payload, childPriority());
            return;
        }
        policy.sending(payload);
        List<CompletableFuture<?>> dependencies = options.dependencies();
        if (dependencies.isEmpty()) {
            client.enqueue(f, payload, policy.priority());
        } else {
            TaskPolicy.sendWhenReady(dependencies, f, () -> client.submit(f, payload, policy.priority()));
        }
    }

    /**
     * What travels for a future's task: the task (a Runnable wrapped to return nothing), and, when it holds
     * arrays, collections or counters, wrapped again so that what it writes into them comes back (WriteBack).
     */
    private Object travelling(RemoteFuture<?> f) {
        return travelling(f, true);
    }

    /**
     * As {@link #travelling(RemoteFuture)}; with {@code register} false, only builds what would travel (to check
     * it), without stamping the future's write-back or setting its policy.
     */
    private Object travelling(RemoteFuture<?> f, boolean register) {
        Object task = f.task();
        Callable<?> call = f.isCallable() ? (Callable<?>) task : new RunnableTask((Runnable) task);
        if (!(task instanceof MapChunk)) {
            Object[] containers = WriteBack.containersOf(task);
            if (containers.length > 0) {
                if (register) {
                    f.writesBackTo(writeBack, containers);
                }
                call = new WriteBack.Task(call, containers);
            }
        }
        if (options.isDefault()) {
            return call;
        }
        Integer priority = options.priorityOrNull();
        // A task that retries on its own exceptions has a limit: its own, else this executor's.
        int attempts = options.maxAttemptsOrZero() == 0 && !options.retryTypes().isEmpty() ? maxAttempts
                : options.maxAttemptsOrZero();
        if (register) {
            f.policy(new TaskPolicy(options.labelOrNull(), priority != null ? priority : childPriority(),
                    attempts, options.retryTypes(), options.target(), options.outputDir()));
        }
        if (options.labelOrNull() == null && options.timeoutNanos() == 0 && options.outputDir() == null) {
            return call;
        }
        return new TaskEnvelope(call, options.labelOrNull(), options.timeoutNanos(), options.outputDir() != null);
    }

    /**
     * Counts the future in flight, first waiting for room (or rejecting) when the executor has
     * {@code maxInFlight} in flight; tasks this thread queued unsent are flushed before it waits. A task with
     * dependencies is counted but takes no room.
     */
    private void admit(RemoteFuture<?> f, long size) {
        f.sent(size);
        io.scoop.root.PayloadAdvisor.check(f.task(), size);
        checkRunning(f.task());
        startKeeper();
        // A task held for its dependencies takes no room: room it held could be the room the task that its
        // dependency waits for needs (a submit loop ahead of the dependency's completion would block for ever).
        if (options.dependencies().isEmpty()) {
            gate.acquire(size, client::flush, f.task());
            gated.put(f, size);
        }
        active.put(f, size);
        if (state.get() != RUNNING) {
            retire(f);
            tryTerminate();
            throw rejected(f.task());
        }
        uncounted.put(f, Boolean.TRUE);
        counts.submitted(weight(f));
    }

    /** What a future counts for in {@link #progress()}: a map chunk its items, any other task 1. */
    private static long weight(RemoteFuture<?> f) {
        return f.task() instanceof io.scoop.root.MapChunk chunk ? chunk.size() : 1;
    }

    /** Takes the future out of flight, once; true if it was in flight. */
    private boolean retire(RemoteFuture<?> f) {
        release(f);
        return active.remove(f) != null;
    }

    /** Gives back the future's room in the gate, once. */
    private void release(RemoteFuture<?> f) {
        Long size = gated.remove(f);
        if (size != null) {
            gate.release(size);
        }
    }

    private void checkRunning(Object task) {
        if (state.get() != RUNNING) {
            throw rejected(task);
        }
    }

    private RejectedExecutionException rejected(Object task) {
        return new RejectedExecutionException("task " + describe(task) + " rejected from " + this);
    }

    private static int childPriority() {
        TaskContext ctx = TaskContext.current();
        return ctx == null ? 0 : ctx.priority() + 1;
    }

    /** A task's bytes, and the keys of the shared arrays they name, held until the task is done. */
    private record Encoded(byte[] payload, java.util.Set<String> keys) {
    }

    /**
     * Encodes what travels for {@code f} ({@link #travelling}). A large array of primitives that it captured and
     * that other tasks of the same call capture too ({@code batch}), or that an earlier task already sent,
     * unchanged, goes to the broker once and travels by its key (see {@link io.scoop.wire.SharedArrays}); the
     * keys it took are held for it (see {@link #admitHolding}). Not so in a task on a worker: its children may
     * run on that worker, which would send the array to the broker only to fetch it back.
     */
    private Encoded encodeFor(RemoteFuture<?> f, io.scoop.wire.SharedArrays.Batch batch) {
        Object task = travelling(f);
        if (f.task() instanceof MapChunk || backend.nested()) {
            // a map's function is shared by map itself, and its items are each their own
            return new Encoded(encodeTask(task), java.util.Set.of());
        }
        try (io.scoop.wire.SharedArrays.Session s = io.scoop.wire.SharedArrays.open(arraySink, batch)) {
            byte[] payload = encodeTask(task);
            return new Encoded(payload, s.keep());
        }
    }

    /** Where {@link #encodeFor} puts the arrays it sends once: with the broker, held once per task. */
    private final io.scoop.wire.SharedArrays.Sink arraySink = new io.scoop.wire.SharedArrays.Sink() {
        @Override
        public boolean share(String key, byte[] bytes) {
            try {
                client.share(key, bytes, 60_000);
                return true;
            } catch (RuntimeException e) {
                return false; // refused (the broker holds too much) or broken: the array goes with the task
            }
        }

        @Override
        public boolean hold(String key) {
            return client.holdShared(key);
        }

        @Override
        public void release(String key) {
            client.unshare(key);
        }
    };

    /**
     * Encodes a task, or explains why it cannot travel.
     *
     * @throws TaskTooLargeException        if it encodes to more than the payload limit
     * @throws TaskNotSerializableException if it cannot be encoded
     */
    static byte[] encodeTask(Object task) {
        return encode(task, "task");
    }

    private static byte[] encode(Object task, String noun) {
        byte[][] encoded = new byte[1][];
        travels(task, noun, () -> {
            encoded[0] = KryoCodec.encode(task);
            return encoded[0].length;
        });
        return encoded[0];
    }

    /** Checks that a task can travel, as {@link #encodeTask} does, without keeping its bytes; returns its size. */
    private static long checkTask(Object task) {
        return travels(task, "task", () -> KryoCodec.measure(task));
    }

    /** Runs {@code encoding} on {@code task}, turning its failures and a size over the limit into clear errors. */
    private static long travels(Object task, String noun, java.util.function.LongSupplier encoding) {
        Object inner = task instanceof TaskEnvelope e ? e.task() : task;
        inner = inner instanceof WriteBack.Task w ? w.inner() : inner;
        inner = inner instanceof RunnableTask r ? r.runnable() : inner;
        long encoded;
        try {
            encoded = encoding.getAsLong();
        } catch (TravelException e) {
            throw new TaskNotSerializableException(noun + " " + describe(inner) + " cannot be sent to a worker: "
                    + e.getMessage(), e);
        } catch (RuntimeException | StackOverflowError e) {
            throw new TaskNotSerializableException(noun + " " + describe(inner) + " could not be serialized: "
                    + e.getMessage() + ". Tasks travel with Kryo: every object the task holds (its fields, captured"
                    + " variables, the enclosing instance of an anonymous class) must be encodable; mark fields the"
                    + " worker does not need transient, or capture only the data the task needs", e);
        }
        long limit = Sockets.maxPayloadBytes();
        if (encoded > limit) {
            throw new TaskTooLargeException(noun + " " + describe(inner) + " is " + encoded + " bytes encoded,"
                    + " above the limit of " + limit + " bytes; it was not sent: " + Sockets.payloadLimitHint(),
                    encoded, limit);
        }
        return encoded;
    }

    private static String describe(Object task) {
        return task == null ? "null" : task.getClass().getName();
    }

    /* ---------------- RemoteFuture.Owner ---------------- */

    @Override
    public void cancelRemote(RemoteFuture<?> f, boolean mayInterrupt) {
        if (!f.isSent()) {
            return; // waiting for its dependencies: nothing to cancel anywhere else
        }
        client.cancel(List.of(f), mayInterrupt);
    }

    @Override
    public void completing(RemoteFuture<?> f) {
        release(f);
    }

    @Override
    public boolean runHere(RemoteFuture<?> f) {
        return client.runHere(f);
    }

    @Override
    public void completing(RemoteFuture<?> f, boolean failed) {
        release(f);
        count(f, failed); // before the future completes: a caller whose get() returned finds it counted
    }

    @Override
    public void done(RemoteFuture<?> f) {
        count(f, f.isCompletedExceptionally()); // if completing did not know the outcome (cancel, a local run)
        if (retire(f) && state.get() != RUNNING && active.isEmpty()) {
            tryTerminate();
        }
    }

    /** Counts a completed future for {@link #progress()}, once. */
    private void count(RemoteFuture<?> f, boolean failed) {
        if (uncounted.remove(f) != null) {
            counts.completed(weight(f), failed);
        }
    }

    /* ---------------- progress ---------------- */

    /**
     * How far this executor's work has come: tasks (a {@code map} chunk counts as its items) submitted,
     * succeeded, failed (an exception, or cancelled) and in flight since it was created, with the time since
     * the first submit; its {@link Progress#rate()} and {@link Progress#eta()} follow. Views made by
     * {@link #with} share the counts. Cheap: for a progress line or a test, as often as wanted.
     *
     * <pre>{@code
     * Progress p = pool.progress();
     * System.err.printf("%d of %d done, %d failed%n", p.succeeded(), p.submitted(), p.failed());
     * }</pre>
     *
     * @return the counts now
     */
    public Progress progress() {
        return counts.snapshot();
    }

    /** The counts behind {@link #progress()}. */
    private static final class Counts {
        private final java.util.concurrent.atomic.LongAdder submitted = new java.util.concurrent.atomic.LongAdder();
        private final java.util.concurrent.atomic.LongAdder succeeded = new java.util.concurrent.atomic.LongAdder();
        private final java.util.concurrent.atomic.LongAdder failed = new java.util.concurrent.atomic.LongAdder();
        private final java.util.concurrent.atomic.AtomicLong firstSubmitNanos = new java.util.concurrent.atomic.AtomicLong();
        private volatile boolean started;

        void submitted(long n) {
            if (!started) {
                firstSubmitNanos.compareAndSet(0, System.nanoTime());
                started = true;
            }
            submitted.add(n);
        }

        void completed(long n, boolean failure) {
            (failure ? failed : succeeded).add(n);
        }

        Progress snapshot() {
            // Completions first: a task counted done is always counted submitted too (inFlight never below 0).
            long ok = succeeded.sum();
            long bad = failed.sum();
            long all = submitted.sum();
            long first = firstSubmitNanos.get();
            java.time.Duration elapsed = started ? java.time.Duration.ofNanos(System.nanoTime() - first)
                    : java.time.Duration.ZERO;
            return new Progress(all, ok, bad, Math.max(0, all - ok - bad), elapsed);
        }
    }

    /* ---------------- lifecycle ---------------- */

    @Override
    public void shutdown() {
        state.compareAndSet(RUNNING, SHUTDOWN);
        tryTerminate();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Tasks still queued at the broker are removed and returned (their futures stay incomplete, and
     * running one with {@code run()} runs its task in this JVM); running tasks are interrupted and their
     * futures cancelled. Waits at most two seconds for the broker's answer.
     */
    @Override
    public List<Runnable> shutdownNow() {
        int s;
        do {
            s = state.get();
        } while (s < STOP && !state.compareAndSet(s, STOP));
        List<RemoteFuture<?>> pending = new ArrayList<>(active.keySet());
        List<Runnable> neverStarted = new ArrayList<>();
        if (!pending.isEmpty() && s < TERMINATED) {
            Set<Long> revoked = new HashSet<>();
            for (long id : client.revoke(pending, 2000)) {
                revoked.add(id);
            }
            for (RemoteFuture<?> f : pending) {
                if (revoked.contains(f.id())) {
                    f.markUnsent();
                    neverStarted.add(f);
                    retire(f);
                } else {
                    f.cancel(true);
                }
            }
        }
        tryTerminate();
        return neverStarted;
    }

    @Override
    public boolean isShutdown() {
        return state.get() != RUNNING;
    }

    @Override
    public boolean isTerminated() {
        return terminated.getCount() == 0;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return terminated.await(timeout, unit);
    }

    /** Shuts down and waits for the tasks to finish, as {@code ExecutorService.close()} does from Java 19. */
    @Override
    public void close() {
        shutdown();
        boolean interrupted = false;
        while (!isTerminated()) {
            try {
                awaitTermination(1, TimeUnit.DAYS);
            } catch (InterruptedException e) {
                if (!interrupted) {
                    shutdownNow();
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void tryTerminate() {
        int s = state.get();
        if (s == RUNNING || s == TERMINATED || !active.isEmpty()) {
            return;
        }
        if (state.compareAndSet(s, TERMINATED)) {
            if (backend.ownsClient()) {
                startKeeper();
                terminateRequested.countDown();
            } else {
                terminated.countDown();
            }
        }
    }

    /** Starts the keeper thread once, when the first task is accepted or at termination if none ever was. */
    private void startKeeper() {
        if (backend.ownsClient() && keeperStarted.compareAndSet(false, true)) {
            // Not inheriting: made inside a task on a worker, it must not keep that task's output capture.
            Thread keeper = new Thread(null, this::keepUntilTerminated, "scoop-executor-"
                    + EXECUTORS.incrementAndGet(), 0, false);
            keeper.setDaemon(false);
            keeper.start();
        }
    }

    private void keepUntilTerminated() {
        try {
            terminateRequested.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            backend.close();
        } finally {
            terminated.countDown();
        }
    }

    /** The broker address this executor sends to (TCP, or inproc for the embedded default's own root). */
    public String brokerAddress() {
        return backend.brokerAddress();
    }

    /**
     * The URL of the run's live status page (workers, queue, throughput, recent failures and tasks), with the
     * token that admits a browser to it: the embedded default's page when {@link Builder#statusPage(boolean)}
     * turned it on, or the launcher's page under the launcher (on unless {@code --no-status}). Empty otherwise.
     * Whoever has the URL can watch the run (never change it): show it only to the run's user.
     */
    public java.util.Optional<String> statusPageUrl() {
        return java.util.Optional.ofNullable(backend.statusUrl());
    }

    /**
     * Worker JVMs connected to the broker: exact for the embedded default (its broker is in this JVM),
     * otherwise as of the broker's last heartbeat.
     */
    public int workerCount() {
        return backend.workerCount();
    }

    @Override
    public String toString() {
        return "DistributedExecutor[" + STATE_NAMES[state.get()] + ", " + backend.mode() + ", workers = "
                + workerCount() + ", in flight = " + active.size() + ", broker = " + brokerAddress()
                + (options.isDefault() ? "" : ", " + options) + "]";
    }

    /* ---------------- builder ---------------- */

    /**
     * Settings for a {@link DistributedExecutor}. Each setting is checked when set and may be set once.
     *
     * <pre>{@code
     * DistributedExecutor pool = DistributedExecutor.builder().workers(4).jvmOptions("-Xmx2g").build();
     * DistributedExecutor remote = DistributedExecutor.builder().connect("tcp://10.0.0.5:5555").build();
     * }</pre>
     */
    public static final class Builder {
        /** The default of {@link #maxInFlight}: tasks. */
        public static final int DEFAULT_MAX_IN_FLIGHT_TASKS = 10_000;
        /**
         * The default of {@link #maxInFlight}: bytes of encoded tasks, 256 MiB, or a quarter of this JVM's heap
         * if that is less (the embedded broker keeps what is in flight in this heap too).
         */
        public static final long DEFAULT_MAX_IN_FLIGHT_BYTES = 256L << 20;

        /** {@link #DEFAULT_MAX_IN_FLIGHT_BYTES}, or a quarter of the heap if less (at least 16 MiB). */
        static long defaultInFlightBytes() {
            return Math.min(DEFAULT_MAX_IN_FLIGHT_BYTES, Math.max(16L << 20, Runtime.getRuntime().maxMemory() / 4));
        }

        int workers;
        int threadsPerWorker = 1;
        List<String> jvmOptions = List.of();
        String address;
        String classpath;
        long heartbeatMillis = 1000;
        long expiryMillis = 5000;
        long connectTimeoutMillis = 10_000;
        int maxAttempts = maxAttemptsProperty(3);
        /** Whether maxAttempts came from {@link #maxAttempts} or {@code scoop.maxAttempts}, not the default. */
        boolean maxAttemptsGiven = System.getProperty(MAX_ATTEMPTS_PROPERTY) != null
                && !System.getProperty(MAX_ATTEMPTS_PROPERTY).isBlank();
        int maxFailedStarts = Respawner.DEFAULT_MAX_FAILED_STARTS;
        int maxInFlightTasks = DEFAULT_MAX_IN_FLIGHT_TASKS;
        long maxInFlightBytes = defaultInFlightBytes();
        boolean rejectWhenFull;
        java.time.Duration taskTimeout = taskTimeoutProperty();
        RunKeys keys;
        /** The embedded default's status page: the address to bind, or null for none. */
        String statusBind;
        private final Set<String> set = new HashSet<>();

        Builder() {
        }

        private void once(String setting, Object current) {
            if (!set.add(setting)) {
                throw new IllegalStateException(setting + " was already set to " + current);
            }
        }

        /**
         * Embedded default only: serves the run's live status page on loopback (127.0.0.1, a free port), whose
         * URL {@link DistributedExecutor#statusPageUrl()} gives. The page admits only that URL's token, derived
         * from the run's secret, and then its cookie. Default: off. (Under the launcher the launcher serves it.)
         */
        public Builder statusPage(boolean on) {
            return statusPage(on ? "127.0.0.1" : null);
        }

        /**
         * Embedded default only: serves the status page on this address instead of loopback ({@code 0.0.0.0}
         * for every interface: anyone who reaches it still needs the URL's token, but it travels in clear
         * HTTP), or none for null.
         */
        public Builder statusPage(String bindAddress) {
            once("statusPage", statusBind);
            this.statusBind = bindAddress == null || bindAddress.isBlank() ? null : bindAddress;
            return this;
        }

        /** Embedded default only: how many worker JVMs to fork. Default: one per available processor. */
        public Builder workers(int n) {
            once("workers", workers);
            if (n < 1) {
                throw new IllegalArgumentException("workers must be at least 1: " + n);
            }
            this.workers = n;
            return this;
        }

        /** Embedded default only: task threads in each worker JVM. Default 1. */
        public Builder threadsPerWorker(int n) {
            once("threadsPerWorker", threadsPerWorker);
            if (n < 1) {
                throw new IllegalArgumentException("threadsPerWorker must be at least 1: " + n);
            }
            this.threadsPerWorker = n;
            return this;
        }

        /** Embedded default only: options for the worker JVMs, e.g. {@code -Xmx2g}. */
        public Builder jvmOptions(String... options) {
            once("jvmOptions", jvmOptions);
            for (String o : options) {
                Objects.requireNonNull(o, "jvm option");
            }
            this.jvmOptions = List.of(options);
            return this;
        }

        /**
         * Embedded default only: the workers' classpath, as {@code java -cp} takes it. Default: the system
         * property {@code scoop.workerClasspath} if set, else this JVM's {@code java.class.path}; when a tool
         * runs the program in a class loader of its own ({@code mvn exec:java}, whose {@code java.class.path} is
         * Maven's), the jars and directories of that class loader. If it cannot be told, {@code build()} and
         * {@code new DistributedExecutor()} fail with an {@link IllegalStateException} that says to set this.
         *
         * @param classpath jars and directories, separated by {@link java.io.File#pathSeparator}
         * @return this builder
         */
        public Builder classpath(String classpath) {
            once("classpath", this.classpath);
            this.classpath = Objects.requireNonNull(classpath, "classpath");
            return this;
        }

        /** Connects to a running broker ({@code tcp://host:port}) instead of starting one. */
        public Builder connect(String brokerAddress) {
            once("broker address", address);
            Objects.requireNonNull(brokerAddress, "brokerAddress");
            if (!brokerAddress.startsWith("tcp://") && !brokerAddress.startsWith("inproc://")) {
                throw new IllegalArgumentException("broker address must look like tcp://HOST:PORT: " + brokerAddress);
            }
            this.address = brokerAddress;
            return this;
        }

        /**
         * Connects to a running broker that demands keys (CURVE or a token), with the run's keys (for example
         * {@code RunKeys.parse(line)} of the key line the launcher handed over); see {@link #connect(String)}.
         */
        public Builder connect(String brokerAddress, RunKeys keys) {
            connect(brokerAddress);
            return keys(keys);
        }

        /**
         * The run's keys: CURVE keys or a token. With {@link #connect}, the keys to present to that broker (a
         * member's keys suffice). For the embedded default, its broker requires these keys and its workers get
         * them through their stdin: keys made by {@link RunKeys#generate()} (CURVE: encrypted, for a broker
         * others reach) or {@link RunKeys#token()}. Default: with {@link #connect}, none (plain TCP); for the
         * embedded default, a token made for it. Under the launcher, the keys of {@value RunKeys#ENV} are used
         * unless keys or an address are set here.
         *
         * @throws IllegalStateException if keys were already set
         */
        public Builder keys(RunKeys keys) {
            once("keys", this.keys);
            this.keys = Objects.requireNonNull(keys, "keys");
            return this;
        }

        /** How often peers exchange heartbeats, and after how long a silent peer counts as lost. */
        public Builder heartbeat(long interval, long expiry, TimeUnit unit) {
            once("heartbeat", heartbeatMillis + " ms / " + expiryMillis + " ms");
            long i = unit.toMillis(interval);
            long e = unit.toMillis(expiry);
            if (i < 1 || e <= i) {
                throw new IllegalArgumentException("heartbeat interval must be at least 1 ms and below the expiry: "
                        + i + " ms, expiry " + e + " ms");
            }
            this.heartbeatMillis = i;
            this.expiryMillis = e;
            return this;
        }

        /** How long to wait for the broker to answer when connecting. Default 10 s. */
        public Builder connectTimeout(long timeout, TimeUnit unit) {
            once("connectTimeout", connectTimeoutMillis + " ms");
            if (timeout < 1) {
                throw new IllegalArgumentException("connect timeout must be positive: " + timeout);
            }
            this.connectTimeoutMillis = unit.toMillis(timeout);
            return this;
        }

        /**
         * The longest any task of this executor may run, as {@link TaskOptions#timeout} (a view's own timeout
         * wins). Default: none, or the system property {@code scoop.taskTimeout} (the launcher's
         * {@code --task-timeout}), a number of seconds or a number with {@code ms}, {@code s}, {@code m} or
         * {@code h}.
         */
        public Builder taskTimeout(java.time.Duration timeout) {
            once("taskTimeout", taskTimeout);
            TaskOptions.defaults().timeout(timeout); // checks it
            this.taskTimeout = timeout;
            return this;
        }

        /** The system property read for the default of {@link #taskTimeout}, as {@link #parseDuration} reads it. */
        public static final String TASK_TIMEOUT_PROPERTY = "scoop.taskTimeout";

        private static java.time.Duration taskTimeoutProperty() {
            String value = System.getProperty(TASK_TIMEOUT_PROPERTY);
            if (value == null || value.isBlank()) {
                return null;
            }
            try {
                return parseDuration(value.trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("system property scoop.taskTimeout=" + value + " is not a"
                        + " positive duration: write seconds (90) or a number with ms, s, m or h (1500ms, 90s, 30m,"
                        + " 2h)", e);
            }
        }

        /**
         * A positive duration as {@code scoop.taskTimeout} (and the launcher's {@code --task-timeout}) write it:
         * seconds ({@code 90}), or a number with {@code ms}, {@code s}, {@code m} or {@code h}.
         *
         * @throws IllegalArgumentException if {@code text} is not one, or is zero (the message says which)
         */
        public static java.time.Duration parseDuration(String text) {
            java.util.regex.Matcher m = DURATION.matcher(text);
            if (!m.matches()) {
                throw new IllegalArgumentException("not a duration");
            }
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            java.time.Duration d = switch (unit) {
                case "ms" -> java.time.Duration.ofMillis(n);
                case "m" -> java.time.Duration.ofMinutes(n);
                case "h" -> java.time.Duration.ofHours(n);
                default -> java.time.Duration.ofSeconds(n);
            };
            if (d.isZero()) {
                throw new IllegalArgumentException("a task needs more than no time");
            }
            return d;
        }

        private static final java.util.regex.Pattern DURATION = java.util.regex.Pattern.compile("(\\d{1,12})(ms|s|m|h)?");

        /**
         * How many times a task is tried when its workers die (and, with {@link TaskOptions#retryOn}, when it
         * throws), unless its {@link TaskOptions#maxAttempts} says otherwise. Default 3, or the system property
         * {@value #MAX_ATTEMPTS_PROPERTY} (the launcher's {@code --max-attempts}); a call here wins over the
         * property. For the embedded default it is its broker's limit; connected to a broker (under the
         * launcher), a value given here or by the property goes with each task.
         */
        public Builder maxAttempts(int n) {
            once("maxAttempts", maxAttempts);
            if (n < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1: " + n);
            }
            this.maxAttempts = n;
            this.maxAttemptsGiven = true;
            return this;
        }

        /** The system property read for the default of {@link #maxAttempts}: a whole number, 1 or more. */
        public static final String MAX_ATTEMPTS_PROPERTY = "scoop.maxAttempts";

        private static int maxAttemptsProperty(int otherwise) {
            String value = System.getProperty(MAX_ATTEMPTS_PROPERTY);
            if (value == null || value.isBlank()) {
                return otherwise;
            }
            int n;
            try {
                n = Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                n = 0;
            }
            if (n < 1) {
                throw new IllegalArgumentException("system property " + MAX_ATTEMPTS_PROPERTY + "=" + value
                        + " is not a whole number of 1 or more: write e.g. -D" + MAX_ATTEMPTS_PROPERTY + "=1 (never"
                        + " attempted again) or 5");
            }
            return n;
        }

        /**
         * Embedded default only: how many replacement workers in a row may exit by themselves before they join
         * the broker (a bad JVM option, a broken classpath) before the executor stops replacing dead workers.
         * Until then every dead worker is replaced, with a backoff from 100 ms to 5 s that resets once a
         * worker has run 5 s, and pending tasks wait for it; workers killed by a signal do not count. Default 5.
         */
        public Builder maxFailedStarts(int n) {
            once("maxFailedStarts", maxFailedStarts);
            if (n < 1) {
                throw new IllegalArgumentException("maxFailedStarts must be at least 1: " + n);
            }
            this.maxFailedStarts = n;
            return this;
        }

        /**
         * Backpressure: at most {@code tasks} tasks, or {@code payloadBytes} bytes of encoded tasks, in flight
         * (submitted and not yet completed) on this executor; {@code submit}, {@code execute}, {@code invokeAll}
         * and {@code map} wait for room beyond that (or fail, see {@link #rejectWhenFull()}). A single task is
         * always admitted when nothing else is in flight. Default {@value #DEFAULT_MAX_IN_FLIGHT_TASKS} tasks or
         * 256 MiB, or a quarter of the heap if less: enough to keep a thousand worker threads busy, while what
         * the root (and the embedded broker) holds for them stays a few megabytes for small tasks, so that even a
         * root with {@code -Xmx64m} can submit without end, and tasks of a megabyte fit a root of 256 MB.
         */
        public Builder maxInFlight(int tasks, long payloadBytes) {
            once("maxInFlight", maxInFlightTasks + " tasks / " + maxInFlightBytes + " bytes");
            if (tasks < 1 || payloadBytes < 1) {
                throw new IllegalArgumentException("maxInFlight must be at least 1 task and 1 byte: " + tasks
                        + " tasks, " + payloadBytes + " bytes");
            }
            this.maxInFlightTasks = tasks;
            this.maxInFlightBytes = payloadBytes;
            return this;
        }

        /**
         * When {@link #maxInFlight} is reached, fail the submit with a {@link RejectedExecutionException} that
         * says so, instead of waiting for room (the default).
         */
        public Builder rejectWhenFull() {
            once("rejectWhenFull", rejectWhenFull);
            this.rejectWhenFull = true;
            return this;
        }

        String classpath() {
            return io.scoop.internal.WorkerClasspath.resolve(classpath);
        }

        /**
         * Creates the executor.
         *
         * @throws IllegalStateException if embedded-only settings are combined with {@link #connect}, or member
         *                               keys are given to the embedded default
         */
        public DistributedExecutor build() {
            if (address != null && (set.contains("workers") || set.contains("jvmOptions") || set.contains("classpath")
                    || set.contains("threadsPerWorker") || set.contains("maxFailedStarts")
                    || statusBind != null)) {
                throw new IllegalStateException("workers, threadsPerWorker, jvmOptions, classpath and statusPage"
                        + " configure the embedded default and cannot be combined with connect(" + address + ")");
            }
            if (address == null && keys != null && !keys.hasBrokerSecret() && TaskContext.processWorker() == null) {
                throw new IllegalStateException("the embedded default starts its own CURVE broker, which needs the"
                        + " broker's secret key that " + keys + " lack: pass RunKeys.generate(), or connect(address,"
                        + " keys) to the broker of these keys");
            }
            return new DistributedExecutor(this);
        }

        @Override
        public String toString() {
            return "DistributedExecutor.Builder" + set;
        }
    }
}
