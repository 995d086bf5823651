package io.scoop.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link WorkerSpread}: hosts filled in order up to their slots, then one more per host, round robin. */
class WorkerSpreadTest {

    /** a:2 b:2 with -n 3: a is filled, b gets the rest. */
    @Test
    void spread_fewerThanSlots_fillsHostByHost() {
        assertArrayEquals(new int[] {2, 1}, WorkerSpread.spread(new int[] {2, 2}, 3));
    }

    /** -n 1 on a:2 b:2: later hosts get none. */
    @Test
    void spread_oneWorker_goesToTheFirstHost() {
        assertArrayEquals(new int[] {1, 0}, WorkerSpread.spread(new int[] {2, 2}, 1));
    }

    /** -n equal to the slots: each host gets its slots. */
    @Test
    void spread_exactlyTheSlots_givesEachItsSlots() {
        assertArrayEquals(new int[] {2, 2}, WorkerSpread.spread(new int[] {2, 2}, 4));
    }

    /** a:2 b:2 with -n 5 and 6: the extra workers go one per host from the first. */
    @Test
    void spread_moreThanSlots_addsOnePerHostRoundRobin() {
        assertArrayEquals(new int[] {3, 2}, WorkerSpread.spread(new int[] {2, 2}, 5));
        assertArrayEquals(new int[] {3, 3}, WorkerSpread.spread(new int[] {2, 2}, 6));
    }

    /** Uneven slots and several rounds: a:3 b:1 c:2 with -n 13 is 6 + 7 extra, two rounds and one more. */
    @Test
    void spread_severalRounds_staysRoundRobin() {
        assertArrayEquals(new int[] {6, 3, 4}, WorkerSpread.spread(new int[] {3, 1, 2}, 13));
    }

    /** One host takes every worker, however many. */
    @Test
    void spread_oneHost_takesAll() {
        assertArrayEquals(new int[] {9}, WorkerSpread.spread(new int[] {2}, 9));
    }

    /** over() keeps the hosts, in order, those with no worker included. */
    @Test
    void over_hosts_givesSharesInOrder() {
        Host a = Host.withSlots("a", 2, false);
        Host b = Host.withSlots("b", 2, false);
        assertEquals(List.of(new LaunchPlan.HostShare(a, 1), new LaunchPlan.HostShare(b, 0)),
                WorkerSpread.over(List.of(a, b), 1));
    }

    /** No host, or fewer than 1 worker, is refused. */
    @Test
    void spread_noHostOrNoWorker_isRefused() {
        assertEquals("cannot spread 3 workers over no host",
                assertThrows(IllegalArgumentException.class, () -> WorkerSpread.spread(new int[0], 3)).getMessage());
        assertEquals("workers must be at least 1: 0",
                assertThrows(IllegalArgumentException.class, () -> WorkerSpread.spread(new int[] {1}, 0)).getMessage());
    }
}
