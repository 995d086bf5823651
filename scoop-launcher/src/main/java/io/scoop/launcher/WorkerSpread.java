package io.scoop.launcher;

import java.util.ArrayList;
import java.util.List;

/**
 * How {@code -n} workers are spread over hosts, as SCOOP does it: hosts are filled one after the other, each
 * up to its slots, until the workers run out (later hosts may get none); workers beyond the total slots go one
 * per host, round robin from the first.
 *
 * <pre>
 * hosts a:2 b:2   -n 3   a 2, b 1
 *                 -n 4   a 2, b 2
 *                 -n 5   a 3, b 2
 *                 -n 6   a 3, b 3
 * </pre>
 */
final class WorkerSpread {
    private WorkerSpread() {
    }

    /**
     * Spreads {@code workers} over hosts with these slots.
     *
     * @param slots   each host's slots, in filling order; each at least 1
     * @param workers how many workers to place, at least 1
     * @return each host's workers, in the same order; they add up to {@code workers}
     * @throws IllegalArgumentException if there is no host, a host has no slot, or {@code workers < 1}
     */
    static int[] spread(int[] slots, int workers) {
        if (slots.length == 0) {
            throw new IllegalArgumentException("cannot spread " + workers + " workers over no host");
        }
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1: " + workers);
        }
        int[] share = new int[slots.length];
        int left = workers;
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] < 1) {
                throw new IllegalArgumentException("host " + i + " must have at least 1 slot: " + slots[i]);
            }
            share[i] = Math.min(slots[i], left);
            left -= share[i];
        }
        // More workers than slots: one more per host, round robin, as often as needed.
        for (int i = 0; i < slots.length; i++) {
            share[i] += left / slots.length + (i < left % slots.length ? 1 : 0);
        }
        return share;
    }

    /**
     * Spreads {@code workers} over {@code hosts} by their slots.
     *
     * @return one share per host, in the hosts' order, hosts that get no worker included (with 0)
     * @throws IllegalArgumentException if there is no host or {@code workers < 1}
     */
    static List<LaunchPlan.HostShare> over(List<Host> hosts, int workers) {
        int[] share = spread(hosts.stream().mapToInt(Host::slots).toArray(), workers);
        List<LaunchPlan.HostShare> shares = new ArrayList<>(hosts.size());
        for (int i = 0; i < share.length; i++) {
            shares.add(new LaunchPlan.HostShare(hosts.get(i), share[i]));
        }
        return shares;
    }
}
