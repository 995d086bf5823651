package io.scoop.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The replacement policy, on a fake clock: backoff, its reset, and when it gives up. */
class RespawnerTest {
    private final AtomicLong now = new AtomicLong();
    private final Respawner r = new Respawner(3, now::get);

    private void live(String name, long millis) {
        r.started(name);
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    @Test
    void killedWorkersAreReplacedForever_withBackoffThatResetsAfterAHealthyWorker() {
        long[] delays = new long[10];
        for (int i = 0; i < delays.length; i++) {
            live("w" + i, 100);
            delays[i] = r.exited("w" + i, 137, true);
        }
        assertEquals(100, delays[0]);
        assertEquals(200, delays[1]);
        assertEquals(Respawner.MAX_DELAY_MILLIS, delays[9], "capped");
        live("steady", 6000);
        assertEquals(0, r.exited("steady", 137, true), "a worker that ran 5 s resets the backoff");
        assertFalse(r.gaveUp());
    }

    @Test
    void workersThatExitBeforeJoining_giveUpAfterTheLimitInARow() {
        live("a", 10);
        assertTrue(r.exited("a", 1, false) >= 0);
        live("b", 10);
        assertTrue(r.exited("b", 1, false) >= 0);
        live("c", 10);
        assertEquals(-1, r.exited("c", 1, false));
        assertTrue(r.gaveUp());
        assertEquals(3, r.failedStarts());
    }

    @Test
    void aJoinedWorkerOrASignalBreaksTheRun() {
        live("a", 10);
        r.exited("a", 1, false);
        live("b", 10);
        r.exited("b", 1, false);
        live("c", 10);
        assertTrue(r.exited("c", 137, false) >= 0, "kill -9 before joining says nothing about the start");
        live("d", 10);
        assertTrue(r.exited("d", 0, true) >= 0);
        assertEquals(0, r.failedStarts(), "a worker that joined proves that starts work");
        assertFalse(r.gaveUp());
    }
}
