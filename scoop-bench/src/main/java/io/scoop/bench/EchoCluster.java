package io.scoop.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The raw-JeroMQ baseline, with Scoop's embedded topology and nothing else: in this JVM a broker thread owning
 * one ROUTER socket (bound to TCP on loopback and to inproc) and the client's DEALER socket; in separate JVMs,
 * echo workers with one DEALER socket each. One message per task, no batching, no serialization library:
 *
 * <pre>
 *   client DEALER  [x]                      -> broker ROUTER  (round robin over the workers)
 *   broker ROUTER  [worker][client][x]      -> worker DEALER  computes x + 1
 *   worker DEALER  [client][x + 1]          -> broker ROUTER  -> [client][x + 1] -> client DEALER
 * </pre>
 *
 * Every socket has no high-water mark and no linger, as Scoop's do ({@code Sockets.create}); contexts have
 * one I/O thread. Workers are forked from this JVM's classpath ({@code Bench echo-worker ADDRESS NAME}) and
 * exit when their standard input closes.
 */
final class EchoCluster implements AutoCloseable {
    private static final byte[] EMPTY = new byte[0];

    private final ZContext ctx = new ZContext(1);
    private final List<Process> workers = new ArrayList<>();
    private final CountDownLatch ready;
    private final CountDownLatch bound = new CountDownLatch(1);
    private final Thread broker;
    private final String inproc = "inproc://bench-echo-broker";
    private volatile String tcp;
    private volatile boolean running = true;
    private int clients;

    EchoCluster(int nWorkers, List<String> jvmOptions) throws IOException, InterruptedException {
        this(nWorkers, jvmOptions, false);
    }

    /** @param crc workers answer each message with the CRC32 of its payload (8 bytes) instead of x + 1 */
    EchoCluster(int nWorkers, List<String> jvmOptions, boolean crc) throws IOException, InterruptedException {
        this.ready = new CountDownLatch(nWorkers);
        this.broker = new Thread(this::brokerLoop, "echo-broker");
        broker.setDaemon(true);
        broker.start();
        if (!bound.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("echo broker did not bind");
        }
        for (int i = 1; i <= nWorkers; i++) {
            workers.add(crc ? Jvm.fork(jvmOptions, Bench.class.getName(), "echo-worker", tcp, "w" + i, "crc")
                    : Jvm.fork(jvmOptions, Bench.class.getName(), "echo-worker", tcp, "w" + i));
        }
        if (!ready.await(60, TimeUnit.SECONDS)) {
            close();
            throw new IllegalStateException("echo workers did not connect within 60 s");
        }
    }

    List<Process> workerProcesses() {
        return workers;
    }

    static ZMQ.Socket socket(ZContext ctx, SocketType type, String identity) {
        ZMQ.Socket s = ctx.createSocket(type);
        s.setSndHWM(0);
        s.setRcvHWM(0);
        s.setLinger(0);
        if (identity != null) {
            s.setIdentity(identity.getBytes(StandardCharsets.UTF_8));
        }
        return s;
    }

    private void brokerLoop() {
        ZMQ.Socket router = socket(ctx, SocketType.ROUTER, null);
        router.setReceiveTimeOut(100);
        int port = router.bindToRandomPort("tcp://127.0.0.1");
        router.bind(inproc);
        tcp = "tcp://127.0.0.1:" + port;
        bound.countDown();
        List<byte[]> ws = new ArrayList<>();
        int next = 0;
        try {
            while (running) {
                byte[] id = router.recv(0);
                if (id == null) {
                    continue;
                }
                byte[] f1 = router.recv(0);
                if (id.length > 0 && id[0] == 'w') {
                    if (!router.hasReceiveMore()) {
                        ws.add(id); // READY
                        ready.countDown();
                        continue;
                    }
                    byte[] payload = router.recv(0);
                    router.sendMore(f1);
                    router.send(payload, 0);
                } else {
                    byte[] w = ws.get(next);
                    next = next + 1 == ws.size() ? 0 : next + 1;
                    router.sendMore(w);
                    router.sendMore(id);
                    router.send(f1, 0);
                }
            }
        } catch (RuntimeException e) {
            if (running) {
                System.err.println("echo broker failed: " + e);
            }
        } finally {
            router.close();
        }
    }

    /** A new client socket, over inproc (as Scoop's embedded root) or TCP. Use it from one thread. */
    ZMQ.Socket client(boolean overTcp) {
        ZMQ.Socket s = socket(ctx, SocketType.DEALER, "c" + (++clients));
        s.connect(overTcp ? tcp : inproc);
        return s;
    }

    static byte[] intBytes(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    static int bytesInt(byte[] b) {
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    /**
     * Sends {@code n} tasks with at most {@code window} in flight and waits for every answer.
     *
     * @return the sum of the answers
     */
    static long pipeline(ZMQ.Socket client, int n, int window) {
        int sent = 0;
        int received = 0;
        long sum = 0;
        while (received < n) {
            while (sent < n && sent - received < window) {
                client.send(intBytes(sent), 0);
                sent++;
            }
            byte[] r = client.recv(0);
            sum += bytesInt(r);
            received++;
        }
        return sum;
    }

    /**
     * W4's baseline: sends {@code n} payloads ({@code payloads[i % payloads.length]}) with at most {@code window}
     * in flight to workers that answer with their CRC32, and waits for every answer.
     *
     * @return the sum of the checksums
     */
    static long pipelineCrc(ZMQ.Socket client, int n, int window, byte[][] payloads) {
        int sent = 0;
        int received = 0;
        long sum = 0;
        while (received < n) {
            while (sent < n && sent - received < window) {
                client.send(payloads[sent % payloads.length], 0);
                sent++;
            }
            sum += java.nio.ByteBuffer.wrap(client.recv(0)).getLong();
            received++;
        }
        return sum;
    }

    /** One round trip; returns the answer. */
    static int roundTrip(ZMQ.Socket client, int x) {
        client.send(intBytes(x), 0);
        return bytesInt(client.recv(0));
    }

    @Override
    public void close() {
        running = false;
        for (Process p : workers) {
            try {
                p.getOutputStream().close();
            } catch (IOException e) {
                // gone
            }
        }
        for (Process p : workers) {
            try {
                if (!p.waitFor(3, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        try {
            broker.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ctx.close();
    }

    /** {@code Bench echo-worker ADDRESS NAME [crc]}: the worker JVM of this baseline. */
    static void workerMain(String address, String name, boolean crc) {
        Thread watcher = new Thread(() -> {
            InputStream in = System.in;
            byte[] buf = new byte[64];
            try {
                while (in.read(buf) >= 0) {
                    // wait for end of stream
                }
            } catch (IOException e) {
                // parent gone
            }
            Runtime.getRuntime().halt(0);
        }, "echo-stdin-watch");
        watcher.setDaemon(true);
        watcher.start();
        ZContext ctx = new ZContext(1);
        ZMQ.Socket s = socket(ctx, SocketType.DEALER, name);
        s.connect(address);
        s.send(EMPTY, 0);
        while (true) {
            byte[] client = s.recv(0);
            byte[] payload = s.recv(0);
            s.sendMore(client);
            if (crc) {
                s.send(java.nio.ByteBuffer.allocate(8).putLong(W4Payload.crc(payload)).array(), 0);
            } else {
                s.send(intBytes(bytesInt(payload) + 1), 0);
            }
        }
    }
}
