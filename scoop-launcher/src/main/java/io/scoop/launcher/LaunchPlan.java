package io.scoop.launcher;

import io.scoop.internal.JdkInternals;
import io.scoop.internal.Sockets;
import java.io.File;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What one run will start, decided before anything starts: where the hosts came from, which host gets how many
 * workers, where the broker binds, how workers are started and the root's command. {@code --verbose} prints it
 * before the run and {@code --dry-run} prints it instead of the run.
 *
 * @param hostSource       where the hosts came from, e.g. {@code hostfile hosts.txt}
 * @param hosts            each host with its number of workers, in spawning order; a host may get none
 * @param workersFrom      where the worker count came from, e.g. {@code -n 4} or {@code default: SLURM_NTASKS=4}
 * @param brokerBind       the endpoint the broker binds, e.g. {@code tcp://127.0.0.1:*} (port chosen at start)
 * @param brokerHost       the name or address remote workers dial to reach the broker, e.g. {@code 10.0.0.5};
 *                         null when every host is this machine, with {@code --tunnel}, or when no address
 *                         could be found (then the plan can be shown but not run: see {@link #brokerProblem()})
 * @param brokerNote       why the broker binds where it does, for the plan
 * @param tunnel           {@code --tunnel}: remote workers reach the broker through their host's SSH connection
 *                         (a port forwarded from the host's loopback), so the broker stays on loopback here
 * @param threadsPerWorker task threads in each worker
 * @param workerJvmOptions options for every worker JVM
 * @param rootJvmOptions   options for the root JVM
 * @param classpath        the classpath of workers and root: the launcher's own, then the app jar (or the
 *                         {@code -cp} entries)
 * @param mainClass        the root's main class
 * @param appArgs          the root's arguments
 * @param setup            the workers' variables, niceness and prolog; the variables are the root's too
 * @param spawn            how the workers start ({@code --spawn}): locally and over SSH, or through the batch
 *                         scheduler
 */
record LaunchPlan(String hostSource, List<HostShare> hosts, String workersFrom, String brokerBind,
        String brokerHost, String brokerNote, boolean tunnel, int threadsPerWorker, List<String> workerJvmOptions, List<String> rootJvmOptions, String classpath,
        String mainClass, List<String> appArgs, WorkerSetup setup, SpawnChoice spawn) {
    /** The name of this machine in a plan when no host was named. */
    static final String LOCALHOST = "localhost";
    /** The environment variable that tells the root's {@code DistributedExecutor} where the broker is. */
    static final String BROKER_ENV = "SCOOP_BROKER";
    /** Loopback with a free port: used when every host is this machine, so no other machine can connect. */
    static final String LOOPBACK_BIND = "tcp://127.0.0.1:*";
    /** The host remote workers dial with {@code --tunnel}: their own loopback, where the forwarded port is. */
    static final String TUNNEL_DIAL_HOST = "127.0.0.1";
    /** Every interface with a free port: what remote hosts need to reach the broker. */
    static final String ALL_INTERFACES_BIND = "tcp://0.0.0.0:*";

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=,@%+-]+");

    /**
     * One host's share of the workers.
     *
     * @param host    the host, with its slots and whether it is this machine
     * @param workers how many workers it runs; 0 when the hosts before it take them all
     */
    record HostShare(Host host, int workers) {
        HostShare {
            if (workers < 0) {
                throw new IllegalArgumentException("host " + host.name() + " cannot get " + workers + " workers");
            }
        }
    }

    LaunchPlan {
        hosts = List.copyOf(hosts);
        workerJvmOptions = List.copyOf(workerJvmOptions);
        rootJvmOptions = List.copyOf(rootJvmOptions);
        appArgs = List.copyOf(appArgs);
        setup = setup == null ? WorkerSetup.NONE : setup;
        if (spawn == null) {
            throw new IllegalArgumentException("a plan needs a spawn method");
        }
        if (hosts.stream().mapToInt(HostShare::workers).sum() < 1) {
            throw new IllegalArgumentException("a plan needs at least one worker on one host: " + hosts);
        }
    }

    /**
     * The plan for a run of {@code workers} workers spread over {@code hosts} ({@link WorkerSpread}). The broker
     * binds loopback only when every host that gets workers is this machine, or with {@code tunnel}; otherwise
     * see {@link #placeBroker}.
     *
     * @param hosts             the hosts and where they came from
     * @param brokerHostname    {@code --broker-hostname}: what remote workers dial, or null to pick an address;
     *                          must be null with {@code tunnel}
     * @param tunnel            {@code --tunnel}: remote workers reach the broker through SSH
     * @param workers           number of worker JVMs
     * @param workersFrom       where that number came from, e.g. {@code -n 4}
     * @param threadsPerWorker  task threads in each
     * @param workerJvmOptions  options for the worker JVMs
     * @param rootJvmOptions    options for the root JVM
     * @param launcherClasspath the launcher's own classpath ({@code java.class.path})
     * @param appClasspath      the user's jar, or the {@code -cp} entries (jars and class directories)
     * @param mainClass         the root's main class
     * @param appArgs           the root's arguments
     * @param setup             the workers' variables, niceness and prolog ({@code --env}, {@code --nice},
     *                          {@code --prolog})
     */
    static LaunchPlan of(HostList hosts, String brokerHostname, boolean tunnel, int workers, String workersFrom, int threadsPerWorker,
            List<String> workerJvmOptions, List<String> rootJvmOptions, String launcherClasspath,
            List<Path> appClasspath, String mainClass, List<String> appArgs, WorkerSetup setup) {
        return of(SpawnChoice.choose(null, false, hosts, java.util.Map.of()), brokerHostname, tunnel, workers,
                workersFrom, threadsPerWorker, workerJvmOptions, rootJvmOptions, launcherClasspath, appClasspath,
                mainClass, appArgs, setup);
    }

    /**
     * The plan for a run whose workers start as {@code spawn} says, on its hosts; the rest as above. Through a
     * scheduler, the broker binds loopback only when every node that gets workers is this node by name.
     */
    static LaunchPlan of(SpawnChoice spawn, String brokerHostname, boolean tunnel, int workers, String workersFrom,
            int threadsPerWorker, List<String> workerJvmOptions, List<String> rootJvmOptions, String launcherClasspath,
            List<Path> appClasspath, String mainClass, List<String> appArgs, WorkerSetup setup) {
        HostList hosts = spawn.hosts();
        // The launcher's classes come first, for workers and root alike: both must load the same scoop-core
        // as the broker, even when the app jar bundles its own copy.
        String app = String.join(File.pathSeparator, appClasspath.stream().map(Path::toString).toList());
        String classpath = launcherClasspath == null || launcherClasspath.isEmpty()
                ? app
                : launcherClasspath + File.pathSeparator + app;
        List<HostShare> shares = WorkerSpread.over(hosts.hosts(), workers);
        boolean allLocal = shares.stream().allMatch(s -> s.workers() == 0 || s.host().isLocal());
        if (tunnel && brokerHostname != null) {
            throw new IllegalArgumentException("--tunnel and --broker-hostname " + brokerHostname + " exclude each"
                    + " other");
        }
        String[] broker = allLocal
                ? new String[] {LOOPBACK_BIND, null, "loopback only: every host is this machine"}
                : tunnel
                ? new String[] {LOOPBACK_BIND, null, "loopback only: remote workers reach it through their host's SSH"
                    + " connection (--tunnel)"}
                : placeBroker(brokerHostname, LaunchPlan::routableAddress);
        return new LaunchPlan(hosts.source(), shares, workersFrom, broker[0], broker[1], broker[2], tunnel && !allLocal,
                threadsPerWorker,
                workerJvmOptions, rootJvmOptions, classpath, mainClass, appArgs, setup, spawn);
    }

    /** Finds an address of this machine that other machines may reach, if there is one. */
    interface AddressFinder {
        Optional<InetAddress> find();
    }

    /**
     * Where the broker binds when remote hosts get workers: {bind endpoint, the host remote workers dial, a note}.
     * With {@code --broker-hostname} given: that name is dialed; the broker binds it when it is an address
     * of this machine (or loopback), else every interface (0.0.0.0), as a name may stand for any of this
     * machine's addresses. Without it: the first routable address of this machine (up, not loopback, not
     * link-local; IPv4 first) is both bound and dialed; if there is none, the dialed host is null.
     */
    static String[] placeBroker(String brokerHostname, AddressFinder finder) {
        if (brokerHostname != null) {
            if (isOwnLiteral(brokerHostname)) {
                return new String[] {"tcp://" + bracketed(brokerHostname) + ":*", brokerHostname,
                    "--broker-hostname " + brokerHostname + ", an address of this machine"};
            }
            return new String[] {ALL_INTERFACES_BIND, brokerHostname, "every interface; remote workers dial "
                    + brokerHostname + " (--broker-hostname)"};
        }
        Optional<InetAddress> a = finder.find();
        if (a.isEmpty()) {
            return new String[] {LOOPBACK_BIND, null, "loopback only: this machine has no routable address"};
        }
        String literal = a.get().getHostAddress();
        int zone = literal.indexOf('%');
        literal = zone >= 0 ? literal.substring(0, zone) : literal;
        return new String[] {"tcp://" + bracketed(literal) + ":*", literal, "this machine's address " + literal
                + ", picked for the remote hosts; pass --broker-hostname to choose another"};
    }

    /** Whether {@code name} is an IP literal that is loopback or an address of this machine. */
    private static boolean isOwnLiteral(String name) {
        boolean literal = name.contains(":") || name.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        return literal && Host.isThisMachine(name);
    }

    /** The first address of this machine that is up, not loopback, link-local or multicast; IPv4 first. */
    static Optional<InetAddress> routableAddress() {
        List<InetAddress> found = new ArrayList<>();
        try {
            for (NetworkInterface ni : NetworkInterface.networkInterfaces().toList()) {
                if (!ni.isUp() || ni.isLoopback()) {
                    continue;
                }
                ni.inetAddresses().filter(a -> !a.isLoopbackAddress() && !a.isLinkLocalAddress()
                        && !a.isMulticastAddress() && !a.isAnyLocalAddress()).forEach(found::add);
            }
        } catch (SocketException | SecurityException e) {
            return Optional.empty();
        }
        return found.stream().min(Comparator.comparing((InetAddress a) -> a.getAddress().length)
                .thenComparing(a -> !a.isSiteLocalAddress()));
    }

    /** An IPv6 literal in brackets, anything else as it is. */
    static String bracketed(String host) {
        return host.contains(":") ? "[" + host + "]" : host;
    }

    /**
     * Why this plan cannot run, or null if it can: remote hosts get workers but no address of this machine was
     * found for them to reach the broker.
     */
    String brokerProblem() {
        List<Host> remote = remoteHosts();
        if (remote.isEmpty() || brokerHost != null || tunnel) {
            return null;
        }
        String first = remote.get(0).name();
        return "workers on " + names(remote) + " cannot reach a broker on loopback, and this machine has no other"
                + " address that is up; pass --broker-hostname <an address of this machine that " + first
                + " can reach>";
    }

    /** The endpoint workers on this machine and the root dial, given the broker's bound address. */
    static String localDial(String boundAddress) {
        return boundAddress.replace("tcp://0.0.0.0:", "tcp://127.0.0.1:");
    }

    /**
     * The endpoint remote workers dial, given the broker's bound address; null when every host is local, and
     * with {@code --tunnel} (each host's forwarded port is known only once its SSH connection forwards it).
     */
    String remoteDial(String boundAddress) {
        if (brokerHost == null || tunnel) {
            return null;
        }
        return "tcp://" + bracketed(brokerHost) + boundAddress.substring(boundAddress.lastIndexOf(':'));
    }

    /** The {@code java} executable of the JVM running the launcher; workers and root use the same. */
    static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * The root's command line: {@code java [opens for plain lambdas] [root JVM options] -cp CLASSPATH MAIN
     * [args]}. Its environment also gets {@value #BROKER_ENV}.
     */
    List<String> rootCommand() {
        List<String> root = new ArrayList<>();
        root.add(javaExecutable());
        root.addAll(JdkInternals.FLAGS);
        String limit = Sockets.messageLimitOption(rootJvmOptions);
        if (limit != null) {
            root.add(limit); // the root accepts what this JVM's broker accepts
        }
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
     * The hosts that get workers but are not this machine: their workers start over SSH, or through the scheduler
     * (then see {@link #sshHosts()}).
     */
    List<Host> remoteHosts() {
        return hosts.stream().filter(s -> s.workers() > 0 && !s.host().isLocal()).map(HostShare::host).toList();
    }

    /** The hosts whose workers start over SSH: the remote ones, unless the scheduler starts every worker. */
    List<Host> sshHosts() {
        return spawn.method().viaScheduler() ? List.of() : remoteHosts();
    }

    /**
     * The plan as the user reads it: where the hosts came from, each host's workers and slots, the total, the
     * broker, the workers' JVM options and the root's command, then notes on anything a reader might not
     * expect (assumed slots, workers beyond the slots, remote hosts).
     *
     * @param brokerAddress the broker's actual address once it is bound, or null before the run
     */
    String describe(String brokerAddress) {
        String nl = System.lineSeparator();
        StringBuilder sb = new StringBuilder("scoop plan").append(nl);
        sb.append("  hosts:     ").append(hostSource).append(nl);
        int total = totalWorkers();
        sb.append("  workers:   ").append(total).append(total == 1 ? " worker" : " workers").append(", ")
                .append(threadsPerWorker).append(threadsPerWorker == 1 ? " task thread" : " task threads")
                .append(" each (").append(workersFrom).append(')').append(nl);
        int nameWidth = hosts.stream().mapToInt(h -> h.host().name().length()).max().orElse(0);
        int countWidth = hosts.stream().mapToInt(h -> Integer.toString(h.workers()).length()).max().orElse(0);
        for (HostShare h : hosts) {
            Host host = h.host();
            sb.append("    ").append(String.format("%-" + nameWidth + "s", host.name())).append(" -> ")
                    .append(String.format("%-" + countWidth + "d", h.workers())).append("   (")
                    .append(host.describeSlots());
            if (spawn.method().viaScheduler()) {
                sb.append(", ").append(spawn.method().onHost(host.name()))
                        .append(host.isLocal() ? ", this node" : "");
            } else if (!host.isLocal()) {
                sb.append(", remote");
            } else if (host.explicitSlots() && !host.name().equals(LOCALHOST)) {
                sb.append(", this machine");
            }
            sb.append(')').append(nl);
        }
        sb.append("  spawn:     ").append(spawn.method()).append(" (").append(spawn.from()).append("): ")
                .append(spawn.method().describe()).append(nl);
        sb.append("  broker:    ").append(brokerAddress != null ? brokerAddress : brokerBind).append(" (")
                .append(brokerNote).append(brokerAddress != null ? "" : "; the port is chosen at start").append(')')
                .append(nl);
        if (tunnel) {
            sb.append("  remote workers dial: tcp://").append(TUNNEL_DIAL_HOST).append(":PORT on their own host, a"
                    + " port forwarded through its SSH connection to the broker (--tunnel)").append(nl);
        } else if (brokerHost != null) {
            sb.append("  remote workers dial: tcp://").append(bracketed(brokerHost)).append(':')
                    .append(brokerAddress != null ? brokerAddress.substring(brokerAddress.lastIndexOf(':') + 1)
                            : "PORT")
                    .append(nl);
        }
        sb.append("  worker JVM options: ").append(workerJvmOptions.isEmpty() ? "(none)" : join(workerJvmOptions))
                .append(nl);
        if (!setup.isEmpty()) {
            sb.append("  worker setup: ").append(setup.describe()).append(setup.env().isEmpty() ? "" : " (the variables"
                    + " are the root's too)").append(nl);
        }
        sb.append("  root:      ").append(BROKER_ENV).append('=')
                .append(brokerAddress != null ? brokerAddress : "<broker address>").append(' ')
                .append(join(rootCommand())).append(nl);
        for (String note : notes()) {
            sb.append("  note: ").append(note).append(nl);
        }
        return sb.toString();
    }

    private List<String> notes() {
        List<String> notes = new ArrayList<>();
        int slots = hosts.stream().mapToInt(h -> h.host().slots()).sum();
        int total = totalWorkers();
        if (total > slots) {
            int extra = total - slots;
            notes.add(total + " workers are more than the hosts' " + slots + " slots: " + (extra == 1
                    ? "the extra one goes to the first host"
                    : "the " + extra + " extra ones go one per host, round robin from the first host"));
        }
        List<Host> assumed = hosts.stream().map(HostShare::host).filter(h -> !h.explicitSlots() && !h.isLocal())
                .toList();
        if (!assumed.isEmpty()) {
            Host first = assumed.get(0);
            notes.add(names(assumed) + (assumed.size() == 1 ? " was listed without a count; a remote host's cores"
                    + " are unknown until it is contacted, so it counts" : " were listed without a count; a remote"
                    + " host's cores are unknown until it is contacted, so each counts") + " as 1 slot (write '"
                    + first.name() + " 8' in a hostfile to give it 8)");
        }
        List<Host> remote = sshHosts();
        if (!remote.isEmpty()) {
            notes.add(names(remote) + (remote.size() == 1 ? " is" : " are") + " remote: reached over SSH, each"
                    + " worker in its own exec channel, the jars copied to a cache there unless --path"
                    + (tunnel ? "; worker connections go through the SSH connection (the host's sshd must allow"
                    + " TCP forwarding)" : ""));
        }
        String problem = brokerProblem();
        if (problem != null) {
            notes.add("this plan cannot run: " + problem);
        }
        return notes;
    }

    /** Up to three host names, e.g. {@code node1, node2, node3 and 5 more}. */
    static String names(List<Host> hosts) {
        List<String> names = hosts.stream().limit(3).map(Host::name).toList();
        String shown = String.join(", ", names);
        return hosts.size() > 3 ? shown + " and " + (hosts.size() - 3) + " more" : shown;
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
