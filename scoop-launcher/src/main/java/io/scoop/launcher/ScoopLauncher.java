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
        customSynopsis = {
            "scoop-launcher [OPTIONS] APP_JAR [ARG...]",
            "       scoop-launcher [OPTIONS] -cp PATH[:PATH...] MAIN_CLASS [ARG...]"},
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
            // Each line fits 80 columns (the help's width in a pipe), so that no command wraps in the middle.
            "  java -jar scoop-launcher.jar -n 4 app.jar input.txt",
            "  java -jar scoop-launcher.jar --jvm-opt=-Xmx2g --main com.example.Sweep app.jar",
            "  java -jar scoop-launcher.jar -n 2 app.jar -v     (this -v goes to the app)",
            "  java -jar scoop-launcher.jar --dry-run -n 3 app.jar",
            "  java -jar scoop-launcher.jar --hostfile hosts.txt -n 6 app.jar",
            "  java -jar scoop-launcher.jar --dry-run --hosts node1 node1 node2 app.jar",
            "  java -jar scoop-launcher.jar --hosts node1 node2 \\",
            "      --broker-hostname 10.0.0.5 -n 8 app.jar",
            "  java -jar scoop-launcher.jar --hostfile hosts.txt \\",
            "      --on-host-failure=skip --accept-new-host-keys app.jar",
            "  java -jar scoop-launcher.jar --hosts node1 node2 --tunnel -n 8 app.jar",
            "  java -jar scoop-launcher.jar -n 4 \\",
            "      -cp app.jar:lib/dep.jar:extra/classes com.example.Main in.txt",
            "  java -jar scoop-launcher.jar --prolog setup.sh --env OMP_NUM_THREADS=1 \\",
            "      --env LICENSE_SERVER --nice 10 --max-attempts 1 --task-timeout 30m \\",
            "      --log run.log -vv app.jar",
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
     * message and one line pointing at --help on stderr, see usageError) and is found before any process
     * starts, the main class included (MainClassCheck). Two failures print one line instead, since --help would
     * not help: a scheduler variable that cannot be read, and a plan whose
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
                    + " --hosts node[01-04]. The list ends at APP_JAR (a name ending in .jar), an option or --"
                    + " (write -- before a -cp program's MAIN_CLASS: --hosts a b -- com.example.Main).")
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
            description = "Print the plan, and each process as it starts and stops, to standard error. -vv also"
                    + " prints each worker's and the root's command line and each connection (SSH, workers and"
                    + " root joining the broker).")
    boolean[] verbosity = new boolean[0];

    @Option(names = {"-q", "--quiet"},
            description = "Print errors only: no warnings from the launcher, and the root and the workers print only"
                    + " Scoop's errors (they get -Dscoop.log.level=ERROR). The program's own output is untouched.")
    boolean quiet;

    @Option(names = "--log", paramLabel = "FILE",
            description = "Also write the launcher's messages to FILE, each after its UTC time: what -v prints (even"
                    + " without -v), what -vv prints with -vv, and every warning. Appended to; not the workers'"
                    + " output.")
    Path logFile;

    @Option(names = {"-cp", "--classpath"}, paramLabel = "PATH[:PATH...]",
            description = "The program as jars and class directories, ':'-separated, instead of one APP_JAR: on the"
                    + " classpath of the root and of every worker (copied to remote hosts like the app jar, a"
                    + " directory as a jar). The first positional argument is then the main class:"
                    + " -cp app.jar:lib/ com.example.Main ARG...")
    String appClasspath;

    @Option(names = "--env", paramLabel = "NAME[=VALUE]",
            description = "Set NAME=VALUE in the environment of every worker and of the root; --env NAME passes on"
                    + " this launcher's own value of NAME. NAME is letters, digits and '_', not starting with a"
                    + " digit. Repeatable. Over SSH, values are on the remote command line for an instant: no secrets.")
    List<String> envOptions = new ArrayList<>();

    @Option(names = "--prolog", paramLabel = "FILE",
            description = "A shell script sourced (sh: . FILE) before each worker JVM starts, on every host: module"
                    + " loads, environment variables it exports. Copied to each remote host's --remote-cache (with"
                    + " --path, read at the same path there). If it fails (a non-zero status), the launcher says so,"
                    + " naming it and the host, and starts no more workers there.")
    Path prolog;

    @Option(names = "--nice", paramLabel = "N",
            description = "Run the workers under nice -n N, 0 to 19 (19: lowest priority, kindest to other jobs on"
                    + " the hosts).")
    Integer nice;

    @Option(names = "--max-attempts", paramLabel = "N",
            description = "How many times a task is tried when its worker dies, for the whole run (the root and the"
                    + " workers get -Dscoop.maxAttempts=N; a task's TaskOptions, or the program's own builder setting,"
                    + " win)."
                    + " 1: a task whose worker dies fails at once with WorkerLostException. Default: 3.")
    Integer maxAttempts;

    @Option(names = "--task-timeout", paramLabel = "DURATION",
            description = "The longest any task may run, for the whole run (the root and the workers get"
                    + " -Dscoop.taskTimeout): seconds (90) or a number with ms, s, m or h (1500ms, 90s, 30m, 2h). A task past it fails with"
                    + " TaskTimeoutException. Default: none.")
    String taskTimeout;

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

    @Option(names = "--no-status",
            description = "Serve no status page. By default the broker serves one on loopback and the launcher prints"
                    + " its URL, whose token (derived from the run's secret) admits a browser to it.")
    boolean noStatus;

    @Option(names = "--status-bind", paramLabel = "ADDR",
            description = "The address the status page listens on (default: ${DEFAULT-VALUE}, this machine only;"
                    + " 0.0.0.0 for every interface: the URL's token is still needed, but travels in clear HTTP).")
    String statusBind = "127.0.0.1";

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

    @Option(names = "--spawn", paramLabel = "ssh|srun|qrsh|pbsdsh|local",
            description = "How workers start: srun (one Slurm job step per worker) or qrsh (qrsh -inherit) on every"
                    + " node of the batch job, ssh (over SSH; this machine's hosts forked) or local (every worker"
                    + " forked here). Default: srun in a Slurm job, qrsh in an SGE parallel job, else ssh, or local"
                    + " when every host is this machine. pbsdsh is refused (it cannot hand a worker its keys).")
    SpawnMethod spawnMethod;

    @Option(names = "--dry-run",
            description = "Print the plan (host -> workers, broker address, the root's command) and start nothing.")
    boolean dryRun;

    @Parameters(index = "0", paramLabel = "APP_JAR|MAIN_CLASS",
            description = "The jar that holds the program; it is on the classpath of the root and of every worker."
                    + " With -cp: the program's main class, e.g. com.example.Main.")
    String app;

    @Parameters(index = "1..*", paramLabel = "ARG",
            description = "Arguments for the program. Everything after APP_JAR (or MAIN_CLASS) goes to the program,"
                    + " options too.")
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
        System.exit(commandLine(new ScoopLauncher()).execute(args));
    }

    /** The line after a usage error's message, instead of the whole help. */
    static final String HELP_HINT = "Run scoop-launcher with --help for every option, with examples.";

    /** The command line of {@code launcher}: a usage error prints its message and {@link #HELP_HINT}. */
    static CommandLine commandLine(ScoopLauncher launcher) {
        return new CommandLine(launcher).setParameterExceptionHandler(ScoopLauncher::usageError);
    }

    /** A usage error: its message (and picocli's suggestions for a misspelt option), then one line about --help. */
    private static int usageError(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println(ex.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
        err.println(HELP_HINT);
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
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
        Map<String, String> workerEnv = validateEnv();
        validateNice();
        Path prologFile = validateProlog();
        List<String> defaults = runDefaults();
        List<String> rootOptions = new ArrayList<>(defaults);
        rootOptions.addAll(rootJvmOptions); // after ours: the user's own -Dscoop.* wins
        // The workers too: tasks that tasks submit (a nested executor on a worker) take the same defaults.
        List<String> workerOptions = new ArrayList<>(defaults);
        workerOptions.addAll(jvmOptions);
        List<Path> programClasspath;
        String main;
        String missingJar = null;
        if (appClasspath != null) {
            programClasspath = validateClasspath();
            main = validateMainClassArgument();
            checkMainClass(programClasspath, main);
        } else if (dryRun && !Files.exists(Path.of(app))) {
            // A plan for a jar not built yet: shown as given, with the main class as far as it is known.
            Path jar = Path.of(app).toAbsolutePath().normalize();
            main = mainClass != null ? validateMainOption() : "<Main-Class of " + app + ">";
            programClasspath = List.of(jar);
            missingJar = "(the app jar " + jar + " does not exist yet: a real run needs it)";
        } else {
            Path jar = validateAppJar();
            main = resolveMainClass(jar);
            programClasspath = List.of(jar);
            checkMainClass(programClasspath, main);
        }
        int level = quiet ? -1 : verbosity.length;
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
        SpawnChoice spawnChoice = resolveSpawn(hostList);
        LaunchPlan plan = LaunchPlan.of(spawnChoice, brokerHostname, tunnel, n, workersFrom, threads, workerOptions,
                rootOptions, launcherClasspath(), programClasspath, main, appArgs, new WorkerSetup(workerEnv, nice, prologFile));
        if (dryRun) {
            PrintWriter out = spec.commandLine().getOut();
            out.print(plan.describe(null));
            if (missingJar != null) {
                out.println(missingJar);
            }
            out.println("(dry run: nothing was started)");
            out.flush();
            return 0;
        }
        PrintWriter logTo = openLog();
        LauncherLog log = new LauncherLog(err, level, logTo);
        try {
            return run(plan, log);
        } finally {
            log.close();
        }
    }

    /** Runs the plan (not a dry run), after the last checks. */
    private int run(LaunchPlan plan, LauncherLog log) {
        if (logFile != null) {
            log.toFile("scoop-launcher " + String.join(" ", maskEnvValues(
                    spec.commandLine().getParseResult().originalArgs())));
        }
        if (quiet) {
            System.setProperty(io.scoop.internal.Log.LEVEL_PROPERTY, "ERROR"); // this JVM's broker, too
        }
        String brokerProblem = plan.brokerProblem();
        if (brokerProblem != null) {
            log.infoBlock(plan.describe(null));
            log.error(brokerProblem);
            return CommandLine.ExitCode.USAGE;
        }
        Launch.Remote remote = null;
        if (!plan.sshHosts().isEmpty()) {
            try {
                remote = new Launch.Remote(new SshOptions(sshConfig, knownHosts, acceptNewHostKeys,
                        sshTimeoutSeconds * 1000L, remoteJava, remoteCache, sharedPaths, tunnel, agentSocket()),
                        SshConfig.read(sshConfig), onHostFailure);
            } catch (IOException e) {
                log.error("cannot use the ssh configuration " + sshConfig + ": " + e.getMessage());
                return CommandLine.ExitCode.USAGE;
            }
        }
        try {
            return new Launch(plan, log, System.out, System.err, remote, curve)
                    .statusPage(noStatus ? null : statusBind).run();
        } catch (IOException e) {
            log.error(e.getMessage());
            return CommandLine.ExitCode.SOFTWARE;
        }
    }

    /* ---------------- validation ---------------- */

    /** The ssh-agent to ask first: {@code $SSH_AUTH_SOCK}, unless unset or {@code --no-ssh-agent}. */
    private Path agentSocket() {
        String sock = System.getenv(SshAgent.SOCKET_ENV);
        return noSshAgent || sock == null || sock.isBlank() ? null : Path.of(sock);
    }

    /** A name a POSIX shell takes for a variable. */
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** Variables the launcher sets for the run itself. */
    private static final List<String> RESERVED_ENV = List.of(LaunchPlan.BROKER_ENV, io.scoop.RunKeys.ENV,
            Launch.LAUNCHER_PID_ENV);


    /** {@code --env}: each NAME=VALUE, or NAME with the launcher's own value; later ones win. */
    private Map<String, String> validateEnv() {
        Map<String, String> vars = new java.util.LinkedHashMap<>();
        for (String e : envOptions) {
            int eq = e.indexOf('=');
            String name = eq < 0 ? e : e.substring(0, eq);
            if (!ENV_NAME.matcher(name).matches()) {
                throw usage("Invalid value '%s' for option '--env': '%s' is not a variable name a shell accepts"
                        + " (letters, digits and '_', not starting with a digit). Write --env NAME=VALUE, e.g."
                        + " --env OMP_NUM_THREADS=4, or --env NAME to pass on this launcher's value.", e, name);
            }
            if (RESERVED_ENV.contains(name)) {
                throw usage("Invalid value '%s' for option '--env': the launcher sets %s itself for the run (%s)."
                        + " Choose another name.", e, name, String.join(", ", RESERVED_ENV));
            }
            String value = eq < 0 ? env.get(name) : e.substring(eq + 1);
            if (value == null) {
                throw usage("Invalid value '%s' for option '--env': %s is not set in the launcher's environment,"
                        + " so there is no value to pass on. Set it first (export %s=...), or give the value:"
                        + " --env %s=VALUE.", e, name, name, name);
            }
            vars.remove(name);
            vars.put(name, value);
        }
        return vars;
    }

    private void validateNice() {
        if (nice != null && (nice < 0 || nice > 19)) {
            throw usage("Invalid value '%d' for option '--nice': a niceness is 0 to 19 (a user may not raise a"
                    + " process's priority above 0). Pass e.g. --nice 10, or leave it out.", nice);
        }
    }

    /** {@code --prolog}: an existing, readable file, absolute. */
    private Path validateProlog() {
        if (prolog == null) {
            return null;
        }
        Path file = prolog.toAbsolutePath().normalize();
        if (!Files.isRegularFile(file)) {
            throw usage("Invalid value '%s' for option '--prolog': %s (looked for %s). Pass a shell script to"
                    + " source before each worker starts, e.g. --prolog setup.sh.", prolog,
                    Files.exists(file) ? "not a file" : "no such file", file);
        }
        if (!Files.isReadable(file)) {
            throw usage("Invalid value '%s' for option '--prolog': %s cannot be read. Make it readable (chmod u+r)."
                    , prolog, file);
        }
        return file;
    }

    /** {@code --max-attempts}, {@code --task-timeout} and {@code -q}, as the root's system properties. */
    private List<String> runDefaults() {
        List<String> props = new ArrayList<>();
        if (quiet) {
            if (verbosity.length > 0) {
                throw usage("Options '-q' and '-%s' exclude each other: -q prints errors only, -v more than the"
                        + " default. Pass one of them.", "v".repeat(verbosity.length));
            }
            props.add("-D" + io.scoop.internal.Log.LEVEL_PROPERTY + "=ERROR");
        }
        if (maxAttempts != null) {
            if (maxAttempts < 1) {
                throw usage("Invalid value '%d' for option '--max-attempts': every task is attempted at least once."
                        + " Pass 1 (a task whose worker dies fails at once) or more, or leave it out for 3.",
                        maxAttempts);
            }
            props.add("-D" + io.scoop.DistributedExecutor.Builder.MAX_ATTEMPTS_PROPERTY + "=" + maxAttempts);
        }
        if (taskTimeout != null) {
            try {
                io.scoop.DistributedExecutor.Builder.parseDuration(taskTimeout.strip()); // as the root will read it
            } catch (IllegalArgumentException e) {
                throw usage("Invalid value '%s' for option '--task-timeout': %s. Write a positive duration: seconds"
                        + " (90) or a number with ms, s, m or h (1500ms, 90s, 30m, 2h), or leave it out for none.",
                        taskTimeout, e.getMessage());
            }
            props.add("-D" + io.scoop.DistributedExecutor.Builder.TASK_TIMEOUT_PROPERTY + "=" + taskTimeout.strip());
        }
        return props;
    }

    /** {@code -cp}: every entry an existing jar or directory, absolute, in order. */
    private List<Path> validateClasspath() {
        if (mainClass != null) {
            throw usage("Options '-cp' and '--main' exclude each other: with -cp the main class is the first"
                    + " argument after the options, as with java -cp. Write -cp %s %s, without --main.",
                    appClasspath, mainClass);
        }
        List<Path> entries = new ArrayList<>();
        for (String e : appClasspath.split(Pattern.quote(File.pathSeparator), -1)) {
            if (e.isEmpty()) {
                throw usage("Invalid value '%s' for option '--classpath': an empty entry (two '%s' in a row, or one"
                        + " at an end). Separate jars and directories by one '%s', e.g. -cp app.jar%slib/dep.jar.",
                        appClasspath, File.pathSeparator, File.pathSeparator, File.pathSeparator);
            }
            Path p = Path.of(e).toAbsolutePath().normalize();
            if (!Files.exists(p)) {
                throw usage("Invalid value '%s' for option '--classpath': no such file or directory: %s (looked for"
                        + " %s). Each entry is a jar or a directory of classes.", appClasspath, e, p);
            }
            if (Files.isRegularFile(p)) {
                try (JarFile jf = new JarFile(p.toFile())) {
                    jf.size();
                } catch (IOException ex) {
                    throw usage("Invalid value '%s' for option '--classpath': %s cannot be read as a jar (%s). Each"
                            + " entry is a jar or a directory of classes.", appClasspath, p, ex.getMessage());
                }
            }
            entries.add(p);
        }
        return entries;
    }

    /** With {@code -cp}: the first positional argument, a class name. */
    private String validateMainClassArgument() {
        if (app.toLowerCase(Locale.ROOT).endsWith(".jar")) {
            throw usage("Invalid value '%s' for parameter 'MAIN_CLASS': with -cp, the first argument after the options"
                    + " is the main class, not a jar. Put the jar on -cp and name the class, e.g. -cp %s%s%s"
                    + " com.example.Main.", app, appClasspath, File.pathSeparator, app);
        }
        if (!CLASS_NAME.matcher(app).matches()) {
            throw usage("Invalid value '%s' for parameter 'MAIN_CLASS': not a Java class name. With -cp, the first"
                    + " argument after the options is the fully qualified main class, e.g. com.example.Main (no"
                    + " '/', no '.class').", app);
        }
        return app;
    }

    /** The command line with the values of {@code --env NAME=VALUE} replaced by {@code ...}, for the log. */
    static List<String> maskEnvValues(List<String> args) {
        List<String> masked = new ArrayList<>();
        boolean value = false;
        for (String a : args) {
            if (value && a.contains("=")) {
                masked.add(a.substring(0, a.indexOf('=')) + "=...");
            } else if (a.startsWith("--env=") && a.indexOf('=', 6) > 0) {
                masked.add(a.substring(0, a.indexOf('=', 6)) + "=...");
            } else {
                masked.add(a);
            }
            value = a.equals("--env");
        }
        return masked;
    }

    /** {@code --log}: opened for appending, its directory created; null without it. */
    private PrintWriter openLog() {
        if (logFile == null) {
            return null;
        }
        Path file = logFile.toAbsolutePath().normalize();
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            return new PrintWriter(Files.newBufferedWriter(file, java.nio.charset.StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND,
                    java.nio.file.StandardOpenOption.WRITE));
        } catch (IOException e) {
            throw usage("Invalid value '%s' for option '--log': %s cannot be written (%s). Pass a file in a"
                    + " directory you may write, e.g. --log run.log.", logFile, file, e.getMessage());
        }
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
        String appJar = app;
        Path jar = Path.of(app).toAbsolutePath().normalize();
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
        String appJar = app;
        String fromManifest;
        try (JarFile jf = new JarFile(jar.toFile())) {
            Manifest m = jf.getManifest();
            fromManifest = m == null ? null : m.getMainAttributes().getValue(Attributes.Name.MAIN_CLASS);
        } catch (IOException e) {
            throw usage("Invalid value '%s' for parameter 'APP_JAR': %s cannot be read as a jar (%s). Pass a jar"
                    + " file, as built by the jar tool or Maven.", appJar, jar, e.getMessage());
        }
        if (mainClass != null) {
            return validateMainOption();
        }
        if (fromManifest == null || fromManifest.isBlank()) {
            throw usage("The app jar %s has no Main-Class in its manifest, so the launcher does not know what to"
                    + " run. Pass the main class with --main, e.g. --main com.example.Main, or add a Main-Class"
                    + " entry to the jar's META-INF/MANIFEST.MF.", jar);
        }
        return fromManifest.strip();
    }

    /** {@code --main}: a class name. */
    private String validateMainOption() {
        if (!CLASS_NAME.matcher(mainClass).matches()) {
            throw usage("Invalid value '%s' for option '--main': not a Java class name. Pass the fully"
                    + " qualified name, e.g. --main com.example.Main (no '/', no '.class').", mainClass);
        }
        return mainClass;
    }

    /** The main class is on the program's classpath and has a main method: checked before anything starts. */
    private void checkMainClass(List<Path> classpath, String main) {
        MainClassCheck.Problem problem = MainClassCheck.check(classpath, main);
        if (problem == null) {
            return;
        }
        String where = appClasspath != null ? "-cp " + appClasspath : "the app jar " + classpath.get(0);
        String given = appClasspath != null ? "parameter 'MAIN_CLASS'" : mainClass != null ? "option '--main'" : null;
        String fix = appClasspath != null ? "Name a class on -cp (as com.example.Main), or add the jar or directory"
                + " that holds it to -cp." : mainClass != null ? "Pass the fully qualified name of a class in the app"
                + " jar, e.g. --main com.example.Main (jar tf " + classpath.get(0) + " lists its classes)."
                : "Rebuild the jar with the right Main-Class, or pass the main class with --main.";
        String what = problem == MainClassCheck.Problem.NOT_FOUND ? "no class " + main + " in " + where
                : main + " in " + where + " has no main method (public static void main(String[] args))";
        if (problem == MainClassCheck.Problem.NO_MAIN && appClasspath == null && mainClass == null) {
            fix = "Rebuild the jar with the class that has main as Main-Class, or pass that class with --main.";
        } else if (problem == MainClassCheck.Problem.NO_MAIN) {
            fix = "Name the class that has the main method.";
        }
        if (given == null) {
            throw usage("The app jar %s names Main-Class %s in its manifest, but %s. %s", classpath.get(0), main,
                    problem == MainClassCheck.Problem.NOT_FOUND ? "holds no such class" : "that class has no main"
                            + " method (public static void main(String[] args))", fix);
        }
        throw usage("Invalid value '%s' for %s: %s. %s", main, given, what, fix);
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
            if (!hosts.isEmpty() && !quiet) {
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

    /** {@code --spawn}, or the default for where the hosts came from (see SpawnChoice). */
    private SpawnChoice resolveSpawn(HostList hostList) {
        try {
            SpawnChoice c = SpawnChoice.choose(spawnMethod, hostfile == null && hosts.isEmpty(), hostList, env);
            if (tunnel && c.method().viaScheduler()) {
                throw new IllegalArgumentException("--tunnel carries worker connections through SSH, but workers"
                        + " start with " + c.method() + " here (" + c.from() + "); leave out --tunnel, or pass"
                        + " --spawn ssh");
            }
            return c;
        } catch (IllegalArgumentException e) {
            throw usage("%s", e.getMessage());
        }
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
