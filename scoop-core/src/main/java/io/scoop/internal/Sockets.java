package io.scoop.internal;

import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/** Socket options every Scoop socket shares. */
public final class Sockets {
    private Sockets() {
    }

    /**
     * A socket that never drops a message (no high-water mark: credits bound the traffic instead) and
     * does not linger on close.
     */
    public static ZMQ.Socket create(ZContext ctx, SocketType type, String identity) {
        ZMQ.Socket s = ctx.createSocket(type);
        s.setSndHWM(0);
        s.setRcvHWM(0);
        s.setLinger(0);
        if (identity != null) {
            s.setIdentity(identity.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return s;
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

    /** A context with one I/O thread; {@code ZContext} threads are daemons, so they never hold the JVM. */
    public static ZContext context() {
        return new ZContext(1);
    }
}
