package io.scoop.launcher;

import io.scoop.DistributedExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A root program whose main throws after its task ran on a worker; it shuts its executor down on the way
 * out (as a {@code finally} would), so the JVM prints the exception and exits with code 1.
 */
public final class ThrowingApp {
    private ThrowingApp() {
    }

    public static void main(String[] args) throws Exception {
        DistributedExecutor ex = new DistributedExecutor();
        try {
            int answer = ex.submit(() -> 6 * 7).get(30, TimeUnit.SECONDS);
            throw new IllegalStateException("ThrowingApp fails on purpose after the answer " + answer);
        } finally {
            ex.shutdown();
        }
    }
}
