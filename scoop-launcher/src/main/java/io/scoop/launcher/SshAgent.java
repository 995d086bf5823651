package io.scoop.launcher;

import java.io.Closeable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A client of an ssh-agent (OpenSSH's {@code ssh-agent}, or any agent speaking its protocol) on a Unix domain
 * socket, usually {@code $SSH_AUTH_SOCK}: it lists the agent's keys and has it sign with one. Private keys never
 * leave the agent.
 *
 * <p>One instance is one connection; requests are answered in order, so calls are serialized. Every request is
 * bounded in time: an agent that does not answer makes the call fail with an {@link IOException}, never hang.
 */
final class SshAgent implements Closeable {
    /*
     * Implementation notes.
     *
     * The protocol (draft-miller-ssh-agent): every message is uint32 length, then a byte type and the contents,
     * with SSH's encodings (uint32 big-endian, string = uint32 length + bytes). We use two requests:
     *
     *   SSH_AGENTC_REQUEST_IDENTITIES (11)          -> SSH_AGENT_IDENTITIES_ANSWER (12):
     *                                                   uint32 nkeys, then nkeys x (string key blob, string comment)
     *   SSH_AGENTC_SIGN_REQUEST (13): string key blob, string data, uint32 flags
     *                                                -> SSH_AGENT_SIGN_RESPONSE (14): string signature
     *
     * and any other answer, SSH_AGENT_FAILURE (5) in particular, is a refusal. The signature comes back encoded
     * as SSH puts it in a userauth request (string algorithm, string blob). For an RSA key, the flags choose the
     * hash: SSH_AGENT_RSA_SHA2_256 (2) for rsa-sha2-256, SSH_AGENT_RSA_SHA2_512 (4) for rsa-sha2-512, none for
     * the legacy ssh-rsa (SHA-1).
     *
     * Time: a SocketChannel on a Unix socket has no read timeout, so the channel is non-blocking and each read
     * and write waits on a Selector with what is left of the request's deadline.
     */

    static final byte SSH_AGENT_FAILURE = 5;
    static final byte SSH_AGENTC_REQUEST_IDENTITIES = 11;
    static final byte SSH_AGENT_IDENTITIES_ANSWER = 12;
    static final byte SSH_AGENTC_SIGN_REQUEST = 13;
    static final byte SSH_AGENT_SIGN_RESPONSE = 14;
    static final int SSH_AGENT_RSA_SHA2_256 = 2;
    static final int SSH_AGENT_RSA_SHA2_512 = 4;

    /** The environment variable that names the agent's socket. */
    static final String SOCKET_ENV = "SSH_AUTH_SOCK";

    /** The largest answer we accept; OpenSSH's agent refuses messages over 256 KiB too. */
    private static final int MAX_MESSAGE = 256 * 1024;

    private final Path socket;
    private final SocketChannel channel;
    private final Selector selector;

    /** A key the agent holds: its public key blob as SSH encodes it, and the comment ssh-add gave it. */
    record Identity(byte[] blob, String comment) {
    }

    private SshAgent(Path socket, SocketChannel channel, Selector selector) {
        this.socket = socket;
        this.channel = channel;
        this.selector = selector;
    }

    /**
     * Connects to the agent listening on {@code socket}.
     *
     * @param timeoutMillis the bound on connecting
     * @throws IOException if nothing listens there (the message says what), or not within the time
     */
    static SshAgent connect(Path socket, long timeoutMillis) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        Selector sel = null;
        try {
            ch.configureBlocking(false);
            sel = Selector.open();
            if (!ch.connect(UnixDomainSocketAddress.of(socket))) {
                SelectionKey key = ch.register(sel, SelectionKey.OP_CONNECT);
                while (!ch.finishConnect()) {
                    await(sel, key, deadline, "connecting");
                }
                key.cancel();
            }
            return new SshAgent(socket, ch, sel);
        } catch (IOException | RuntimeException e) {
            ch.close();
            if (sel != null) {
                sel.close();
            }
            throw e;
        }
    }

    /** Where the agent listens. */
    Path socket() {
        return socket;
    }

    /**
     * The keys the agent holds, in its order.
     *
     * @throws IOException if the agent refuses, answers nonsense, breaks the connection or does not answer in time
     */
    synchronized List<Identity> identities(long timeoutMillis) throws IOException {
        ByteBuffer answer = call(new byte[] {SSH_AGENTC_REQUEST_IDENTITIES}, timeoutMillis);
        byte type = answer.get();
        if (type != SSH_AGENT_IDENTITIES_ANSWER) {
            throw new IOException("the ssh-agent refused to list its keys (answer " + type + ")");
        }
        int n = answer.getInt();
        if (n < 0 || n > answer.remaining() / 8) {
            throw new IOException("the ssh-agent's list of keys is malformed (" + n + " keys)");
        }
        List<Identity> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] blob = string(answer);
            String comment = new String(string(answer), StandardCharsets.UTF_8);
            ids.add(new Identity(blob, comment));
        }
        return ids;
    }

    /**
     * Has the agent sign {@code data} with the key {@code blob}.
     *
     * @param flags {@link #SSH_AGENT_RSA_SHA2_256}, {@link #SSH_AGENT_RSA_SHA2_512}, or 0
     * @return the signature as SSH encodes it: string algorithm, string signature blob
     * @throws IOException if the agent refuses (an unknown key, a denied confirmation), breaks the connection or
     *                     does not answer in time
     */
    synchronized byte[] sign(byte[] blob, byte[] data, int flags, long timeoutMillis) throws IOException {
        ByteBuffer req = ByteBuffer.allocate(1 + 4 + blob.length + 4 + data.length + 4);
        req.put(SSH_AGENTC_SIGN_REQUEST).putInt(blob.length).put(blob).putInt(data.length).put(data).putInt(flags);
        ByteBuffer answer = call(req.array(), timeoutMillis);
        byte type = answer.get();
        if (type != SSH_AGENT_SIGN_RESPONSE) {
            throw new IOException("the ssh-agent refused to sign (answer " + type + ")");
        }
        return string(answer);
    }

    /** Sends one request and returns the answer's body, positioned at its type byte. */
    private ByteBuffer call(byte[] request, long timeoutMillis) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        ByteBuffer out = ByteBuffer.allocate(4 + request.length).putInt(request.length).put(request).flip();
        SelectionKey key = channel.keyFor(selector);
        key = key == null ? channel.register(selector, SelectionKey.OP_WRITE) : key.interestOps(SelectionKey.OP_WRITE);
        while (out.hasRemaining()) {
            if (channel.write(out) == 0) {
                await(selector, key, deadline, "sending a request");
            }
        }
        key.interestOps(SelectionKey.OP_READ);
        ByteBuffer length = read(ByteBuffer.allocate(4), key, deadline);
        int n = length.getInt(0);
        if (n < 1 || n > MAX_MESSAGE) {
            throw new IOException("the ssh-agent sent a message of " + n + " bytes");
        }
        return read(ByteBuffer.allocate(n), key, deadline);
    }

    private ByteBuffer read(ByteBuffer in, SelectionKey key, long deadline) throws IOException {
        while (in.hasRemaining()) {
            int r = channel.read(in);
            if (r < 0) {
                throw new IOException("the ssh-agent closed the connection");
            }
            if (r == 0) {
                await(selector, key, deadline, "waiting for its answer");
            }
        }
        return in.flip();
    }

    private static void await(Selector sel, SelectionKey key, long deadline, String doing) throws IOException {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
            throw new IOException("the ssh-agent did not answer in time (" + doing + ")");
        }
        sel.select(left);
        sel.selectedKeys().remove(key);
    }

    private static byte[] string(ByteBuffer b) throws IOException {
        if (b.remaining() < 4) {
            throw new IOException("the ssh-agent's answer is truncated");
        }
        int n = b.getInt();
        if (n < 0 || n > b.remaining()) {
            throw new IOException("the ssh-agent's answer is truncated");
        }
        byte[] s = new byte[n];
        b.get(s);
        return s;
    }

    @Override
    public void close() throws IOException {
        try {
            selector.close();
        } finally {
            channel.close();
        }
    }
}
