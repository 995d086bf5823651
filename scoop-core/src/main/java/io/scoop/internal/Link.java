package io.scoop.internal;

import io.scoop.ClusterBrokenException;
import io.scoop.wire.Command;
import io.scoop.wire.Hello;
import io.scoop.wire.Messages;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

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
 */
public final class Link implements AutoCloseable {
    private static final long HELLO_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
    private final String name;
    private final String address;
    private final ZMQ.Socket rx;
    private final ZMQ.Socket tx;
    private final ReentrantLock txLock = new ReentrantLock();
    private volatile boolean closed;
    private volatile Runnable flusher = () -> { };

    public Link(ZContext ctx, String address, String name, int receiveTimeoutMillis) {
        this.name = name;
        this.address = address;
        this.rx = Sockets.create(ctx, SocketType.DEALER, name);
        this.tx = Sockets.create(ctx, SocketType.DEALER, name + "/tx");
        rx.setReceiveTimeOut(receiveTimeoutMillis);
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
     * @throws ClusterBrokenException if no broker answers within {@code timeoutMillis}
     */
    public byte[] handshake(Hello hello, long timeoutMillis) {
        byte[] helloBody = Messages.hello(hello);
        rx.send(helloBody, 0);
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        long nextHello = start + HELLO_RETRY_NANOS;
        while (System.nanoTime() - deadline < 0) {
            if (System.nanoTime() - nextHello >= 0) {
                // Unanswered: say it again. The broker answers a repeated HELLO from the same process once more
                // and changes nothing else.
                rx.send(helloBody, 0);
                nextHello = System.nanoTime() + HELLO_RETRY_NANOS;
            }
            byte[] body = rx.recv(0);
            if (body != null && Command.of(body) == Command.HEARTBEAT) {
                return body;
            }
        }
        throw new ClusterBrokenException("no Scoop broker answered at " + address + " within " + timeoutMillis
                + " ms: check that the broker (the launcher, or the embedded executor) is running and that"
                + " this address is reachable from " + Hosts.localName());
    }

    /** Receives one message body, or null after the receive timeout. Receiving thread only. */
    public byte[] receive() {
        return closed ? null : rx.recv(0);
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
        rx.close();
    }

    public boolean isClosed() {
        return closed;
    }
}
