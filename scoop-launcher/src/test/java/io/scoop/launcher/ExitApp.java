package io.scoop.launcher;

import io.scoop.DistributedExecutor;
import java.util.concurrent.TimeUnit;

/** A root program that runs one task, then ends with {@code System.exit(3)}, leaving its executor open. */
public final class ExitApp {
    private ExitApp() {
    }

    public static void main(String[] args) throws Exception {
        DistributedExecutor ex = new DistributedExecutor();
        int answer = ex.submit(() -> 6 * 7).get(30, TimeUnit.SECONDS);
        System.out.println("answer=" + answer + ", exiting with 3");
        System.exit(3);
    }
}
