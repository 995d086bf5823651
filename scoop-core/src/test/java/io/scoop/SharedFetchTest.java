package io.scoop;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two tasks of one worker that want the same staged file at once share one FETCH; on a real worker JVM whose
 * connection to the broker goes through a proxy that can hold the broker's answer back: the task that asked
 * leaves (past its time limit) before the answer comes, and the other still gets it when it comes.
 */
class SharedFetchTest {
    @TempDir
    static Path dir;

    private static HeldLink proxy;
    private static TestCluster cluster;
    private static DistributedExecutor pool;

    @BeforeAll
    static void start() {
        cluster = TestCluster.startVia(1, 2, List.of("-Dscoop.fileCache=" + dir.resolve("cache")), address -> {
            proxy = new HeldLink(address);
            return proxy.address();
        });
        pool = cluster.newExecutor();
        await().atMost(Duration.ofSeconds(30)).until(() -> pool.workerCount() == 1);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
        cluster.close();
        proxy.close();
    }

    @Test
    void theTaskThatAskedLeavesBeforeTheAnswer_theTaskWaitingWithItStillGetsIt(@TempDir Path in) throws Exception {
        Path input = in.resolve("table.csv");
        Files.writeString(input, "k,v\n1,2\n");
        StagedFile staged = pool.stage(input);
        Files.delete(input); // as on another host: the worker must fetch it
        String asked = dir.resolve("asked").toString();
        String running = dir.resolve("running").toString();
        proxy.holdWhenSeen(staged.key().getBytes(StandardCharsets.UTF_8), Path.of(asked));
        try {
            // The waiter: once the other task's FETCH went out (and its answer is held), it wants the file too.
            CompletableFuture<String> waiter = pool.submit(() -> {
                Files.writeString(Path.of(running), "yes");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!Files.exists(Path.of(asked)) && System.nanoTime() - deadline < 0) {
                    LockSupport.parkNanos(2_000_000);
                }
                return Files.readString(staged.path());
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(Path.of(running)));
            // The asker: fetches the file, and its time limit interrupts it while the answer is held back.
            CompletableFuture<String> asker = pool.with(TaskOptions.defaults().timeout(Duration.ofMillis(800)))
                    .submit(() -> Files.readString(staged.path()));
            ExecutionException e = assertThrows(ExecutionException.class, () -> asker.get(30, TimeUnit.SECONDS));
            assertInstanceOf(TaskTimeoutException.class, e.getCause());
            assertTrue(Files.exists(Path.of(asked)), "the asker's FETCH went out");
            assertTrue(!waiter.isDone(), "the waiter still waits for the answer");
            proxy.release();
            assertEquals("k,v\n1,2\n", waiter.get(30, TimeUnit.SECONDS));
        } finally {
            proxy.release();
        }
        // And the next task that wants it finds the worker's copy.
        assertEquals("k,v\n1,2\n", pool.submit(() -> Files.readString(staged.path())).get(30, TimeUnit.SECONDS));
        assertTrue(cluster.exits().isEmpty(), "no worker ended: " + cluster.exits());
    }

    /**
     * A TCP proxy to the broker for the workers' connections that, once it sees given bytes go to the broker,
     * holds back everything the broker sends until {@link #release()}.
     */
    static final class HeldLink implements AutoCloseable {
        private final int brokerPort;
        private final ServerSocket server;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        private final Object lock = new Object();
        private volatile byte[] needle;
        private volatile Path seen;
        private boolean held;

        HeldLink(String brokerAddress) {
            brokerPort = Integer.parseInt(brokerAddress.substring(brokerAddress.lastIndexOf(':') + 1));
            try {
                server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Thread t = new Thread(this::accept, "held-link-accept");
            t.setDaemon(true);
            t.start();
        }

        String address() {
            return "tcp://127.0.0.1:" + server.getLocalPort();
        }

        /** Once {@code bytes} go to the broker, holds its answers back, and marks {@code mark}. */
        void holdWhenSeen(byte[] bytes, Path mark) {
            seen = mark;
            needle = bytes;
        }

        void release() {
            needle = null;
            synchronized (lock) {
                held = false;
                lock.notifyAll();
            }
        }

        private void accept() {
            try {
                while (true) {
                    Socket worker = server.accept();
                    Socket broker = new Socket(InetAddress.getLoopbackAddress(), brokerPort);
                    worker.setTcpNoDelay(true);
                    broker.setTcpNoDelay(true);
                    sockets.add(worker);
                    sockets.add(broker);
                    pump(worker, broker, true);
                    pump(broker, worker, false);
                }
            } catch (IOException e) {
                // closed
            }
        }

        private void pump(Socket from, Socket to, boolean toBroker) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[64 << 10];
                byte[] tail = new byte[0];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        if (toBroker) {
                            byte[] want = needle;
                            if (want != null) {
                                byte[] window = new byte[tail.length + n];
                                System.arraycopy(tail, 0, window, 0, tail.length);
                                System.arraycopy(buf, 0, window, tail.length, n);
                                if (contains(window, want)) {
                                    needle = null;
                                    synchronized (lock) {
                                        held = true;
                                    }
                                    Files.writeString(seen, "seen");
                                }
                                tail = Arrays.copyOfRange(window, Math.max(0, window.length - want.length),
                                        window.length);
                            }
                        } else {
                            synchronized (lock) {
                                while (held) {
                                    lock.wait();
                                }
                            }
                        }
                        out.write(buf, 0, n);
                        out.flush();
                    }
                } catch (IOException | InterruptedException e) {
                    // closed
                } finally {
                    close(from);
                    close(to);
                }
            }, "held-link-" + (toBroker ? "up" : "down"));
            t.setDaemon(true);
            t.start();
        }

        private static boolean contains(byte[] hay, byte[] needle) {
            outer:
            for (int i = 0; i + needle.length <= hay.length; i++) {
                for (int j = 0; j < needle.length; j++) {
                    if (hay[i + j] != needle[j]) {
                        continue outer;
                    }
                }
                return true;
            }
            return false;
        }

        private static void close(Socket s) {
            try {
                s.close();
            } catch (IOException e) {
                // already
            }
        }

        @Override
        public void close() {
            release();
            close(server);
            sockets.forEach(HeldLink::close);
        }

        private static void close(ServerSocket s) {
            try {
                s.close();
            } catch (IOException e) {
                // already
            }
        }
    }
}
