package io.scoop.launcher;

import java.util.List;

/**
 * The hosts of one run and where they came from, with the number of workers a run gets when {@code -n} is
 * not given.
 *
 * @param source             where the hosts came from, for the plan, e.g.
 *                           {@code Slurm allocation (SLURM_JOB_NODELIST=node[01-02])}
 * @param hosts              the hosts, in the order workers fill them; at least one
 * @param defaultWorkers     the worker count without {@code -n}, at least 1
 * @param defaultWorkersFrom where that count comes from, e.g. {@code SLURM_NTASKS=4}, {@code the hosts' total
 *                           slots} or {@code one per available processor}
 */
record HostList(String source, List<Host> hosts, int defaultWorkers, String defaultWorkersFrom) {
    HostList {
        hosts = List.copyOf(hosts);
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException(source + " holds no host");
        }
        if (defaultWorkers < 1) {
            throw new IllegalArgumentException("the default worker count must be at least 1: " + defaultWorkers);
        }
    }

    /** Hosts whose default worker count is their total slots. */
    static HostList withTotal(String source, List<Host> hosts) {
        return new HostList(source, hosts, totalSlots(hosts), "the hosts' total slots");
    }

    /** This machine alone, one worker per available processor: the hosts when nothing names others. */
    static HostList thisMachine() {
        Host self = Host.thisMachine();
        return new HostList("this machine (" + self.slots() + " available processors)", List.of(self), self.slots(),
                "one per available processor");
    }

    /** The sum of the hosts' slots. */
    int totalSlots() {
        return totalSlots(hosts);
    }

    private static int totalSlots(List<Host> hosts) {
        long sum = hosts.stream().mapToLong(Host::slots).sum();
        return (int) Math.min(sum, Integer.MAX_VALUE);
    }
}
