package io.scoop;

import static io.scoop.RawPeer.concat;
import static io.scoop.RawPeer.greeting;
import static io.scoop.RawPeer.longFrameHeader;
import static io.scoop.RawPeer.plainHello;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scoop.internal.Sockets;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What any local user can send to the embedded default's broker port before authentication (issue #8): absurd
 * ZMTP frame lengths (2^64-1, 2^31-1, 2^63+n, eight connections announcing 256 MB each), random bytes, a
 * greeting then garbage, a PLAIN HELLO with a negative length byte. Each arrives while a map runs on real
 * worker JVMs: the map completes with the right answer, the heap stays bounded, and the executor, its broker
 * and its workers all end when it shuts down, with nothing hanging.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileInputTest {
    private static final List<String> FAST_JVM = List.of("-Xshare:auto", "-XX:TieredStopAtLevel=1");
    private static final int N = 400;
    private static final long SUM_OF_SQUARES = (long) N * (N + 1) * (2 * N + 1) / 6;

    private static DistributedExecutor embedded;
    private static List<Long> workerPids;
    private static RawPeer raw;

    @BeforeAll
    static void startCluster() throws Exception {
        embedded = DistributedExecutor.builder().workers(2).jvmOptions(FAST_JVM.toArray(String[]::new)).build();
        raw = new RawPeer(embedded.brokerAddress());
        await("both workers joined").atMost(Duration.ofSeconds(30)).until(() -> embedded.workerCount() == 2);
        workerPids = embedded.invokeAll(List.<java.util.concurrent.Callable<Long>>of(
                (SerializableCallable<Long>) () -> ProcessHandle.current().pid())).stream().map(f -> {
                    try {
                        return f.get();
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }).toList();
    }

    @AfterAll
    static void stopCluster() {
        if (raw != null) {
            raw.close();
        }
        if (embedded != null) {
            embedded.shutdownNow();
        }
    }

    /** A map of N squares, each task parked 2 ms so that it is still running while the garbage arrives. */
    private static CompletableFuture<Long> mapInBackground() {
        return CompletableFuture.supplyAsync(() -> embedded.map((Integer x) -> {
            LockSupport.parkNanos(2_000_000);
            return (long) x * x;
        }, IntStream.rangeClosed(1, N).boxed().toList()).mapToLong(Long::longValue).sum());
    }

    @Test
    @Order(1)
    void absurdFrameLengths_beforeAuthentication_mapCompletes_heapBounded() throws Exception {
        long refusedBefore = Sockets.refusedAllocations();
        System.gc();
        long heapBefore = heapUsed();
        long directBefore = directUsed();
        resetHeapPeaks();
        CompletableFuture<Long> map = mapInBackground();

        // The 75 bytes of the issue: a greeting, then a command frame announcing 2^64-1 bytes.
        byte[] issue = concat(greeting("PLAIN"), longFrameHeader(-1L, true), new byte[] {1, 2});
        assertEquals(75, issue.length);
        raw.send(issue);
        raw.send(concat(greeting("PLAIN"), longFrameHeader(-1L, false), new byte[] {1, 2}));
        raw.send(concat(greeting("PLAIN"), longFrameHeader(Integer.MAX_VALUE, true)));
        raw.send(concat(greeting("PLAIN"), longFrameHeader(Long.MAX_VALUE, true)));
        // 2^63 + 100 and 2^63 + 256 MB: negative as a long, so past ZMQ_MAXMSGSIZE; (int) gives 100 and 256 MB.
        raw.send(concat(greeting("PLAIN"), longFrameHeader(Long.MIN_VALUE + 100, true), new byte[50]));
        raw.send(concat(greeting("PLAIN"), longFrameHeader(Long.MIN_VALUE + 256_000_000L, true)));
        for (int i = 0; i < 8; i++) {
            raw.send(concat(greeting("PLAIN"), longFrameHeader(256_000_000L, true)));
        }

        assertEquals(SUM_OF_SQUARES, map.get(60, TimeUnit.SECONDS));
        assertEquals(42, embedded.submit(() -> 6 * 7).get(30, TimeUnit.SECONDS));
        assertEquals(2, embedded.workerCount());
        assertTrue(Sockets.refusedAllocations() >= refusedBefore + 3,
                "the guard allocator answered the lengths of 2^63 and more: " + Sockets.refusedAllocations());
        long heapGrowth = heapPeak() - heapBefore;
        long directGrowth = directUsed() - directBefore;
        assertTrue(heapGrowth < 256L << 20, "heap peaked " + (heapGrowth >> 20) + " MiB above where it started");
        assertTrue(directGrowth < 64L << 20, "direct buffers grew " + (directGrowth >> 20) + " MiB");
    }

    @Test
    @Order(2)
    void garbage_beforeAuthentication_mapCompletes() throws Exception {
        Random random = new Random(8);
        CompletableFuture<Long> map = mapInBackground();

        for (int i = 0; i < 20; i++) {
            byte[] noise = new byte[1 + random.nextInt(2000)];
            random.nextBytes(noise);
            raw.send(noise);
        }
        for (int i = 0; i < 20; i++) {
            byte[] noise = new byte[1 + random.nextInt(2000)];
            random.nextBytes(noise);
            raw.send(concat(greeting(i % 2 == 0 ? "PLAIN" : "NULL"), noise));
        }
        // A signature, then a version this JeroMQ does not know, then noise.
        byte[] oddVersion = greeting("PLAIN");
        oddVersion[10] = 9;
        raw.send(concat(oddVersion, new byte[100]));
        // ZMTP 1.0 (no 0xFF signature): refused when authentication is on.
        raw.send(new byte[] {5, 0, 'r', 'o', 'g', 'u', 'e', 1, 0});

        assertEquals(SUM_OF_SQUARES, map.get(60, TimeUnit.SECONDS));
        assertEquals(42, embedded.submit(() -> 6 * 7).get(30, TimeUnit.SECONDS));
        assertEquals(2, embedded.workerCount());
    }

    /**
     * JeroMQ's PLAIN server reads a HELLO's user name length as a signed byte: 0x80 and above make it allocate a
     * negative array in its I/O thread. No socket option prevents that; the I/O thread catches it and goes on,
     * the broker keeps routing, and only closing is affected (bounded by Sockets.close).
     */
    @Test
    @Order(3)
    void plainHello_withNegativeLengthByte_mapCompletes() throws Exception {
        long caughtBefore = Sockets.ioExceptions();
        CompletableFuture<Long> map = mapInBackground();

        raw.send(concat(greeting("PLAIN"), plainHello(0x80, new byte[] {0})));
        raw.send(concat(greeting("PLAIN"), plainHello(0xFF, new byte[] {1, 2, 3})));

        assertEquals(SUM_OF_SQUARES, map.get(60, TimeUnit.SECONDS));
        assertEquals(42, embedded.submit(() -> 6 * 7).get(30, TimeUnit.SECONDS));
        System.out.println("JeroMQ's I/O thread caught " + (Sockets.ioExceptions() - caughtBefore)
                + " exceptions from the PLAIN HELLOs");
    }

    /** After all of the above: the executor terminates in bounded time, and both worker JVMs exit. */
    @Test
    @Order(99)
    void afterAllThat_everythingCloses_andEveryWorkerJvmExits() throws Exception {
        long t0 = System.nanoTime();
        embedded.shutdown();
        assertTrue(embedded.awaitTermination(20, TimeUnit.SECONDS), "the executor did not terminate in 20 s");
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        System.out.println("terminated in " + millis + " ms");
        for (long pid : workerPids) {
            await("worker JVM " + pid + " exits").atMost(Duration.ofSeconds(20))
                    .until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
        }
    }

    private static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void resetHeapPeaks() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                p.resetPeakUsage();
            }
        }
    }

    /** The sum of the heap pools' peaks since {@link #resetHeapPeaks()}: an upper bound of the heap's peak. */
    private static long heapPeak() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                sum += p.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    private static long directUsed() {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
    }
}
