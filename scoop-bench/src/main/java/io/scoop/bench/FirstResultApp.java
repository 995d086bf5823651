package io.scoop.bench;

import io.scoop.DistributedExecutor;
import java.util.Arrays;

/**
 * W5's application: creates an executor, submits one trivial task, prints {@code RESULT 42} on stdout as soon
 * as the result is back, and shuts down. With no argument it uses {@code new DistributedExecutor()}: under the
 * launcher it connects to the launcher's broker, alone it starts the embedded default (a broker here and one
 * worker JVM per processor). With {@code --workers N [worker JVM options...]} it starts N embedded workers with
 * those options instead. On stderr it prints {@code TIMES main=... executor=... result=...} (epoch
 * milliseconds), so W5 can split the time to the first result.
 */
public final class FirstResultApp {
    private FirstResultApp() {
    }

    public static void main(String[] args) throws Exception {
        long main = System.currentTimeMillis();
        DistributedExecutor ex;
        if (args.length >= 2 && args[0].equals("--workers")) {
            ex = DistributedExecutor.builder().workers(Integer.parseInt(args[1]))
                    .jvmOptions(Arrays.copyOfRange(args, 2, args.length)).build();
        } else {
            ex = new DistributedExecutor();
        }
        long executor = System.currentTimeMillis();
        int r = ex.submit(() -> 6 * 7).get();
        long result = System.currentTimeMillis();
        System.out.println("RESULT " + r);
        System.out.flush();
        System.err.println("TIMES main=" + main + " executor=" + executor + " result=" + result);
        ex.shutdown();
    }
}
