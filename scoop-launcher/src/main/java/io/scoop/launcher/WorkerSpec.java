package io.scoop.launcher;

import io.scoop.RunKeys;
import java.io.PrintStream;
import java.util.List;

/**
 * How every worker of one run is started, whatever its host.
 *
 * @param brokerAddress    the broker's TCP endpoint, e.g. {@code tcp://127.0.0.1:40123}
 * @param classpath        the workers' classpath: the launcher's own, then the app jar
 * @param jvmOptions       options for each worker JVM ({@code --jvm-opt})
 * @param threadsPerWorker task threads in each worker ({@code --threads})
 * @param heartbeatMillis  heartbeat interval; must match the broker's
 * @param expiryMillis     silence after which a peer counts as lost; must match the broker's
 * @param out              where workers' standard output goes, each line prefixed with {@code [w1] }
 * @param err              where workers' standard error goes, prefixed the same way
 * @param keys             the run's keys when the broker uses CURVE (members' keys only), else null; a
 *                         spawner hands {@link RunKeys#memberLine()} to each worker on its stdin
 * @param setup            variables, niceness and prolog of every worker ({@code --env}, {@code --nice},
 *                         {@code --prolog})
 */
record WorkerSpec(String brokerAddress, String classpath, List<String> jvmOptions, int threadsPerWorker,
        long heartbeatMillis, long expiryMillis, PrintStream out, PrintStream err, RunKeys keys, WorkerSetup setup) {
    WorkerSpec {
        jvmOptions = List.copyOf(jvmOptions);
        keys = keys == null ? null : keys.forMembers();
        setup = setup == null ? WorkerSetup.NONE : setup;
    }

    /** Workers started as they are: no variables, niceness or prolog. */
    WorkerSpec(String brokerAddress, String classpath, List<String> jvmOptions, int threadsPerWorker,
            long heartbeatMillis, long expiryMillis, PrintStream out, PrintStream err, RunKeys keys) {
        this(brokerAddress, classpath, jvmOptions, threadsPerWorker, heartbeatMillis, expiryMillis, out, err, keys,
                WorkerSetup.NONE);
    }
}
