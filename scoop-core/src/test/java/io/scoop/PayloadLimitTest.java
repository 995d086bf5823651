package io.scoop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scoop.internal.Sockets;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A task too large for a Scoop message fails at submit, saying the limit and how to raise it, instead of being
 * dropped by the broker's socket (which would leave its future waiting forever). No cluster needed.
 */
class PayloadLimitTest {
    @AfterEach
    void clearProperty() {
        System.clearProperty(Sockets.MAX_MESSAGE_PROPERTY);
    }

    @Test
    void taskAboveTheLimit_failsAtEncode_namingTheLimitAndTheFix() {
        System.setProperty(Sockets.MAX_MESSAGE_PROPERTY, "1m");
        Callable<Integer> small = new Sized(new byte[1000]);
        Callable<Integer> large = new Sized(new byte[2 << 20]);

        assertTrue(DistributedExecutor.encodeTask(small).length < 2000);
        TaskTooLargeException e = assertThrows(TaskTooLargeException.class, () -> DistributedExecutor.encodeTask(large));
        assertTrue(e.getMessage().contains("above the limit of " + Sockets.maxPayloadBytes() + " bytes"),
                e.getMessage());
        assertEquals(Sockets.maxPayloadBytes(), e.limit());
        assertTrue(e.getMessage().contains("-Dscoop.maxMessageBytes (now 1048576 bytes a message)"), e.getMessage());
        assertEquals(512 << 10, Sockets.maxPayloadBytes());
    }

    static final class Sized implements Callable<Integer>, java.io.Serializable {
        final byte[] data;

        Sized(byte[] data) {
            this.data = data;
        }

        @Override
        public Integer call() {
            return data.length;
        }
    }
}
