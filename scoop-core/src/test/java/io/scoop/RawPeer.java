package io.scoop;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Hand-made ZMTP bytes on plain {@link java.net.Socket}s to 127.0.0.1: what a hostile local user can send to a
 * broker before any authentication. {@link #close()} closes every connection it opened.
 */
final class RawPeer implements AutoCloseable {
    private final int port;
    private final List<Socket> sockets = new ArrayList<>();

    RawPeer(String address) {
        this.port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }

    /** Opens a connection, writes {@code bytes}, and keeps the connection open (idle) until {@link #close()}. */
    void send(byte[] bytes) {
        try {
            Socket s = new Socket("127.0.0.1", port);
            sockets.add(s);
            s.setSoLinger(true, 0);
            s.getOutputStream().write(bytes);
            s.getOutputStream().flush();
        } catch (IOException e) {
            // The broker may drop the connection while we write (it refused what came first): that is its right.
            if (sockets.isEmpty()) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** A ZMTP 3.0 greeting (64 bytes) for {@code mechanism} (NULL, PLAIN, CURVE), as a client. */
    static byte[] greeting(String mechanism) {
        byte[] g = new byte[64];
        g[0] = (byte) 0xFF;
        g[9] = 0x7F;
        g[10] = 3;
        g[11] = 0;
        byte[] m = mechanism.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(m, 0, g, 12, m.length);
        return g;
    }

    /** A long frame header (flags with the LARGE bit, then 8 length bytes), as a command if {@code command}. */
    static byte[] longFrameHeader(long length, boolean command) {
        byte[] h = new byte[9];
        h[0] = (byte) (0x02 | (command ? 0x04 : 0));
        for (int i = 0; i < 8; i++) {
            h[1 + i] = (byte) (length >>> (56 - 8 * i));
        }
        return h;
    }

    /**
     * A PLAIN HELLO command whose user name length byte is {@code userLength} (0x80 and above are negative
     * as Java bytes) followed by {@code rest}.
     */
    static byte[] plainHello(int userLength, byte[] rest) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(5);
        body.writeBytes("HELLO".getBytes(StandardCharsets.US_ASCII));
        body.write(userLength);
        body.writeBytes(rest);
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x04); // a short command frame
        frame.write(body.size());
        frame.writeBytes(body.toByteArray());
        return frame.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    int connections() {
        return sockets.size();
    }

    @Override
    public void close() {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        sockets.clear();
    }
}
