package io.scoop.broker;

import io.scoop.internal.Log;
import io.scoop.RunKeys;
import io.scoop.internal.IoThreadFailedException;
import io.scoop.internal.RateLimitedLog;
import io.scoop.internal.Sockets;
import io.scoop.internal.Ticker;
import io.scoop.wire.Command;
import io.scoop.wire.MalformedMessageException;
import io.scoop.wire.Messages;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Routes tasks from roots to workers and results back. It never decodes a payload: it needs no user class,
 * and a hostile payload cannot run code in it.
 *
 * <pre>
 * Overview
 *
 * One ROUTER socket, bound to a TCP endpoint and to an inproc endpoint, and one thread that owns it: a plain
 * blocking receive loop (measured faster here than a poller over two sockets). Each peer has two DEALER
 * sockets: "rx", whose routing id is the peer's name and which only receives, and "tx", which any of the
 * peer's threads may send on under a lock. Messages name their sender in the body, so the broker always
 * answers the peer's rx socket.
 *
 * Task states, and the event behind each transition:
 *
 *   QUEUED     --dispatch to a worker with credit-->                DISPATCHED
 *   DISPATCHED --result from the worker-->                          DONE (result routed to the root)
 *   DISPATCHED --worker lost (process gone, heartbeats stopped)-->  QUEUED again, or LOST after maxAttempts
 *   QUEUED | DISPATCHED --cancel from the root, or root gone-->     DONE (dropped; a running one is interrupted)
 *   any        --cluster broken (no worker left)-->                 DONE (BROKEN routed to the root)
 *
 * Worker states: READY (credit > 0) <-> BUSY (credit = 0) -> EXPIRED (no heartbeat for the expiry, or
 * reported lost by its spawner). A worker asks for credit in its HELLO and with CREDIT deltas; each
 * result it sends returns one credit. The broker never sends a worker more tasks than its credit, and
 * shares the queue among ready workers so that one prefetching worker cannot take it all.
 *
 * Root states: CONNECTED (from its HELLO) -> DROPPED (no heartbeat for the expiry: its queued tasks are
 * forgotten, its running ones interrupted, and it is told with a DROPPED message) or GONE (BYE). A root is
 * never registered again by a later message: TASKS or a heartbeat from a root the broker does not know is
 * answered with DROPPED, so its futures fail instead of waiting for tasks that were forgotten.
 *
 * After every burst of messages (up to BURST, read without blocking) the loop dispatches, flushes the
 * results it gathered per root, and, when due, sends heartbeats and purges silent peers (ppqueue's shape).
 * A burst that kept this thread busy longer than a heartbeat interval (copying a message of hundreds of
 * megabytes) is not counted against the peers, whose heartbeats wait unread behind it. All of this state and
 * its rules live in Scheduler, which has no socket and no thread of its own.
 * The loop ends on a STOP control message, never on Thread.interrupt (JeroMQ is not interrupt-safe).
 *
 * Security. Builder.secure(keys) demands the run's secret of every peer on the TCP endpoint, of one of two
 * kinds (RunKeys):
 *   CURVE keys  the ROUTER is a CURVE server: every TCP connection is encrypted, and a ZapHandler in the
 *               broker's context admits only peers presenting the run's member public key. For brokers
 *               that remote hosts reach.
 *   a token     the ROUTER is a PLAIN server: a peer sends user name and password once, in clear, when it
 *               connects, and the ZapHandler admits only user "scoop" with the token as password. Nothing
 *               is added per message. For brokers bound to loopback, whose traffic other non-root users
 *               cannot read: the default of the embedded executor and of the launcher's local runs.
 * Either way the handler is bound before the TCP endpoint and closed after the ROUTER, since JeroMQ admits
 * every CURVE or PLAIN client while no handler is bound. Without secure(keys) the TCP endpoint is plain
 * (test fixtures, and users who run their own broker). The inproc endpoint stays plain: it never leaves
 * this process.
 *
 * Status page. With Builder.statusPage, a StatusPage (the JDK's HTTP server, its own threads) shows the run.
 * It never touches the scheduler: a request sets snapshotWanted, and the loop, after its next burst, copies
 * what the page shows (Scheduler.snapshot: a small record per worker and the Monitor's fixed-size rings, a few
 * hundred references) and hands it over; the JSON is built on the page's thread. Between requests the loop
 * pays one volatile read per burst, and per ended task a few counter writes and one small record (Monitor).
 *
 * Hostile input. Every socket refuses frames above Sockets.maxMessageBytes() before allocating them (see
 * Sockets for what JeroMQ does with absurd lengths). Every message is read by Messages, which checks each
 * length and count against the bytes that remain; a message that breaks its layout, or any other exception
 * while handling one message, drops that message only: it is counted (Stats.badMessages), logged
 * rate-limited, and a worker that sent it is dropped (its tasks requeued, SHUTDOWN sent). The control
 * messages STOP and LOST are obeyed only from the control socket, whose routing id is random and never leaves
 * this process; from anyone else they are bad messages.
 * </pre>
 */
public final class Broker implements AutoCloseable {
    private static final int BURST = 256;
    /** How long a TCP peer has to finish the ZMTP handshake (with CURVE or the token). JeroMQ's default: 30 s. */
    private static final int HANDSHAKE_MILLIS = 10_000;
    private static final AtomicLong INSTANCES = new AtomicLong();

    private final ZContext ctx;
    private final boolean ownsContext;
    private final ZMQ.Socket router;
    private final String address;
    private final String inprocAddress;
    private final Ticker ticker;
    private final long heartbeatNanos;
    private final Thread thread;
    private final ReentrantLock controlLock = new ReentrantLock();
    private final ZapHandler zap;
    /** The run's secret the TCP endpoint demands, or null for a plain broker. */
    private final RunKeys keys;
    private ZMQ.Socket control;
    /** The control socket's routing id: random, so that no peer can pass for it. */
    private final byte[] controlId = newControlId();
    private final RateLimitedLog badInput = new RateLimitedLog("scoop broker");

    /* ---------------- state owned by the loop thread ---------------- */

    private final Scheduler scheduler;
    private volatile boolean running = true;
    private long badMessages;
    private volatile Stats stats = new Stats(0, 0, 0, 0, 0, 0, 0, 0, 0);
    /** A snapshot the status page waits for: the loop fills it in between two bursts (null when none is wanted). */
    private final java.util.concurrent.atomic.AtomicReference<java.util.concurrent.CompletableFuture<StatusSnapshot>>
            snapshotWanted = new java.util.concurrent.atomic.AtomicReference<>();
    /** The live status page, or null when it is off. */
    private final StatusPage statusPage;

    private Broker(Builder b) {
        this.ctx = b.context != null ? b.context : Sockets.context();
        this.ownsContext = b.context == null;
        this.ticker = b.ticker;
        this.router = Sockets.create(ctx, SocketType.ROUTER, null);
        router.setRouterMandatory(true);
        // A peer that reconnects (Link.handshake does when its HELLO goes unanswered) keeps its routing id.
        router.setRouterHandover(true);
        // Never block the broker's only thread on one peer: a send to a peer whose pipe is not writable (a root
        // or worker closing its socket as we answer its BYE) fails at once instead of waiting for that pipe
        // forever. With no high-water mark, a live peer's pipe is always writable.
        router.setSendTimeOut(0);
        router.setReceiveTimeOut((int) Math.max(1, Math.min(b.heartbeatMillis, 250)));
        // JeroMQ allocates a frame as soon as its length is read, before authentication (see Sockets): a connection
        // that never finishes its handshake is dropped after this, and what it made JeroMQ allocate with it.
        router.setHandshakeIvl(HANDSHAKE_MILLIS);
        this.zap = b.keys == null ? null : secureServer(router, ctx, b.keys);
        this.keys = b.keys;
        try {
            if (b.bind.endsWith(":*")) {
                int port = router.bindToRandomPort(b.bind.substring(0, b.bind.length() - 2));
                this.address = b.bind.substring(0, b.bind.length() - 1) + port;
            } else {
                router.bind(b.bind);
                this.address = b.bind;
            }
        } catch (RuntimeException e) {
            router.close();
            if (zap != null) {
                zap.close();
            }
            if (ownsContext) {
                ctx.close();
            }
            throw e;
        }
        this.inprocAddress = "inproc://scoop-broker-" + INSTANCES.incrementAndGet();
        router.bind(inprocAddress);
        // noWorkerTimeout(Long.MAX_VALUE) disables the rule.
        long noWorkerNanos = b.noWorkerMillis >= Long.MAX_VALUE / 1_000_000L ? Long.MAX_VALUE
                : b.noWorkerMillis * 1_000_000L;
        this.heartbeatNanos = b.heartbeatMillis * 1_000_000L;
        this.scheduler = new Scheduler(ticker, heartbeatNanos, b.expiryMillis * 1_000_000L, noWorkerNanos,
                b.maxAttempts, this::send);
        this.thread = new Thread(this::run, "scoop-broker");
        thread.setDaemon(true);
        thread.start();
        StatusPage page = null;
        if (b.statusHost != null) {
            try {
                page = StatusPage.start(b.statusHost, b.statusPort, b.keys, this::snapshotForPage);
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }
        this.statusPage = page;
    }

    /**
     * The URL of the live status page, with its token (see {@link Builder#statusPage}), or null when the page is
     * off. Whoever has the URL can watch the run: hand it only to the run's user.
     */
    public String statusUrl() {
        return statusPage == null ? null : statusPage.url();
    }

    /** The page's snapshot: asked of the loop, which copies it after its current burst; null if the loop is gone. */
    private StatusSnapshot snapshotForPage() {
        if (!isRunning()) {
            return null;
        }
        java.util.concurrent.CompletableFuture<StatusSnapshot> mine = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.CompletableFuture<StatusSnapshot> f = snapshotWanted.compareAndExchange(null, mine);
        if (f == null) {
            f = mine;
        }
        try {
            return f.get(2, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // The loop is busy with a large message, or gone: this request answers 503, the next one asks again.
            snapshotWanted.compareAndSet(f, null);
            return null;
        }
    }

    /** On the loop thread: fills in the snapshot the page waits for, if any (a volatile read when none). */
    private void giveSnapshot() {
        if (snapshotWanted.get() == null) {
            return;
        }
        java.util.concurrent.CompletableFuture<StatusSnapshot> f = snapshotWanted.getAndSet(null);
        if (f == null) {
            return;
        }
        try {
            f.complete(scheduler.snapshot(badMessages, address, keys == null ? "none"
                    : keys.isCurve() ? "CURVE" : "token"));
        } catch (RuntimeException e) {
            f.completeExceptionally(e);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Makes {@code router} a CURVE server with the broker's keys, or a PLAIN server for a token, behind a ZAP
     * handler that admits members only.
     */
    private static ZapHandler secureServer(ZMQ.Socket router, ZContext ctx, RunKeys keys) {
        ZapHandler handler;
        try {
            handler = new ZapHandler(ctx, keys);
        } catch (RuntimeException e) {
            router.close();
            throw e;
        }
        router.setZapDomain(ZapHandler.DOMAIN);
        if (keys.isCurve()) {
            router.setCurveServer(true);
            router.setCurvePublicKey(keys.brokerPublicKey());
            router.setCurveSecretKey(keys.brokerSecretKey());
        } else {
            router.setPlainServer(true);
        }
        return handler;
    }

    /** Whether the TCP endpoint requires CURVE and the run's keys. */
    public boolean isCurve() {
        return keys != null && keys.isCurve();
    }

    /** Whether the TCP endpoint requires the run's secret: CURVE keys or a token. */
    public boolean isSecure() {
        return zap != null;
    }

    /** How many connections the authentication (CURVE or token) has refused so far (0 for a plain broker). */
    public long refusals() {
        return zap == null ? 0 : zap.refusals();
    }

    /** The TCP endpoint workers and roots connect to, e.g. {@code tcp://127.0.0.1:40123}. */
    public String address() {
        return address;
    }

    /** The in-process endpoint, for a root in the same JVM (shares the broker's context). */
    public String inprocAddress() {
        return inprocAddress;
    }

    /** The ZeroMQ context the broker's sockets live in; a root in this JVM uses it for inproc. */
    public ZContext context() {
        return ctx;
    }

    /**
     * Tells the broker that a worker is gone (its process exited), so its tasks are requeued now instead of
     * after the heartbeat expiry. With name {@code "*"}, no worker is left at all: every task fails with
     * {@link io.scoop.wire.Status#BROKEN} and {@code reason}. Safe from any thread.
     */
    public void workerLost(String name, String reason) {
        sendControl(Messages.lost(name, reason));
    }

    /**
     * Whether a worker of this name has ever said HELLO: a spawner tells a worker that could not start (it
     * died before joining) from one that ran and was lost. Safe from any thread.
     */
    public boolean hasJoined(String workerName) {
        return scheduler.hasJoined(workerName);
    }

    /** Whether the broker's loop still runs: it has not been closed and has not failed. */
    public boolean isRunning() {
        return running && thread.isAlive();
    }

    /** Stops the loop, tells every worker to exit, and closes the socket. Idempotent. */
    @Override
    public void close() {
        if (statusPage != null) {
            statusPage.close();
        }
        if (!running) {
            return;
        }
        sendControl(Messages.bare(Command.STOP));
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        controlLock.lock();
        try {
            if (control != null) {
                control.close();
                control = null;
            }
        } finally {
            controlLock.unlock();
        }
        if (zap != null && !thread.isAlive()) {
            // Only now: while the ROUTER is open, it must not be left without its handler (see the overview).
            zap.close();
        }
        if (ownsContext) {
            Sockets.close(ctx);
        }
    }

    private static byte[] newControlId() {
        byte[] id = new byte[16];
        new SecureRandom().nextBytes(id);
        id[0] = 'c'; // routing ids that start with a zero byte are JeroMQ's own
        return id;
    }

    private void sendControl(byte[] body) {
        controlLock.lock();
        try {
            if (!thread.isAlive()) {
                return;
            }
            if (control == null) {
                control = Sockets.create(ctx, SocketType.DEALER, null);
                control.setIdentity(controlId);
                control.connect(inprocAddress);
            }
            control.send(body, 0);
        } finally {
            controlLock.unlock();
        }
    }

    /** A snapshot of the broker's counts, taken after its last burst of messages. */
    public Stats stats() {
        return stats;
    }

    /**
     * Counts, for monitoring and tests.
     *
     * @param workers workers connected
     * @param queued  tasks waiting for a worker
     * @param tasks   tasks queued or running
     * @param roots   roots connected
     * @param badMessages messages dropped since the start: malformed, of an unknown or misdirected command,
     *                    control messages from a peer, or any that failed to be handled
     * @param sharedValues shared values kept ({@code DistributedExecutor.share}, and {@code map}'s large functions)
     * @param sharedBytes  their bytes
     * @param fetches      shared values sent to workers since the start
     * @param steals       children the broker asked workers' nested roots for (STEAL) for idle threads to run
     */
    public record Stats(int workers, int queued, int tasks, int roots, long badMessages, int sharedValues,
            long sharedBytes, long fetches, long steals) {
    }

    @Override
    public String toString() {
        Stats s = stats;
        return "Broker[" + address + (keys == null ? "" : keys.isCurve() ? " (CURVE)" : " (token)") + ", workers = "
                + s.workers() + ", queued = " + s.queued() + ", tasks = " + s.tasks() + ", roots = " + s.roots()
                + (s.badMessages() == 0 ? "" : ", bad messages = " + s.badMessages()) + "]";
    }

    /* ---------------- the loop ---------------- */

    private void run() {
        try {
            while (running) {
                Throwable ioDeath = Sockets.ioFailure(ctx);
                if (ioDeath != null) {
                    throw new IoThreadFailedException("the Scoop broker at " + address, ioDeath);
                }
                int handled = 0;
                int flags = 0;
                long busySince = 0;
                while (handled < BURST) {
                    byte[] identity = router.recv(flags);
                    if (identity == null) {
                        break;
                    }
                    if (handled == 0) {
                        busySince = ticker.nanos();
                    }
                    byte[] body = router.hasReceiveMore() ? router.recv(0) : null;
                    while (router.hasReceiveMore()) {
                        router.recv(0);
                    }
                    handle(identity, body);
                    handled++;
                    flags = ZMQ.DONTWAIT;
                }
                long now = ticker.nanos();
                if (handled > 0 && now - busySince > heartbeatNanos) {
                    scheduler.excuseStall(now - busySince);
                }
                scheduler.tick(now);
                scheduler.dispatch();
                scheduler.steal();
                scheduler.flushResults();
                stats = scheduler.stats(badMessages);
                giveSnapshot();
            }
            scheduler.shutdownWorkers();
        } catch (RuntimeException e) {
            if (e instanceof IoThreadFailedException) {
                Log.error(Log.BROKER, "scoop broker: " + e.getMessage());
            } else if (running) {
                Log.error(Log.BROKER, "scoop broker: loop failed: " + e, e);
            }
        } finally {
            running = false;
            router.close();
            if (statusPage != null) {
                statusPage.close(); // a loop that died leaves no page (and no HTTP thread) behind it
            }
            badInput.summarize();
        }
    }

    /** Handles one message; whatever is wrong with it drops it alone, and the loop goes on. */
    private void handle(byte[] identity, byte[] body) {
        Command c = Command.of(body);
        try {
            if (c == null) {
                throw new MalformedMessageException(body == null || body.length == 0 ? "an empty message"
                        : "unknown command code " + body[0] + " (a peer of another protocol or version)");
            }
            if (c.isControl() && !Arrays.equals(identity, controlId)) {
                throw new MalformedMessageException(c + " is a control message, obeyed only from this broker's"
                        + " owner in its own process (Broker.close, Broker.workerLost), never from a peer");
            }
            switch (c) {
                case HELLO -> scheduler.onHello(Messages.readHello(body));
                case TASKS -> scheduler.onTasks(Messages.readTasks(body));
                case RESULTS -> scheduler.onResults(Messages.readResults(body));
                case CREDIT -> scheduler.onCredit(Messages.readCredit(body));
                case LEND -> scheduler.onLend(Messages.readLend(body));
                case HOLD -> scheduler.onHold(Messages.readHold(body));
                case CANCEL -> scheduler.onCancel(Messages.readCancel(body));
                case WORKERS -> scheduler.onWorkersQuery(Messages.readWorkersQuery(body));
                case SHARE -> scheduler.onShare(Messages.readShare(body));
                case FETCH -> scheduler.onFetch(Messages.readFetch(body));
                case HEARTBEAT -> scheduler.seen(Messages.readPeerHeartbeat(body));
                case BYE -> scheduler.onBye(Messages.readName(body));
                case LOST -> scheduler.onLost(Messages.readLost(body));
                case STOP -> running = false;
                default -> throw new MalformedMessageException(c + " goes from the broker to peers, never to it");
            }
        } catch (RuntimeException e) {
            // Never end the loop over one message: a bad one from any peer must not stop the others.
            badMessages++;
            String what = e instanceof MalformedMessageException ? e.getMessage() : e.toString();
            badInput.log("dropped a " + (c == null ? "" : c + " ") + "message from " + peerOf(identity) + ": " + what);
            if (identity != null) {
                scheduler.dropSender(new String(identity, StandardCharsets.UTF_8), what);
            }
        }
    }

    /** How a log line names the sender of a message: its routing id, printable. */
    private static String peerOf(byte[] identity) {
        if (identity == null) {
            return "(no routing id)";
        }
        String id = new String(identity, StandardCharsets.UTF_8);
        return id.chars().allMatch(ch -> ch >= 0x20 && ch < 0x7f) ? "'" + id + "'"
                : "routing id " + java.util.HexFormat.of().formatHex(identity);
    }

    /** Sends to one peer through the ROUTER; a peer that is gone is left to liveness. */
    private void send(String peer, byte[] body) {
        try {
            // A routing id that fails must not leave the body to be taken as the next message's routing id.
            if (router.sendMore(peer.getBytes(StandardCharsets.UTF_8))) {
                router.send(body, 0);
            }
        } catch (RuntimeException e) {
            // The peer is gone (EHOSTUNREACH with ROUTER_MANDATORY); liveness will clean up after it.
        }
    }

    /* ---------------- builder ---------------- */

    /** Settings for a broker; each is validated when set. */
    public static final class Builder {
        private String bind = "tcp://127.0.0.1:*";
        private ZContext context;
        private Ticker ticker = Ticker.SYSTEM;
        private long heartbeatMillis = 1000;
        private long expiryMillis = 5000;
        private long noWorkerMillis = 10_000;
        private int maxAttempts = 3;
        private RunKeys keys;
        private String statusHost;
        private int statusPort;

        private Builder() {
        }

        /**
         * Serves the live status page on {@code host} ({@code "127.0.0.1"} for this machine only; port 0 picks a
         * free one): workers, queue, throughput, recent failures and tasks, polled by the page every second. It
         * admits only its URL's token, derived from the run's secret ({@link #secure}), then a cookie: see
         * {@link #statusUrl()}. Default: off.
         */
        public Builder statusPage(String host, int port) {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("the status page needs an address to bind, e.g. 127.0.0.1");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("the status page's port must be 0 to 65535: " + port);
            }
            this.statusHost = host;
            this.statusPort = port;
            return this;
        }

        /**
         * Requires the run's secret on the TCP endpoint; only peers given {@link RunKeys#memberLine()} may
         * connect. With CURVE keys ({@link RunKeys#generate()}) connections are encrypted: for a broker that
         * remote hosts reach. With a token ({@link RunKeys#token()}) peers present it as their ZeroMQ PLAIN
         * password, in clear, once per connection, and messages cost nothing more than on plain TCP: for a
         * broker bound to loopback only. Default: plain TCP, which any process that reaches the port may use.
         *
         * <p>Named {@code secure} rather than {@code curve} since it takes either kind of keys.
         *
         * @throws IllegalArgumentException if {@code keys} are CURVE keys without the broker's secret key (a
         *                                  member's keys)
         * @throws IllegalStateException    if keys were set already
         */
        public Builder secure(RunKeys keys) {
            java.util.Objects.requireNonNull(keys, "keys");
            if (this.keys != null) {
                throw new IllegalStateException("the broker's keys were already set to " + this.keys);
            }
            if (!keys.hasBrokerSecret()) {
                throw new IllegalArgumentException("a CURVE broker needs the broker's secret key, which " + keys
                        + " lack (they were read from a member's key line): pass the keys made by"
                        + " RunKeys.generate()");
            }
            this.keys = keys;
            return this;
        }

        /** The TCP endpoint to bind; a port of {@code *} picks a free one. Default {@code tcp://127.0.0.1:*}. */
        public Builder bind(String endpoint) {
            if (!endpoint.startsWith("tcp://")) {
                throw new IllegalArgumentException("broker endpoint must start with tcp://: " + endpoint);
            }
            this.bind = endpoint;
            return this;
        }

        /** Shares a ZeroMQ context (and with it the inproc endpoint) with a root in this JVM. */
        public Builder context(ZContext ctx) {
            this.context = ctx;
            return this;
        }

        public Builder ticker(Ticker t) {
            this.ticker = t;
            return this;
        }

        public Builder heartbeat(long intervalMillis, long expiryMillis) {
            if (intervalMillis < 1 || expiryMillis <= intervalMillis) {
                throw new IllegalArgumentException("heartbeat interval must be >= 1 ms and below the expiry: "
                        + intervalMillis + " ms, expiry " + expiryMillis + " ms");
            }
            this.heartbeatMillis = intervalMillis;
            this.expiryMillis = expiryMillis;
            return this;
        }

        /**
         * How long tasks may wait with no worker at all, after the last one was lost, before they fail.
         * {@code Long.MAX_VALUE} disables the rule: for a broker whose owner starts replacement workers and
         * says itself when none will come ({@link #workerLost workerLost("*", reason)}).
         */
        public Builder noWorkerTimeout(long millis) {
            if (millis < 0) {
                throw new IllegalArgumentException("no-worker timeout must not be negative: " + millis);
            }
            this.noWorkerMillis = millis;
            return this;
        }

        /** How many times a task is dispatched before a worker loss fails it. Default 3. */
        public Builder maxAttempts(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("max attempts must be at least 1: " + n);
            }
            this.maxAttempts = n;
            return this;
        }

        public Broker start() {
            return new Broker(this);
        }
    }
}
