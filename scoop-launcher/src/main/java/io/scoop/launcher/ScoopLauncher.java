package io.scoop.launcher;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Stack;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IParameterConsumer;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code scoop-launcher} command: runs a Java program on a Scoop cluster that lives as long as the
 * program does.
 *
 * <pre>
 * java -jar scoop-launcher.jar -n 4 app.jar arg1 arg2
 * </pre>
 *
 * starts a broker, 4 worker JVMs and the program (the <em>root</em>: the jar's {@code Main-Class}, or
 * {@code --main}), in which {@code new DistributedExecutor()} connects to that broker. Workers' output is
 * forwarded with a {@code [w1] } prefix. The launcher exits with the root's exit code, and every process it
 * started is gone by then, also after Ctrl-C. Everything after the app jar goes to the program, options
 * included.
 *
 * <p>The hosts come from the first of: {@code --hostfile}, {@code --hosts}, the batch job's allocation (Slurm,
 * PBS/Torque, SGE; see {@link SchedulerHosts}), this machine. {@code -n} workers are spread over them by
 * {@link WorkerSpread}; without {@code -n}, the job's task count or the hosts' total slots. Workers on hosts
 * that are not this machine start over SSH ({@link SshSpawner}): the ssh config's aliases, the user's keys
 * (the ssh-agent's, then key files), known_hosts checked, the jars copied to a cache on each host by content
 * hash (unless {@code --path}).
 *
 * <p>Exit codes: the root's; 2 for a usage error (with a message naming the value, the rule and the fix),
 * a bad hostfile, ssh config or scheduler variable, or remote hosts with no broker address they can reach; 1
 * if the cluster could not be started (a remote host unreachable, with {@code --on-host-failure=stop}); 130 if
 * the launcher was stopped before the root finished.
 */
@Command(name = "scoop-launcher", mixinStandardHelpOptions = true, versionProvider = ScoopLauncher.Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Runs a Java program on a Scoop cluster: starts a broker, N worker JVMs and the program itself"
                    + " (the root), in which new DistributedExecutor() sends its tasks to these workers. Workers'"
                    + " output is printed with a [w1] prefix. Exits with the program's exit code, after ending"
                    + " every process it started (also on Ctrl-C).",
            "",
            "Hosts come from --hostfile, else --hosts, else the batch job (Slurm SLURM_JOB_NODELIST,"
                    + " PBS/Torque PBS_NODEFILE, SGE PE_HOSTFILE), else this machine. -n fills them host by host up"
                    + " to each host's slots, then adds one per host, round robin.",
            "",
            "Remote hosts are reached over SSH (the keys of the ssh-agent at $SSH_AUTH_SOCK, then key files from"
                    + " IdentityFile or ~/.ssh; aliases, User and Port from the ssh config; host keys checked against"
                    + " known_hosts), all at once, each within --ssh-timeout."
                    + " The jars are copied to --remote-cache on each host, named by content hash, and reused by"
                    + " later runs. Remote workers dial the broker at --broker-hostname (default: this machine's"
                    + " first routable address) and print with a [host/w1] prefix.",
            "",
            "With --tunnel, the broker stays on loopback and each remote host's worker connections go through the"
                    + " launcher's SSH connection to it (a port forwarded from the host's loopback), for clusters"
                    + " whose ports are closed; the hosts' sshd must allow TCP forwarding.",
            ""},
        footerHeading = "%nExamples:%n",
        footer = {
            "  java -jar scoop-launcher.jar -n 4 app.jar input.txt",
            "  java -jar scoop-launcher.jar --jvm-opt=-Xmx2g --main com.example.Sweep app.jar",
            "  java -jar scoop-launcher.jar -n 2 app.jar -v     (this -v goes to the app)",
            "  java -jar scoop-launcher.jar --dry-run -n 3 app.jar",
            "  java -jar scoop-launcher.jar --hostfile hosts.txt -n 6 app.jar",
            "  java -jar scoop-launcher.jar --dry-run --hosts node1 node1 node2 app.jar",
            "  java -jar scoop-launcher.jar --hosts node1 node2 --broker-hostname 10.0.0.5 -n 8 app.jar",
            "  java -jar scoop-launcher.jar --hostfile hosts.txt --on-host-failure=skip --accept-new-host-keys app.jar",
            "  java -jar scoop-launcher.jar --hosts node1 node2 --tunnel -n 8 app.jar",
            "",
            "Hostfile lines: 'host N' (SCOOP), 'host slots=N' or 'host:N' (MPI), 'host' (this machine: one slot"
                    + " per processor; a remote host: 1), 'node[01-04] 2' (Slurm range), '::1 2' or '[fe80::1] 2'"
                    + " (IPv6); '#' starts a comment. A host on several lines gets the sum.",
            "",
            "Exit codes: the program's; 2 for a usage error, a bad hostfile or ssh config, or remote hosts with"
                    + " no broker address they can reach; 1 if the cluster could not be started (e.g. a remote host"
                    + " unreachable); 130 if the launcher was stopped (Ctrl-C) before the program finished."})
public final class ScoopLauncher implements Callable<Integer> {
    /*
     * Implementation notes.
     *
     * call() is the whole command:
     *   validate options -> app jar and main class -> hosts -> worker count -> plan (broker placement)
     *   -> (print the plan and stop, for --dry-run) -> refuse remote hosts without a broker address
     *   -> read the ssh config -> Launch.
     * Validation happens here, not in Launch, so that every usage error is a ParameterException (exit code 2,
     * message and usage on stderr) and is found before any process starts. Two failures print one line
     * instead, since the usage would not help: a scheduler variable that cannot be read, and a plan whose
     * remote hosts have no address of this machine to reach the broker at (exit code 2 for both).
     *
     * Hosts: --hostfile, else --hosts, else the batch job's allocation, else this machine (resolveHosts).
     * The environment and the "is this host this machine" check are fields, injected by tests through the
     * package-private constructor, so that a test describes a Slurm job or a remote host deterministically.
     *
     * --hosts takes several values (--hosts a a b app.jar), which picocli would take greedily, app jar
     * included. HostWords stops the list at the first word that ends in ".jar" or starts with '-' ("--"
     * included), so the app jar stays the app jar.
     *
     * The parser stops at the first positional parameter (the app jar): what follows belongs to the program,
     * even when it looks like one of our options. And an option's value may look like an option, since JVM
     * options do: "--jvm-opt -verbose:gc" would otherwise read as our -v. Both are set on the spec as picocli
     * injects it (setSpec), so that main() stays the one-liner picocli recommends and tests get the same parser.
     */

    private static final Pattern CLASS_NAME = Pattern.compile(
            "\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*(\\.\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*)*");

    private final Map<String, String> env;
    private final Predicate<String> isLocal;
    private CommandSpec spec;

    @Option(names = {"-n", "--workers"}, paramLabel = "N",
            description = "Worker JVMs to start (default: SLURM_NTASKS, PBS_NP or NSLOTS in a batch job, else the"
                    + " hosts' total slots; with no hosts named, one per available processor).")
    Integer workers;

    @Option(names = "--hostfile", paramLabel = "FILE",
            description = "The hosts, one per line: 'host N', 'host slots=N', 'host:N' or 'host'; '#' comments."
                    + " Comes before --hosts and the batch job's hosts.")
    Path hostfile;

    @Option(names = "--hosts", paramLabel = "HOST", arity = "1..*", parameterConsumer = HostWords.class,
            description = "The hosts, e.g. --hosts node1 node1 node2 (a host named twice gets 2 slots) or"
                    + " --hosts node[01-04]. The list ends at APP_JAR (a name ending in .jar), an option or --.")
    List<String> hosts = new ArrayList<>();

    @Option(names = "--main", paramLabel = "CLASS",
            description = "The program's main class (default: the Main-Class of the app jar's manifest).")
    String mainClass;

    @Option(names = "--threads", paramLabel = "N",
            description = "Task threads in each worker JVM (default: ${DEFAULT-VALUE}).")
    int threads = 1;

    @Option(names = "--jvm-opt", paramLabel = "OPT",
            description = "An option for every worker JVM, e.g. --jvm-opt=-Xmx2g. Repeat it for several.")
    List<String> jvmOptions = new ArrayList<>();

    @Option(names = "--root-jvm-opt", paramLabel = "OPT",
            description = "An option for the root JVM (the program), e.g. --root-jvm-opt=-Xmx1g. Repeatable.")
    List<String> rootJvmOptions = new ArrayList<>();

    @Option(names = {"-v", "--verbose"},
            description = "Print the plan, and each process as it starts and stops, to standard error.")
    boolean verbose;

    @Option(names = {"--broker-hostname", "--external-hostname"}, paramLabel = "HOST",
            description = "The name or address of this machine that remote workers dial to reach the broker (default:"
                    + " this machine's first routable address). The broker binds it if it is an address of this"
                    + " machine, else every interface. Unused when every host is this machine (loopback only).")
    String brokerHostname;

    @Option(names = "--ssh-config", paramLabel = "FILE",
            description = "The ssh client configuration to read for remote hosts: Host patterns with HostName, User,"
                    + " Port and IdentityFile (default: ~/.ssh/config).")
    Path sshConfig = SshConfig.DEFAULT_FILE;

    @Option(names = "--known-hosts", paramLabel = "FILE",
            description = "The known hosts file that remote host keys are checked against (default:"
                    + " ~/.ssh/known_hosts).")
    Path knownHosts = SshOptions.DEFAULT_KNOWN_HOSTS;

    @Option(names = "--accept-new-host-keys",
            description = "Trust a remote host whose key is not in the known hosts file yet, and record its key there."
                    + " A key that differs from the recorded one is refused all the same.")
    boolean acceptNewHostKeys;

    @Option(names = "--no-ssh-agent",
            description = "Do not ask the ssh-agent ($SSH_AUTH_SOCK) for keys; use only the key files (IdentityFile,"
                    + " else ~/.ssh/id_ed25519, id_ecdsa, id_rsa).")
    boolean noSshAgent;

    @Option(names = "--ssh-timeout", paramLabel = "SECONDS",
            description = "The most time to connect and log in to one remote host (default: ${DEFAULT-VALUE}).")
    int sshTimeoutSeconds = 10;

    @Option(names = "--on-host-failure", paramLabel = "stop|skip",
            description = "What a remote host that cannot be reached or logged in to does: stop (the run ends before"
                    + " any worker starts, exit code 1) or skip (the run goes on without its workers). Default:"
                    + " ${DEFAULT-VALUE}.")
    Launch.OnHostFailure onHostFailure = Launch.OnHostFailure.stop;

    @Option(names = "--java", paramLabel = "PATH",
            description = "The java executable on the remote hosts (default: ${DEFAULT-VALUE}, from the remote PATH).")
    String remoteJava = "java";

    @Option(names = "--remote-cache", paramLabel = "DIR",
            description = "Where the jars are copied on each remote host, one file per content hash; copies already"
                    + " there are reused (default: ${DEFAULT-VALUE}).")
    String remoteCache = SshOptions.DEFAULT_REMOTE_CACHE;

    @Option(names = "--path",
            description = "The jars are already at the same paths on every remote host (a shared file system):"
                    + " copy nothing.")
    boolean sharedPaths;
    @Option(names = "--curve", hidden = true,
            description = "Use ZeroMQ CURVE with keys made for this run even when every host is this machine (it is"
                    + " always used with remote hosts): connections are encrypted. Without it, a local run's broker"
                    + " takes a token made for the run instead, which is not encrypted but costs nothing per message;"
                    + " either way only the run's processes may connect to the broker.")
    boolean curve;

    @Option(names = "--tunnel",
            description = "Carry the worker connections through the SSH session, for clusters whose ports are closed:"
                    + " each remote host forwards a port on its loopback to the broker, which stays on loopback here"
                    + " (no --broker-hostname). The hosts' sshd must allow it (AllowTcpForwarding yes or remote).")
    boolean tunnel;

    @Option(names = "--dry-run",
            description = "Print the plan (host -> workers, broker address, the root's command) and start nothing.")
    boolean dryRun;

    @Parameters(index = "0", paramLabel = "APP_JAR",
            description = "The jar that holds the program; it is on the classpath of the root and of every worker.")
    Path appJar;

    @Parameters(index = "1..*", paramLabel = "ARG",
            description = "Arguments for the program. Everything after APP_JAR goes to the program, options too.")
    List<String> appArgs = new ArrayList<>();

    /** A launcher for this process: its environment, and this machine's names and addresses. */
    public ScoopLauncher() {
        this(System.getenv(), Host::isThisMachine);
    }

    /**
     * A launcher that reads the batch scheduler's variables from {@code env} and asks {@code isLocal} which
     * hosts are this machine; for tests.
     */
    ScoopLauncher(Map<String, String> env, Predicate<String> isLocal) {
        this.env = Map.copyOf(env);
        this.isLocal = isLocal;
    }

    /** Runs the launcher; see the class description. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new ScoopLauncher()).execute(args));
    }

    /**
     * Picocli injects the spec. Everything after the app jar belongs to the program, not to us; and the value
     * after {@code --jvm-opt} is a JVM option even when it looks like one of ours ({@code -verbose:gc}).
     */
    @Spec
    void setSpec(CommandSpec spec) {
        this.spec = spec;
        spec.parser().stopAtPositional(true).allowOptionsAsOptionParameters(true);
    }

    /**
     * Validates the command line, then runs the plan (or prints it, with {@code --dry-run}).
     *
     * @return the root's exit code (see the class description for the others)
     * @throws ParameterException if a value breaks a rule; its message names the value, the rule and the fix
     */
    @Override
    public Integer call() {
        validateThreads();
        validateSsh();
        validateJvmOptions("--jvm-opt", jvmOptions);
        validateJvmOptions("--root-jvm-opt", rootJvmOptions);
        Path jar = validateAppJar();
        String main = resolveMainClass(jar);
        PrintWriter err = spec.commandLine().getErr();
        HostList hostList;
        try {
            hostList = resolveHosts(err);
        } catch (HostfileException e) {
            // Only the scheduler's variables get here: a bad --hostfile or --hosts is a usage error.
            err.println("scoop: " + e.getMessage());
            err.flush();
            return CommandLine.ExitCode.USAGE;
        }
        int n = resolveWorkers(hostList);
        String workersFrom = workers != null ? "-n " + n : "default: " + hostList.defaultWorkersFrom();
        LaunchPlan plan = LaunchPlan.of(hostList, brokerHostname, tunnel, n, workersFrom, threads, jvmOptions, rootJvmOptions,
                launcherClasspath(), jar, main, appArgs);
        if (dryRun) {
            PrintWriter out = spec.commandLine().getOut();
            out.print(plan.describe(null));
            out.println("(dry run: nothing was started)");
            out.flush();
            return 0;
        }
        String brokerProblem = plan.brokerProblem();
        if (brokerProblem != null) {
            if (verbose) {
                err.print(plan.describe(null));
            }
            err.println("scoop: " + brokerProblem);
            err.flush();
            return CommandLine.ExitCode.USAGE;
        }
        Launch.Remote remote = null;
        if (!plan.remoteHosts().isEmpty()) {
            try {
                remote = new Launch.Remote(new SshOptions(sshConfig, knownHosts, acceptNewHostKeys,
                        sshTimeoutSeconds * 1000L, remoteJava, remoteCache, sharedPaths, tunnel, agentSocket(),
                        verbose),
                        SshConfig.read(sshConfig), onHostFailure);
            } catch (IOException e) {
                err.println("scoop: cannot use the ssh configuration " + sshConfig + ": " + e.getMessage());
                err.flush();
                return CommandLine.ExitCode.USAGE;
            }
        }
        try {
            return new Launch(plan, err, verbose, System.out, System.err, remote, curve).run();
        } catch (IOException e) {
            err.println("scoop: " + e.getMessage());
            err.flush();
            return CommandLine.ExitCode.SOFTWARE;
        }
    }

    /* ---------------- validation ---------------- */

    /** The ssh-agent to ask first: {@code $SSH_AUTH_SOCK}, unless unset or {@code --no-ssh-agent}. */
    private Path agentSocket() {
        String sock = System.getenv(SshAgent.SOCKET_ENV);
        return noSshAgent || sock == null || sock.isBlank() ? null : Path.of(sock);
    }

    private void validateSsh() {
        if (sshTimeoutSeconds < 1) {
            throw usage("Invalid value '%d' for option '--ssh-timeout': a host needs at least 1 second to be reached"
                    + " and logged in to. Pass --ssh-timeout 1 or more, or leave it out for 10.", sshTimeoutSeconds);
        }
        if (remoteJava.isBlank()) {
            throw usage("Invalid value '' for option '--java': name the java executable of the remote hosts, e.g."
                    + " --java /usr/lib/jvm/java-17/bin/java, or leave it out for 'java'.");
        }
        if (tunnel && brokerHostname != null) {
            throw usage("Options '--tunnel' and '--broker-hostname %s' exclude each other: with --tunnel, remote"
                    + " workers reach the broker through their SSH connection and it binds loopback only, so no"
                    + " address of this machine is dialed. Drop --broker-hostname to tunnel, or --tunnel to have"
                    + " workers dial %s directly.", brokerHostname, brokerHostname);
        }
        if (remoteCache.isBlank()) {
            throw usage("Invalid value '' for option '--remote-cache': name a directory on the remote hosts, e.g."
                    + " --remote-cache /scratch/scoop, or leave it out for ~/.cache/scoop.");
        }
    }

    private void validateThreads() {
        if (threads < 1) {
            throw usage("Invalid value '%d' for option '--threads': each worker needs at least 1 task thread."
                    + " Pass --threads 1 or more, or leave it out for 1.", threads);
        }
    }

    private void validateJvmOptions(String option, List<String> options) {
        for (String o : options) {
            if (!o.startsWith("-")) {
                throw usage("Invalid value '%s' for option '%s': a JVM option starts with '-'. Write it attached,"
                        + " as in %s=-Xmx2g%s.", o, option, option, o.isBlank() ? "" : " (did you mean " + option
                        + "=-" + o.strip() + "?)");
            }
        }
    }

    private Path validateAppJar() {
        Path jar = appJar.toAbsolutePath().normalize();
        if (!Files.exists(jar)) {
            throw usage("Invalid value '%s' for parameter 'APP_JAR': no such file (looked for %s). Pass the path of"
                    + " the jar that holds your program.", appJar, jar);
        }
        if (!Files.isRegularFile(jar)) {
            throw usage("Invalid value '%s' for parameter 'APP_JAR': %s is not a file. Pass the path of the jar that"
                    + " holds your program, not a directory.", appJar, jar);
        }
        return jar;
    }

    private String resolveMainClass(Path jar) {
        String fromManifest;
        try (JarFile jf = new JarFile(jar.toFile())) {
            Manifest m = jf.getManifest();
            fromManifest = m == null ? null : m.getMainAttributes().getValue(Attributes.Name.MAIN_CLASS);
        } catch (IOException e) {
            throw usage("Invalid value '%s' for parameter 'APP_JAR': %s cannot be read as a jar (%s). Pass a jar"
                    + " file, as built by the jar tool or Maven.", appJar, jar, e.getMessage());
        }
        if (mainClass != null) {
            if (!CLASS_NAME.matcher(mainClass).matches()) {
                throw usage("Invalid value '%s' for option '--main': not a Java class name. Pass the fully"
                        + " qualified name, e.g. --main com.example.Main (no '/', no '.class').", mainClass);
            }
            return mainClass;
        }
        if (fromManifest == null || fromManifest.isBlank()) {
            throw usage("The app jar %s has no Main-Class in its manifest, so the launcher does not know what to"
                    + " run. Pass the main class with --main, e.g. --main com.example.Main, or add a Main-Class"
                    + " entry to the jar's META-INF/MANIFEST.MF.", jar);
        }
        return fromManifest.strip();
    }

    /* ---------------- hosts ---------------- */

    /**
     * The hosts of this run: {@code --hostfile}, else {@code --hosts}, else the batch job's, else this machine.
     *
     * @throws ParameterException if the hostfile or {@code --hosts} breaks a rule
     * @throws HostfileException  if the batch scheduler's variables or files cannot be read
     */
    private HostList resolveHosts(PrintWriter err) throws HostfileException {
        if (hostfile != null) {
            if (!hosts.isEmpty()) {
                err.println("scoop: --hosts " + String.join(" ", hosts) + " is ignored: --hostfile " + hostfile
                        + " comes first");
                err.flush();
            }
            Path file = hostfile.toAbsolutePath().normalize();
            if (!Files.exists(file)) {
                throw usage("Invalid value '%s' for option '--hostfile': no such file (looked for %s). Pass a file"
                        + " that lists the hosts, one per line, as in 'node1 4'.", hostfile, file);
            }
            if (!Files.isRegularFile(file)) {
                throw usage("Invalid value '%s' for option '--hostfile': %s is not a file. Pass a file that lists the"
                        + " hosts, one per line, as in 'node1 4'.", hostfile, file);
            }
            try {
                return HostList.withTotal("hostfile " + hostfile, Hostfile.parse(hostfile, isLocal));
            } catch (HostfileException e) {
                throw usage("%s", e.getMessage());
            }
        }
        if (!hosts.isEmpty()) {
            try {
                return HostList.withTotal("--hosts " + String.join(" ", hosts), Hostfile.fromWords(hosts, isLocal));
            } catch (HostfileException e) {
                throw usage("%s", e.getMessage());
            }
        }
        Optional<HostList> job = new SchedulerHosts(env, isLocal).find();
        return job.isPresent() ? job.get() : HostList.thisMachine();
    }

    /** {@code -n}, or the hosts' default. */
    private int resolveWorkers(HostList hostList) {
        if (workers == null) {
            return hostList.defaultWorkers();
        }
        if (workers < 1) {
            throw usage("Invalid value '%d' for option '--workers': a run needs at least 1 worker JVM. Pass -n 1 or"
                    + " more, or leave -n out for the default: %d (%s).", workers, hostList.defaultWorkers(),
                    hostList.defaultWorkersFrom());
        }
        return workers;
    }

    /**
     * The values of {@code --hosts}: every word up to the app jar (a word ending in {@code .jar}), the next
     * option or {@code --}.
     */
    static final class HostWords implements IParameterConsumer {
        @Override
        public void consumeParameters(Stack<String> args, ArgSpec argSpec, CommandSpec commandSpec) {
            List<String> values = argSpec.getValue();
            List<String> list = values == null ? new ArrayList<>() : new ArrayList<>(values);
            int before = list.size();
            while (!args.isEmpty()) {
                String next = args.peek();
                if (next.startsWith("-") || next.toLowerCase(Locale.ROOT).endsWith(".jar")) {
                    break;
                }
                list.add(args.pop());
            }
            if (list.size() == before) {
                throw new ParameterException(commandSpec.commandLine(), "Missing host for option '--hosts': name at"
                        + " least one host before the app jar, as in --hosts node1 node2 app.jar");
            }
            argSpec.setValue(list);
        }
    }

    private ParameterException usage(String format, Object... args) {
        return new ParameterException(spec.commandLine(), String.format(format, args));
    }

    /** The launcher's own classpath, absolute: the launcher jar under {@code java -jar}, else as given. */
    private static String launcherClasspath() {
        String cp = System.getProperty("java.class.path", "");
        List<String> entries = new ArrayList<>();
        for (String e : cp.split(Pattern.quote(File.pathSeparator))) {
            if (!e.isEmpty()) {
                entries.add(Path.of(e).toAbsolutePath().toString());
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    /** The version from the launcher jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = ScoopLauncher.class.getPackage().getImplementationVersion();
            return new String[] {"scoop-launcher " + (v != null ? v : "(development build)"),
                "Java " + System.getProperty("java.version") + " at " + System.getProperty("java.home")};
        }
    }
}
