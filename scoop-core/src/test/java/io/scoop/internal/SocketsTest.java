package io.scoop.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scoop.broker.Broker;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/** The socket limits and the I/O-thread watch that every role relies on. No worker JVMs here. */
class SocketsTest {
    @AfterEach
    void clearProperty() {
        System.clearProperty(Sockets.MAX_MESSAGE_PROPERTY);
    }

    @Test
    void maxMessageBytes_defaultAndSuffixes() {
        assertEquals(64L << 20, Sockets.maxMessageBytes());
        System.setProperty(Sockets.MAX_MESSAGE_PROPERTY, "256m");
        assertEquals(256L << 20, Sockets.maxMessageBytes());
        System.setProperty(Sockets.MAX_MESSAGE_PROPERTY, "1G");
        assertEquals(1L << 30, Sockets.maxMessageBytes());
        System.setProperty(Sockets.MAX_MESSAGE_PROPERTY, "4096");
        assertEquals(4096, Sockets.maxMessageBytes());
        System.setProperty(Sockets.MAX_MESSAGE_PROPERTY, "2147483647");
        assertEquals(Integer.MAX_VALUE, Sockets.maxMessageBytes());
        assertTrue(Sockets.maxPayloadBytes() < Sockets.maxMessageBytes());
    }

    @Test
    void maxMessageBytes_outOfRangeOrNotANumber_saysTheRuleAndAnExample() {
        for (String bad : new String[] {"2g", "0", "-1", "12", "lots", "9999999999999999999", "m"}) {
            System.setProperty(Sockets.MAX_MESSAGE_PROPERTY, bad);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, Sockets::maxMessageBytes, bad);
            assertTrue(e.getMessage().startsWith("-Dscoop.maxMessageBytes=" + bad + " is not a message size from 1k"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("e.g. -Dscoop.maxMessageBytes=256m"), e.getMessage());
        }
    }

    @Test
    void closedChannel_asIsOrWrappedByJeroMq_isRecognised_otherFailuresAreNot() {
        assertTrue(Sockets.closedChannel(new java.nio.channels.ClosedChannelException()));
        assertTrue(Sockets.closedChannel(new zmq.ZError.IOException(new java.nio.channels.ClosedChannelException())));
        assertTrue(Sockets.closedChannel(new java.nio.channels.AsynchronousCloseException()));
        assertTrue(!Sockets.closedChannel(new zmq.ZError.IOException(new java.io.IOException("Broken pipe"))));
        assertTrue(!Sockets.closedChannel(new NegativeArraySizeException()));
    }

    @Test
    void create_setsTheLimitOnTheSocket() {
        ZContext ctx = Sockets.context();
        try {
            ZMQ.Socket s = Sockets.create(ctx, SocketType.DEALER, null);
            assertEquals(Sockets.maxMessageBytes(), s.getMaxMsgSize());
        } finally {
            assertTrue(Sockets.close(ctx));
        }
    }

    /**
     * An I/O thread that dies (simulated through the handler JeroMQ calls when it does) is noticed: checkIo
     * throws a named exception, and a broker on that context ends its loop and closes without hanging.
     */
    @Test
    void ioThreadDeath_isNoticed_brokerLoopEnds_closeReturns() {
        ZContext ctx = Sockets.context();
        Set<Thread> before = brokerThreads();
        Broker broker = Broker.builder().context(ctx).start();
        Set<Thread> mine = brokerThreads();
        mine.removeAll(before);
        assertEquals(1, mine.size());
        assertNull(Sockets.ioFailure(ctx));
        Sockets.checkIo(ctx, "test");

        OutOfMemoryError death = new OutOfMemoryError("simulated: Cannot reserve direct buffer memory");
        ctx.getContext().getUncaughtExceptionHandler().uncaughtException(new Thread("iothread-x"), death);

        assertSame(death, Sockets.ioFailure(ctx));
        IoThreadFailedException e = assertThrows(IoThreadFailedException.class, () -> Sockets.checkIo(ctx, "role X"));
        assertTrue(e.getMessage().startsWith("role X: JeroMQ's I/O thread died (java.lang.OutOfMemoryError: simulated"),
                e.getMessage());
        assertSame(death, e.getCause());
        await("the broker's loop ends").atMost(Duration.ofSeconds(5)).until(() -> !mine.iterator().next().isAlive());
        long t0 = System.nanoTime();
        broker.close();
        assertTrue(Sockets.close(ctx));
        assertTrue(System.nanoTime() - t0 < 10_000_000_000L);
    }

    private static Set<Thread> brokerThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("scoop-broker"))
                .collect(Collectors.toSet());
    }
}
