package io.scoop.launcher;

import io.scoop.DistributedExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A root program whose one task halts its worker JVM the first time it runs (it leaves a marker file named by
 * {@code args[0]} first), and returns its worker's pid when it runs again. With one worker, the run only
 * finishes if the launcher starts a worker in place of the dead one.
 */
public final class CrashOnceApp {
    private CrashOnceApp() {
    }

    public static void main(String[] args) throws Exception {
        String marker = args[0];
        DistributedExecutor ex = new DistributedExecutor();
        long pid = ex.submit(() -> {
            Path m = Path.of(marker);
            if (!Files.exists(m)) {
                Files.writeString(m, Long.toString(ProcessHandle.current().pid()));
                Runtime.getRuntime().halt(137);
            }
            return ProcessHandle.current().pid();
        }).get(60, TimeUnit.SECONDS);
        System.out.println("second attempt ran in pid " + pid + ", first in " + Files.readString(Path.of(marker)));
        ex.shutdown();
    }
}
