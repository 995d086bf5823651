package io.scoop.internal;

import io.scoop.ClusterBrokenException;
import io.scoop.RunKeys;
import io.scoop.wire.Command;
import io.scoop.wire.Hello;
import io.scoop.wire.Messages;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZEvent;
import org.zeromq.ZMQ;
import org.zeromq.ZMonitor;

/**
 * A peer's (root's or worker's) connection to the broker: two DEALER sockets.
 *
 * <p>{@code rx} has the peer's name as routing id; only the peer's receiving thread touches it. {@code tx}
 * may be used by any thread under a lock, so a task thread sends its own result and a caller of
 * {@code submit} sends its own task, with no hand-off to an I/O thread (JeroMQ sockets are not
 * thread-safe, but may move between threads across a full memory barrier, which the lock gives).
 * {@link #trySendBatch} lets whoever holds the lock send what others queued meanwhile, so bursts share a
 * message (flat combining).
 *
 * <p>A thread that finds the lock taken leaves its items queued and trusts the holder to send them. So every
 * holder, also one that came through {@link #send} for a heartbeat or a cancel, runs the
 * {@linkplain #onRelease flusher} after releasing the lock: otherwise an item queued while it held the lock
 * would wait for the next sender, forever if there is none.
 *
 * <p><b>Keys.</b> Given {@link RunKeys}, both sockets present them to the broker on TCP: as CURVE clients
 * (its public key, the members' key pair), or with a token as PLAIN clients (user {@value RunKeys#PLAIN_USERNAME},
 * the token as password). During the {@linkplain #handshake handshake} a monitor watches rx, so that a broker
 * that refuses the keys, or a mismatch of mechanisms that JeroMQ reports, fails at once with a message that
 * says so, instead of at the timeout.
 */
public final class Link implements AutoCloseable {
    private static final long HELLO_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long RECONNECT_NANOS = TimeUnit.SECONDS.toNanos(3);
    private final String name;
    private final String address;
    private final ZMQ.Socket rx;
    private final ZMQ.Socket tx;
    private static final AtomicLong MONITORS = new AtomicLong();
    private static final int HANDSHAKE_FAILURES = ZMQ.HANDSHAKE_FAILED_AUTH | ZMQ.HANDSHAKE_FAILED_PROTOCOL;

    private final ReentrantLock txLock = new ReentrantLock();
    /** The keys presented on TCP, or null (plain, or inproc). */
    private final RunKeys keys;
    /** Watch the handshakes of rx and tx (both are refused alike: two chances to hear why). */
    private ZMQ.Socket monitor;
    private ZMQ.Socket txMonitor;
    private volatile boolean closed;
    private volatile Runnable flusher = () -> { };

    /** A plain link; see {@link #Link(ZContext, String, String, int, RunKeys)}. */
    public Link(ZContext ctx, String address, String name, int receiveTimeoutMillis) {
        this(ctx, address, name, receiveTimeoutMillis, null);
    }

    /**
     * Connects both sockets to {@code address}.
     *
     * @param keys the run's member keys (CURVE or a token) for a secured broker, or null for a plain one; not
     *             used on inproc, which has no handshake
     */
    public Link(ZContext ctx, String address, String name, int receiveTimeoutMillis, RunKeys keys) {
        this.name = name;
        this.address = address;
        boolean inproc = address.startsWith("inproc://");
        this.keys = inproc ? null : keys;
        this.rx = Sockets.create(ctx, SocketType.DEALER, name);
        this.tx = Sockets.create(ctx, SocketType.DEALER, name + "/tx");
        if (this.keys != null) {
            Sockets.secureClient(rx, this.keys);
            Sockets.secureClient(tx, this.keys);
        }
        rx.setReceiveTimeOut(receiveTimeoutMillis);
        if (!inproc) {
            monitor = watch(ctx, rx);
            txMonitor = watch(ctx, tx);
        }
        rx.connect(address);
        tx.connect(address);
    }

    public String name() {
        return name;
    }

    public String address() {
        return address;
    }

    /**
     * Introduces this peer and waits for the broker's answer. Call before the receiving thread starts.
     *
     * @return the broker's first heartbeat
     * @throws ClusterBrokenException if no broker answers within {@code timeoutMillis}, or at once if the
     *                                broker refuses this peer's keys or token, or the two disagree on the
     *                                mechanism in a way JeroMQ reports
     */
    public byte[] handshake(Hello hello, long timeoutMillis) {
        try {
            byte[] helloBody = Messages.hello(hello);
            rx.send(helloBody, 0);
            long start = System.nanoTime();
            long deadline = start + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            long nextHello = start + HELLO_RETRY_NANOS;
            long nextReconnect = start + RECONNECT_NANOS;
            while (System.nanoTime() - deadline < 0) {
                if (System.nanoTime() - nextReconnect >= 0) {
                    // Still unanswered: start over on a new connection. Seen under load after many peers came
                    // and went: both ends connected, the broker idle, and our HELLO never reaching it. The
                    // broker's ROUTER hands our routing id over to the new connection.
                    rx.disconnect(address);
                    rx.connect(address);
                    nextReconnect = System.nanoTime() + RECONNECT_NANOS;
                    nextHello = System.nanoTime();
                }
                if (System.nanoTime() - nextHello >= 0) {
                    // Unanswered: say it again. The broker answers a repeated HELLO from the same process once
                    // more and changes nothing else. Never wait to send it: with no connection up (a broker that
                    // is gone, or refuses our keys), a blocking send would wait past the deadline.
                    rx.send(helloBody, ZMQ.DONTWAIT);
                    nextHello = System.nanoTime() + HELLO_RETRY_NANOS;
                }
                byte[] body = rx.recv(0);
                if (body != null && Command.of(body) == Command.HEARTBEAT) {
                    return body;
                }
                String refusal = handshakeFailure(hello);
                if (refusal != null) {
                    throw new ClusterBrokenException(refusal);
                }
            }
            throw new ClusterBrokenException("no Scoop broker answered at " + address + " within " + timeoutMillis
                    + " ms: check that the broker (the launcher, or the embedded executor) is running and that this"
                    + " address is reachable from " + Hosts.localName() + ". If the broker uses CURVE or a token,"
                    + " it may also have refused this " + role(hello) + " because its keys do not match the run's: "
                    + KEYS_HINT);
        } finally {
            stopMonitor();
        }
    }

    private static final String KEYS_HINT = "a worker reads the run's key line on stdin (WorkerMain --keys-stdin),"
            + " a root under the launcher from " + RunKeys.ENV + " (or DistributedExecutor.builder().connect(address,"
            + " keys)); keys are made anew for every run, so they must come from the run of this broker";

    private static ZMQ.Socket watch(ZContext ctx, ZMQ.Socket s) {
        String endpoint = "inproc://scoop-link-monitor-" + MONITORS.incrementAndGet();
        s.monitor(endpoint, HANDSHAKE_FAILURES);
        ZMQ.Socket m = ctx.createSocket(SocketType.PAIR);
        m.setLinger(0);
        m.connect(endpoint);
        return m;
    }

    /** The reason the handshake failed for good, as a monitor reports it, or null if it has not. */
    private String handshakeFailure(Hello hello) {
        if (monitor == null) {
            return null;
        }
        ZEvent e = ZEvent.recv(monitor, ZMQ.DONTWAIT);
        if (e == null) {
            e = ZEvent.recv(txMonitor, ZMQ.DONTWAIT);
        }
        if (e == null) {
            return null;
        }
        String who = "this " + role(hello) + " (" + hello.name() + ")";
        if (e.getEvent() == ZMonitor.Event.HANDSHAKE_FAILED_AUTH) {
            return "the Scoop broker at " + address + " refused " + who + ": " + (keys != null && !keys.isCurve()
                    ? "its token is not this run's" : "the broker uses CURVE and these keys are not the run's")
                    + " (status " + e.getValue() + "). " + capitalize(KEYS_HINT);
        }
        if (e.getEvent() == ZMonitor.Event.HANDSHAKE_FAILED_PROTOCOL) {
            String why = keys == null ? "the broker requires the run's keys (CURVE or a token) and this peer has"
                    + " none. " + capitalize(KEYS_HINT)
                    : keys.isCurve() ? "this peer uses CURVE keys, and the broker does not, or has other keys: give"
                            + " this peer the keys of this broker's run, or none if the broker is plain"
                    : "this peer presents a token, and the broker takes none (it is plain, or uses CURVE): give this"
                            + " peer the key line of this broker's run, or none if the broker is plain";
            return "the handshake of " + who + " with the Scoop broker at " + address + " failed (" + e.getValue()
                    + "): " + why;
        }
        return null;
    }

    private void stopMonitor() {
        if (monitor != null) {
            rx.monitor(null, 0);
            tx.monitor(null, 0);
            monitor.close();
            txMonitor.close();
            monitor = null;
            txMonitor = null;
        }
    }

    private static String role(Hello hello) {
        return hello.isWorker() ? "worker" : "root";
    }

    private static String capitalize(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** Receives one message body, or null after the receive timeout. Receiving thread only. */
    public byte[] receive() {
        return closed ? null : rx.recv(0);
    }

    /**
     * Sends a heartbeat on rx, never waiting: receiving thread only. Heartbeats take the rx connection, not tx,
     * so that they never wait behind a large message on tx (a worker's 200 MB result) nor for the tx lock of a
     * thread that is building one: the broker hears the peer while the large message streams. Returns false
     * if it could not be queued at once (the broker will hear the next one).
     */
    public boolean beat(byte[] body) {
        return !closed && rx.send(body, ZMQ.DONTWAIT);
    }

    /**
     * Sets what runs after each release of the tx lock by {@link #send}: the owner's flush, which sends what
     * was queued while the lock was held. It must use {@link #trySendBatch}, not {@link #send}.
     */
    public void onRelease(Runnable flusher) {
        this.flusher = flusher;
    }

    /** Sends one body on tx, waiting for the lock, then runs the flusher. Any thread. */
    public void send(byte[] body) {
        txLock.lock();
        try {
            if (!closed) {
                tx.send(body, 0);
            }
        } finally {
            txLock.unlock();
        }
        flusher.run();
    }

    /**
     * Runs {@code drain} with the tx lock held if it is free, and returns whether it ran. {@code drain} sends
     * through the {@link Sender} it is given. A caller that finds the lock taken may leave: every holder
     * checks the shared queue again after releasing it (a caller of this method in its loop, a caller of
     * {@link #send} through the flusher).
     */
    public boolean trySendBatch(java.util.function.Consumer<Sender> drain) {
        if (!txLock.tryLock()) {
            return false;
        }
        try {
            if (!closed) {
                drain.accept(body -> tx.send(body, 0));
            }
            return true;
        } finally {
            txLock.unlock();
        }
    }

    /** Sends a body on the socket the lock guards. */
    @FunctionalInterface
    public interface Sender {
        void send(byte[] body);
    }

    /** Closes tx (under its lock); rx is closed by {@link #closeReceiver} from the receiving thread. */
    @Override
    public void close() {
        txLock.lock();
        try {
            if (!closed) {
                closed = true;
                tx.close();
            }
        } finally {
            txLock.unlock();
        }
    }

    /** Closes rx; call from the receiving thread once its loop has ended. */
    public void closeReceiver() {
        stopMonitor();
        rx.close();
    }

    public boolean isClosed() {
        return closed;
    }
}
