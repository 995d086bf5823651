package io.scoop.launcher;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What one run will start, decided before anything starts: which host gets how many workers, where the broker
 * binds, how workers are started and the root's command. {@code --verbose} prints it before the run and
 * {@code --dry-run} prints it instead of the run.
 *
 * @param hosts            each host with its number of workers, in spawning order
 * @param brokerBind       the endpoint the broker binds, e.g. {@code tcp://127.0.0.1:*} (port chosen at start)
 * @param threadsPerWorker task threads in each worker
 * @param workerJvmOptions options for every worker JVM
 * @param rootJvmOptions   options for the root JVM
 * @param classpath        the classpath of workers and root: the launcher's own, then the app jar
 * @param mainClass        the root's main class
 * @param appArgs          the root's arguments
 */
record LaunchPlan(List<HostShare> hosts, String brokerBind, int threadsPerWorker, List<String> workerJvmOptions,
        List<String> rootJvmOptions, String classpath, String mainClass, List<String> appArgs) {
    /** The name of this machine in a plan. */
    static final String LOCALHOST = "localhost";
    /** The environment variable that tells the root's {@code DistributedExecutor} where the broker is. */
    static final String BROKER_ENV = "SCOOP_BROKER";
    /** Loopback with a free port: used when every host is this machine, so no other machine can connect. */
    static final String LOOPBACK_BIND = "tcp://127.0.0.1:*";

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=,@%+-]+");

    /**
     * One host's share of the workers.
     *
     * @param host    a host name; {@link #LOCALHOST} is this machine
     * @param workers how many workers it runs, at least 1
     */
    record HostShare(String host, int workers) {
        HostShare {
            if (workers < 1) {
                throw new IllegalArgumentException("host " + host + " must get at least 1 worker: " + workers);
            }
        }
    }

    LaunchPlan {
        hosts = List.copyOf(hosts);
        workerJvmOptions = List.copyOf(workerJvmOptions);
        rootJvmOptions = List.copyOf(rootJvmOptions);
        appArgs = List.copyOf(appArgs);
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("a plan needs at least one host");
        }
    }

    /**
     * The plan for a run on this machine only: every worker local, the broker on loopback.
     *
     * @param workers           number of worker JVMs
     * @param threadsPerWorker  task threads in each
     * @param workerJvmOptions  options for the worker JVMs
     * @param rootJvmOptions    options for the root JVM
     * @param launcherClasspath the launcher's own classpath ({@code java.class.path})
     * @param appJar            the user's jar
     * @param mainClass         the root's main class
     * @param appArgs           the root's arguments
     */
    static LaunchPlan local(int workers, int threadsPerWorker, List<String> workerJvmOptions,
            List<String> rootJvmOptions, String launcherClasspath, Path appJar, String mainClass,
            List<String> appArgs) {
        // The launcher's classes come first, for workers and root alike: both must load the same scoop-core
        // as the broker, even when the app jar bundles its own copy.
        String classpath = launcherClasspath == null || launcherClasspath.isEmpty()
                ? appJar.toString()
                : launcherClasspath + File.pathSeparator + appJar;
        return new LaunchPlan(List.of(new HostShare(LOCALHOST, workers)), LOOPBACK_BIND, threadsPerWorker,
                workerJvmOptions, rootJvmOptions, classpath, mainClass, appArgs);
    }

    /** The {@code java} executable of the JVM running the launcher; workers and root use the same. */
    static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * The root's command line: {@code java [root JVM options] -cp CLASSPATH MAIN [args]}. Its environment
     * also gets {@value #BROKER_ENV}.
     */
    List<String> rootCommand() {
        List<String> root = new ArrayList<>();
        root.add(javaExecutable());
        root.addAll(rootJvmOptions);
        root.add("-cp");
        root.add(classpath);
        root.add(mainClass);
        root.addAll(appArgs);
        return root;
    }

    /** The number of workers over all hosts. */
    int totalWorkers() {
        return hosts.stream().mapToInt(HostShare::workers).sum();
    }

    /**
     * The plan as the user reads it.
     *
     * @param brokerAddress the broker's actual address once it is bound, or null before the run
     */
    String describe(String brokerAddress) {
        String nl = System.lineSeparator();
        StringBuilder sb = new StringBuilder("scoop plan").append(nl);
        sb.append("  broker:    ").append(brokerAddress != null ? brokerAddress
                : brokerBind + " (loopback only: every host is this machine; the port is chosen at start)").append(nl);
        int total = totalWorkers();
        sb.append("  workers:   ").append(total).append(total == 1 ? " worker" : " workers").append(", ")
                .append(threadsPerWorker).append(threadsPerWorker == 1 ? " task thread" : " task threads")
                .append(" each").append(nl);
        int width = hosts.stream().mapToInt(h -> h.host().length()).max().orElse(0);
        for (HostShare h : hosts) {
            sb.append("    ").append(String.format("%-" + width + "s", h.host())).append(" -> ").append(h.workers())
                    .append(nl);
        }
        sb.append("  worker JVM options: ").append(workerJvmOptions.isEmpty() ? "(none)" : join(workerJvmOptions))
                .append(nl);
        sb.append("  root:      ").append(BROKER_ENV).append('=')
                .append(brokerAddress != null ? brokerAddress : "<broker address>").append(' ')
                .append(join(rootCommand())).append(nl);
        return sb.toString();
    }

    /** Joins words into one line a shell would split back the same way. */
    static String join(List<String> words) {
        StringBuilder sb = new StringBuilder();
        for (String w : words) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(PLAIN.matcher(w).matches() ? w : "'" + w.replace("'", "'\\''") + "'");
        }
        return sb.toString();
    }
}
