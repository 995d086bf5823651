package io.scoop.launcher;

import io.scoop.internal.LocalWorkers;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A spawner whose workers are processes of this JVM, run by scoop-core's {@link LocalWorkers}: forked here
 * ({@link LocalSpawner}) or through a scheduler's remote-exec command ({@link SchedulerSpawner}). They are
 * started, counted, ended and listed alike.
 */
abstract class ProcessSpawner implements Spawner {
    /** The processes this spawner started. */
    abstract LocalWorkers workers();

    @Override
    public final List<String> start(int count) throws IOException {
        return workers().start(count);
    }

    @Override
    public final int alive() {
        return workers().alive();
    }

    @Override
    public final void close(long graceMillis) {
        workers().close(graceMillis);
    }

    /**
     * {@code head} and the live workers with their pids, e.g. {@code localhost: w1 (pid 4242), w2 (pid 4243)},
     * or {@code head} and "no live worker".
     */
    final String describe(String head, String pidWord) {
        Map<String, Process> live = new TreeMap<>(workers().processes());
        StringBuilder sb = new StringBuilder(head);
        String sep = " ";
        for (Map.Entry<String, Process> e : live.entrySet()) {
            sb.append(sep).append(e.getKey()).append(" (").append(pidWord).append(' ').append(e.getValue().pid())
                    .append(')');
            sep = ", ";
        }
        return live.isEmpty() ? sb.append(" no live worker").toString() : sb.toString();
    }
}
