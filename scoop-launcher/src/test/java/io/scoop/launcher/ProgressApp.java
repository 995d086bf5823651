package io.scoop.launcher;

import io.scoop.DistributedExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** A root whose invokeAll runs long enough for progress lines: 10 tasks of 800 ms on the launcher's workers. */
public final class ProgressApp {
    private ProgressApp() {
    }

    public static void main(String[] args) throws Exception {
        DistributedExecutor ex = new DistributedExecutor();
        List<Callable<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            int n = i;
            tasks.add(() -> {
                Thread.sleep(800);
                return n;
            });
        }
        int sum = 0;
        for (var f : ex.invokeAll(tasks)) {
            sum += f.get();
        }
        System.out.println("sum=" + sum + " progress=" + ex.progress().succeeded());
        ex.shutdown();
    }
}
