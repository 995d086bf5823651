package io.scoop.internal;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import zmq.Msg;
import zmq.msg.MsgAllocator;
import zmq.msg.MsgAllocatorThreshold;

/**
 * Socket options every Scoop socket shares, and the guards that keep a hostile peer from crashing or wedging
 * JeroMQ.
 *
 * <pre>
 * What JeroMQ 0.6.0 does with a frame length (zmq.io.coder.v2.V2Decoder, zmq.io.coder.Decoder.sizeReady)
 *
 *   A ZMTP 3.0 frame announces its length in 1 or 8 bytes; JeroMQ reads the 8 bytes as a signed long and
 *   allocates the whole frame at once, before reading any of it, and during the handshake before the peer is
 *   authenticated. sizeReady(size) refuses size > ZMQ_MAXMSGSIZE and size > Integer.MAX_VALUE, and then
 *   calls the socket's MsgAllocator with (int) size. A length of 2^63 or more is negative as a long, so it
 *   passes both checks: 2^64-1 reaches the allocator as -1 (NegativeArraySizeException in new Msg(-1)), and
 *   2^63 + n reaches it as the int n, past ZMQ_MAXMSGSIZE. The exception is caught by zmq.poll.Poller.run,
 *   which prints it and goes on, but the connection's StreamEngine is left half-way through a decode: the
 *   context's term() then waits for it forever (ZContext.close hangs). (V1Decoder, for ZMTP 1.0/2.0 peers,
 *   does check for a negative length.) The PLAIN server has a bug of the same kind: a HELLO whose user name or
 *   password length byte is 0x80 or more makes PlainServerMechanism.produceHello allocate a negative array.
 * </pre>
 *
 * <p>So every socket gets a {@linkplain #maxMessageBytes() maximum frame size} (ZMQ_MAXMSGSIZE: a longer
 * frame drops the connection before anything is allocated) and an allocator that answers a negative or
 * oversized request with an empty message (which the handshake then refuses as malformed, or the broker drops
 * as an empty body) instead of throwing, as it does when memory runs out for a frame under the limit (many
 * connections announcing large frames at once). Contexts made by {@link #context()} count the exceptions JeroMQ's
 * I/O thread catches and remember the one that killed it, if any ({@link #ioFailure}), and
 * {@link #close(ZContext)} never waits more than a bounded time.
 */
public final class Sockets {
    /** The system property that sets {@link #maxMessageBytes()}; in bytes, with an optional k, m or g suffix. */
    public static final String MAX_MESSAGE_PROPERTY = "scoop.maxMessageBytes";
    /** The default largest frame any Scoop socket accepts: 64 MiB. */
    public static final long DEFAULT_MAX_MESSAGE_BYTES = 64L << 20;
    /** How long {@link #close(ZContext)} waits for JeroMQ to terminate a context. */
    private static final long CLOSE_WAIT_MILLIS = 3000;

    private static final AtomicLong REFUSED_ALLOCATIONS = new AtomicLong();
    private static final AtomicLong IO_EXCEPTIONS = new AtomicLong();
    private static final Map<ZContext, IoHealth> HEALTH = Collections.synchronizedMap(new WeakHashMap<>());
    private static final RateLimitedLog IO_LOG = new RateLimitedLog("scoop: JeroMQ's I/O thread");

    private Sockets() {
    }

    /**
     * A socket that never drops a message (no high-water mark: credits bound the traffic instead), does not
     * linger on close, and refuses frames longer than {@link #maxMessageBytes()}.
     */
    public static ZMQ.Socket create(ZContext ctx, SocketType type, String identity) {
        ZMQ.Socket s = ctx.createSocket(type);
        s.setSndHWM(0);
        s.setRcvHWM(0);
        s.setLinger(0);
        long max = maxMessageBytes();
        s.setMaxMsgSize(max);
        s.setMsgAllocator(new BoundedAllocator((int) max));
        if (identity != null) {
            s.setIdentity(identity.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return s;
    }

    /**
     * The largest frame (one Scoop message) a Scoop socket accepts, from the system property
     * {@value #MAX_MESSAGE_PROPERTY} (e.g. {@code -Dscoop.maxMessageBytes=256m}), by default
     * {@link #DEFAULT_MAX_MESSAGE_BYTES}. JeroMQ allocates a frame's announced length before reading it, and
     * before the peer is authenticated, so this also bounds what one unauthenticated connection can make the
     * broker allocate. Forked local workers inherit the setting.
     *
     * @throws IllegalArgumentException if the property is not a size from 1 KiB to 2 GiB - 1
     */
    public static long maxMessageBytes() {
        String v = System.getProperty(MAX_MESSAGE_PROPERTY);
        if (v == null || v.isBlank()) {
            return DEFAULT_MAX_MESSAGE_BYTES;
        }
        String s = v.trim().toLowerCase(java.util.Locale.ROOT);
        int shift = switch (s.charAt(s.length() - 1)) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            default -> 0;
        };
        long n;
        try {
            n = Long.parseLong(shift == 0 ? s : s.substring(0, s.length() - 1));
        } catch (NumberFormatException e) {
            n = -1;
        }
        long bytes = n < 0 || n > (Integer.MAX_VALUE >> shift) + 1L ? -1 : n << shift;
        if (bytes < 1024 || bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("-D" + MAX_MESSAGE_PROPERTY + "=" + v + " is not a message size from"
                    + " 1k to 2147483647 bytes (Java arrays end there): give bytes, or a number with k, m or g,"
                    + " e.g. -D" + MAX_MESSAGE_PROPERTY + "=256m");
        }
        return bytes;
    }

    /**
     * The largest task, result or failure payload that may travel: {@link #maxMessageBytes()} less room for
     * the other items of its batch (senders cut batches at {@link #BATCH_BYTES}). A larger one fails where it
     * is encoded, with a message that names this limit, instead of being dropped by the receiving socket.
     */
    public static long maxPayloadBytes() {
        long max = maxMessageBytes();
        return max - Math.min(max / 2, 2L * BATCH_BYTES);
    }

    /** Senders start a new message once a batch's payloads reach this many bytes. */
    public static final int BATCH_BYTES = 4 << 20;

    /**
     * The bound at which every sender (root, broker, worker) closes a batch of tasks or results: a batch is cut
     * before, or once, its items reach it, and one item is within {@link #maxPayloadBytes()}, so a message never
     * passes {@link #maxMessageBytes()}. {@link #BATCH_BYTES}, or less when the message limit is small.
     */
    public static long batchBytes() {
        return Math.min(BATCH_BYTES, maxMessageBytes() - maxPayloadBytes());
    }

    /**
     * The {@code -D} option that gives a JVM started from this one (a worker, the launcher's root) this JVM's
     * message limit, so that every role accepts the same; null when it is not set here or {@code options} set
     * it already.
     */
    public static String messageLimitOption(java.util.List<String> options) {
        String v = System.getProperty(MAX_MESSAGE_PROPERTY);
        String option = "-D" + MAX_MESSAGE_PROPERTY + "=";
        return v == null || options.stream().anyMatch(o -> o.startsWith(option)) ? null : option + v;
    }

    /** The sentence that tells how to send a payload above {@link #maxPayloadBytes()}. */
    public static String payloadLimitHint() {
        return "pass large data through a file or shared storage, or raise the limit on every JVM of the run with -D"
                + MAX_MESSAGE_PROPERTY + " (now " + maxMessageBytes() + " bytes a message)";
    }

    /** How many frame allocations the guard refused in this JVM (a negative or oversized announced length). */
    public static long refusedAllocations() {
        return REFUSED_ALLOCATIONS.get();
    }

    /**
     * Makes {@code s} a client of a secured broker, as {@code keys} call for: a CURVE client
     * ({@link #curveClient}) or, with a token, a PLAIN client whose password is the token. Call before
     * {@code connect}, and only for TCP: inproc has no handshake.
     */
    public static void secureClient(ZMQ.Socket s, io.scoop.RunKeys keys) {
        if (keys.isCurve()) {
            curveClient(s, keys);
        } else {
            s.setPlainUsername(io.scoop.RunKeys.PLAIN_USERNAME);
            s.setPlainPassword(keys.plainPassword());
        }
    }

    /**
     * Makes {@code s} a CURVE client of the run's broker: the broker's public key, and the members' key pair.
     * Call before {@code connect}.
     */
    private static void curveClient(ZMQ.Socket s, io.scoop.RunKeys keys) {
        s.setCurveServerKey(keys.brokerPublicKey());
        s.setCurvePublicKey(keys.memberPublicKey());
        s.setCurveSecretKey(keys.memberSecretKey());
    }

    /**
     * A context with one I/O thread; {@code ZContext} threads are daemons, so they never hold the JVM. An
     * exception JeroMQ's I/O thread catches (it goes on) is counted and logged, rate-limited, instead of
     * printed in full every time; one that ends the thread is kept for {@link #ioFailure}.
     */
    public static ZContext context() {
        ZContext ctx = new ZContext(1);
        IoHealth health = new IoHealth();
        ctx.setNotificationExceptionHandler((thread, e) -> {
            health.caught.incrementAndGet();
            IO_EXCEPTIONS.incrementAndGet();
            if (closedChannel(e)) {
                return; // a connection closed under JeroMQ as a peer or this process closed it: nothing to tell
            }
            IO_LOG.log("caught " + e + " on one connection and went on (that connection may be left"
                    + " half-open until close)");
        });
        ctx.setUncaughtExceptionHandler((thread, e) -> {
            health.died.compareAndSet(null, e);
            Log.error(Log.NET, "scoop: JeroMQ's I/O thread " + thread.getName() + " died: " + e);
        });
        HEALTH.put(ctx, health);
        return ctx;
    }

    /**
     * Whether {@code e} is a channel closed under JeroMQ, thrown as is or wrapped (JeroMQ wraps it in
     * {@code ZError.IOException} when a connection is torn down while it writes).
     */
    static boolean closedChannel(Throwable e) {
        Throwable t = e;
        for (int depth = 0; t != null && depth < 16; t = t.getCause(), depth++) { // bounded: causes may cycle
            if (t instanceof java.nio.channels.ClosedChannelException) {
                return true;
            }
        }
        return false;
    }

    /**
     * The throwable that ended an I/O thread of {@code ctx}, or null while they all run (or for a context not
     * made by {@link #context()}). A context whose I/O thread died moves no message any more.
     */
    public static Throwable ioFailure(ZContext ctx) {
        IoHealth h = HEALTH.get(ctx);
        return h == null ? null : h.died.get();
    }

    /** Throws {@link IoThreadFailedException} if an I/O thread of {@code ctx} died; {@code who} names the role. */
    public static void checkIo(ZContext ctx, String who) {
        Throwable t = ioFailure(ctx);
        if (t != null) {
            throw new IoThreadFailedException(who, t);
        }
    }

    /** How many exceptions the I/O threads of every context made by {@link #context()} caught in this JVM. */
    public static long ioExceptions() {
        return IO_EXCEPTIONS.get();
    }

    /** How many exceptions the I/O threads of {@code ctx} caught and went on after. */
    public static long ioExceptions(ZContext ctx) {
        IoHealth h = HEALTH.get(ctx);
        return h == null ? 0 : h.caught.get();
    }

    /**
     * Closes {@code ctx}, waiting at most a few seconds: JeroMQ's {@code term()} waits for every connection to
     * finish, and one that its I/O thread failed on (see the class comment) never does. The context's threads
     * are daemons, so one left behind does not hold the JVM.
     *
     * @return whether the context finished closing in time
     */
    public static boolean close(ZContext ctx) {
        CountDownLatch done = new CountDownLatch(1);
        Thread closer = new Thread(() -> {
            try {
                ctx.close();
            } finally {
                done.countDown();
            }
        }, "scoop-context-close");
        closer.setDaemon(true);
        closer.start();
        try {
            if (done.await(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Log.warn(Log.NET, "scoop: JeroMQ did not finish closing a context within " + CLOSE_WAIT_MILLIS + " ms ("
                + ioExceptions(ctx) + " exceptions caught by its I/O thread); leaving its daemon threads behind");
        return false;
    }

    private static volatile java.util.function.Consumer<String> allocationFailure;

    /**
     * Called (on JeroMQ's I/O thread) when a frame under the limit could not be allocated for want of memory,
     * with what could not be allocated. A broker or root refuses the frame and goes on (many connections may
     * announce large frames at once); a worker, whose only peer is the broker, cannot take a task that large
     * and says so.
     */
    public static void onAllocationFailure(java.util.function.Consumer<String> handler) {
        allocationFailure = handler;
    }

    /** What the handlers of one context saw. */
    private static final class IoHealth {
        final AtomicLong caught = new AtomicLong();
        final AtomicReference<Throwable> died = new AtomicReference<>();
    }

    /**
     * JeroMQ's default allocator (heap below 1 MiB, direct above), except that a negative size, or one above
     * the socket's maximum, gets an empty message instead of an exception (see the class comment).
     */
    private static final class BoundedAllocator implements MsgAllocator {
        private static final MsgAllocator DEFAULT = new MsgAllocatorThreshold();
        private final int max;

        BoundedAllocator(int max) {
            this.max = max;
        }

        @Override
        public Msg allocate(int size) {
            if (size < 0 || size > max) {
                REFUSED_ALLOCATIONS.incrementAndGet();
                return new Msg(0);
            }
            try {
                return DEFAULT.allocate(size);
            } catch (OutOfMemoryError e) {
                // Many connections announcing frames under the limit, all at once, can exhaust direct memory (frames
                // above 1 MiB are direct buffers): refuse this frame rather than let the error end the I/O thread.
                REFUSED_ALLOCATIONS.incrementAndGet();
                java.util.function.Consumer<String> owner = allocationFailure;
                if (owner != null) {
                    owner.accept("a frame of " + size + " bytes (" + e.getMessage() + ")");
                }
                IO_LOG.log("could not allocate a frame of " + size + " bytes (" + e.getMessage() + "): refused it;"
                        + " if members send frames this large, give the JVM more memory (-XX:MaxDirectMemorySize,"
                        + " -Xmx), or lower -D" + MAX_MESSAGE_PROPERTY);
                return new Msg(0);
            }
        }
    }
}
