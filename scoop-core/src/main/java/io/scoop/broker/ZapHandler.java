package io.scoop.broker;

import io.scoop.internal.Log;
import io.scoop.RunKeys;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * The ZAP handler (ZeroMQ RFC 27) of a secured broker: answers the authentication requests of the broker's
 * context. With CURVE keys it accepts a CURVE client only if it presents the run's member public key; with a
 * token, a PLAIN client only if its user name is {@value RunKeys#PLAIN_USERNAME} and its password is the
 * token (compared in constant time). Every other request is refused.
 *
 * <pre>
 * How a peer gets in
 *
 *   TCP connect -> CURVE handshake (the peer must know the broker's public key, and prove it holds the
 *   secret key of the public key it presents) -> ZAP request to this handler, on inproc://zeromq.zap.01
 *   in the broker's context -> "200" if that public key is the members' key, else "400" -> the broker's
 *   ROUTER sees the peer's messages only after a "200".
 *
 *   With a token: TCP connect -> PLAIN handshake (the peer sends user name and password in clear, which is
 *   why a token is for loopback only) -> ZAP request -> "200" if the user name is "scoop" and the password
 *   the token, else "400".
 *
 *   A peer of another mechanism (plain, or CURVE at a token broker) fails at the mechanism check, before
 *   ZAP. Inproc peers (the embedded root, the broker's control socket) have no handshake at all: inproc never
 *   leaves the process.
 * </pre>
 *
 * <p>Without a handler bound, JeroMQ lets every PLAIN client in, and every CURVE client that knows the
 * broker's public key. So the handler binds before the broker's TCP endpoint does, and closes after the
 * broker's socket: see {@link Broker}. A request it cannot read is refused, not accepted.
 *
 * <p>Refusals are printed on standard error once per burst from one address: the first one at once, the
 * rest counted and summed up in the next line for that address, at most one line per address every
 * {@value #QUIET_SECONDS} seconds (a refused peer reconnects every 100 ms or so). Keys, tokens and
 * passwords are never printed.
 */
final class ZapHandler implements AutoCloseable {
    static final String ENDPOINT = "inproc://zeromq.zap.01";
    static final String DOMAIN = "scoop";
    static final int QUIET_SECONDS = 10;
    private static final int MAX_TRACKED_ADDRESSES = 1024;

    /** The CURVE member public key, or null with a token. */
    private final byte[] memberPublicKey;
    /** The token's PLAIN password, or null with CURVE. */
    private final byte[] password;
    private final String mechanism;
    private final ZMQ.Socket socket;
    private final Thread thread;
    private final AtomicLong refusals = new AtomicLong();
    private final Map<String, long[]> bursts = new HashMap<>();
    private volatile boolean running = true;

    /**
     * Binds the handler in {@code ctx} and starts its thread.
     *
     * @param keys the run's keys: CURVE keys or a token
     * @throws IllegalStateException if {@code ctx} has a ZAP handler already (another secured broker in it)
     */
    ZapHandler(ZContext ctx, RunKeys keys) {
        this.memberPublicKey = keys.isCurve() ? keys.memberPublicKey() : null;
        this.password = keys.isCurve() ? null : keys.plainPassword();
        this.mechanism = keys.isCurve() ? "CURVE" : "PLAIN";
        this.socket = ctx.createSocket(SocketType.REP);
        socket.setLinger(0);
        socket.setReceiveTimeOut(100);
        try {
            socket.bind(ENDPOINT);
        } catch (ZMQException e) {
            socket.close();
            throw new IllegalStateException("cannot start the secured broker's authentication handler: this"
                    + " ZeroMQ context has one already (" + ENDPOINT + " is bound, " + e.getMessage() + "); give each"
                    + " secured (CURVE or token) broker a context of its own", e);
        }
        this.thread = new Thread(this::run, "scoop-broker-zap");
        thread.setDaemon(true);
        thread.start();
    }

    /** How many connections this handler has refused. */
    long refusals() {
        return refusals.get();
    }

    private void run() {
        try {
            while (running) {
                byte[] version = socket.recv(0);
                if (version == null) {
                    continue;
                }
                byte[][] frames = new byte[8][];
                frames[0] = version;
                int n = 1;
                while (socket.hasReceiveMore()) {
                    byte[] f = socket.recv(0);
                    if (n < frames.length) {
                        frames[n] = f;
                    }
                    n++;
                }
                answer(frames, n);
            }
        } catch (RuntimeException e) {
            if (running) {
                // Unanswered requests stall the handshakes, so peers are kept out (fail closed), not let in.
                Log.error(Log.BROKER, "scoop broker: the " + mechanism + " authentication handler failed: " + e
                        + "; no new peer can connect");
            }
        } finally {
            socket.close();
        }
    }

    /**
     * Answers one request: version, request id, domain, address, routing id, mechanism, credentials (for
     * CURVE, the client's 32-byte public key; for PLAIN, user name and password).
     */
    private void answer(byte[][] f, int n) {
        byte[] requestId = n > 1 && f[1] != null ? f[1] : new byte[0];
        String address = n > 3 && f[3] != null ? new String(f[3], StandardCharsets.UTF_8) : "?";
        String used = n > 5 && f[5] != null ? ascii(f[5]) : "?";
        boolean wellFormed = "1.0".equals(ascii(f[0])) && n == ("PLAIN".equals(used) ? 8 : 7);
        boolean ok = wellFormed && mechanism.equals(used) && (memberPublicKey != null
                ? MessageDigest.isEqual(f[6], memberPublicKey)
                : RunKeys.PLAIN_USERNAME.equals(ascii(f[6])) & MessageDigest.isEqual(f[7], password));
        reply(requestId, ok);
        if (!ok) {
            refusals.incrementAndGet();
            report(address, !wellFormed ? "its authentication request was malformed"
                    : !mechanism.equals(used) ? "it used the " + used + " mechanism, not " + mechanism
                    : memberPublicKey != null ? "it does not hold this run's member key"
                    : "its token is not this run's");
        }
    }

    private void reply(byte[] requestId, boolean ok) {
        socket.sendMore("1.0");
        socket.sendMore(requestId);
        socket.sendMore(ok ? "200" : "400");
        socket.sendMore(ok ? "OK" : "not a member of this run");
        socket.sendMore(ok ? "scoop-member" : "");
        socket.send(new byte[0], 0);
    }

    private void report(String address, String why) {
        long now = System.nanoTime();
        long[] burst = bursts.get(address);
        if (burst != null && now - burst[0] < TimeUnit.SECONDS.toNanos(QUIET_SECONDS)) {
            burst[1]++;
            return;
        }
        long earlier = burst == null ? 0 : burst[1];
        if (bursts.size() >= MAX_TRACKED_ADDRESSES) {
            bursts.clear();
        }
        bursts.put(address, new long[] {now, 0});
        Log.warn(Log.BROKER, "scoop broker: refused a peer at " + address + ": " + why
                + (earlier > 0 ? " (and " + earlier + " more refusal(s) from there since the last report)" : "")
                + "; only processes given this run's " + (memberPublicKey != null ? "keys" : "token") + " may connect. Further refusals from " + address
                + " are counted and reported at most every " + QUIET_SECONDS + " s");
    }

    private static String ascii(byte[] b) {
        return b == null ? "" : new String(b, StandardCharsets.US_ASCII);
    }

    /** Stops the handler and closes its socket. Call after the broker's socket is closed. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
