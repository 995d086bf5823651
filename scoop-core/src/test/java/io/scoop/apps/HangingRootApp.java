package io.scoop.apps;

import io.scoop.DistributedExecutor;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;

/** A root that starts two embedded workers, prints their pids, then waits forever (to be killed). */
public final class HangingRootApp {
    public static void main(String[] args) throws Exception {
        DistributedExecutor pool = DistributedExecutor.builder().workers(2)
                .jvmOptions("-XX:TieredStopAtLevel=1", "-Xshare:auto").build();
        Set<Long> pids = new TreeSet<>();
        while (pids.size() < 2) {
            pids.addAll(pool.map((Integer i) -> {
                Thread.sleep(20);
                return ProcessHandle.current().pid();
            }, java.util.List.of(1, 2, 3, 4)).toList());
        }
        for (long p : pids) {
            System.out.println("worker-pid=" + p);
        }
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
