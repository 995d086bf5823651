package io.scoop.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Where the launcher's hosts come from, seen through the command ({@code execute()}, output captured): the
 * plan that {@code --dry-run} prints for a hostfile, {@code --hosts} and each batch scheduler, which source
 * wins, the default {@code -n}, the errors, and the refusal of remote hosts before anything starts.
 */
class ScoopLauncherHostsTest {
    /*
     * The environment is a map given to the command, and "this machine" is the names in LOCAL, so that the
     * plans are the same on every machine, inside a batch job or not. Plan lines are asserted in full.
     */

    private static final Predicate<String> LOCAL = Set.of("localhost", "127.0.0.1", "head")::contains;

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final Map<String, String> env = new HashMap<>();
    private Path sumJar;

    @BeforeEach
    void buildJar() throws IOException {
        sumJar = AppJars.withMainClass(dir, SumApp.class);
    }

    private int execute(String... args) {
        CommandLine cmd = ScoopLauncher.commandLine(new ScoopLauncher(env, LOCAL));
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        return cmd.execute(args);
    }

    private Path hostfile(String... lines) throws IOException {
        return Files.write(dir.resolve("hosts.txt"), List.of(lines));
    }

    private String diagnostics() {
        return "\nout:\n" + out + "\nerr:\n" + err;
    }

    /** The plan's lines, without the root's command (its classpath differs between machines). */
    private List<String> planLines() {
        return out.toString().lines().filter(l -> !l.startsWith("  root:")).toList();
    }

    private void assertPlanHas(String... lines) {
        List<String> plan = planLines();
        for (String line : lines) {
            assertTrue(plan.contains(line), "the plan lacks the line\n" + line + diagnostics());
        }
    }

    /* ---------------- --dry-run per source ---------------- */

    /**
     * A hostfile: the plan names the file, each host with its workers and slots (assumed for a bare remote
     * host), the total with -n, a broker on every interface for the remote hosts, the root, and notes.
     */
    @Test
    void dryRun_hostfile_printsHostsSlotsTotalBrokerAndRoot() throws IOException {
        Path hosts = hostfile("# two local slots, then the cluster", "localhost 2", "node07 slots=2", "node08",
                "node09:4");
        assertEquals(0, execute("--dry-run", "--hostfile", hosts.toString(), "--broker-hostname", "10.1.2.3", "-n", "6",
                sumJar.toString(), "10", "6"), diagnostics());
        assertEquals(List.of(
                "scoop plan",
                "  hosts:     hostfile " + hosts,
                "  workers:   6 workers, 1 task thread each (-n 6)",
                "    localhost -> 2   (slots: 2)",
                "    node07    -> 2   (slots: 2, remote)",
                "    node08    -> 1   (slots: 1, assumed, remote)",
                "    node09    -> 1   (slots: 4, remote)",
                "  spawn:     ssh (default): over SSH on remote hosts, each worker in its own exec channel; forked on"
                        + " this machine's hosts",
                "  broker:    tcp://0.0.0.0:* (every interface; remote workers dial 10.1.2.3 (--broker-hostname); the"
                        + " port is chosen at start)",
                "  remote workers dial: tcp://10.1.2.3:PORT",
                "  worker JVM options: (none)",
                "  note: node08 was listed without a count; a remote host's cores are unknown until it is contacted,"
                        + " so it counts as 1 slot (write 'node08 8' in a hostfile to give it 8)",
                "  note: node07, node08, node09 are remote: reached over SSH, each worker in its own exec channel,"
                        + " the jars copied to a cache there unless --path",
                "(dry run: nothing was started)"), planLines());
        assertTrue(out.toString().contains("  root:      SCOOP_BROKER=<broker address> " + LaunchPlan.javaExecutable()),
                diagnostics());
        assertTrue(out.toString().contains(sumJar + " " + SumApp.class.getName() + " 10 6"), diagnostics());
        assertEquals("", err.toString());
    }

    /** Local hosts only: the broker stays on loopback, and -n above the slots goes round robin. */
    @Test
    void dryRun_localHostsAboveTheirSlots_loopbackAndRoundRobin() throws IOException {
        Path hosts = hostfile("localhost 2", "head 1");
        assertEquals(0, execute("--dry-run", "--hostfile", hosts.toString(), "-n", "5", sumJar.toString()),
                diagnostics());
        assertPlanHas("  workers:   5 workers, 1 task thread each (-n 5)",
                "    localhost -> 3   (slots: 2)",
                "    head      -> 2   (slots: 1, this machine)",
                "  broker:    tcp://127.0.0.1:* (loopback only: every host is this machine; the port is chosen at"
                        + " start)",
                "  note: 5 workers are more than the hosts' 3 slots: the 2 extra ones go one per host, round robin"
                        + " from the first host");
    }

    /** A remote host that gets no worker does not open the broker to the network. */
    @Test
    void dryRun_remoteHostWithoutWorkers_keepsLoopback() throws IOException {
        Path hosts = hostfile("localhost 2", "node07 2");
        assertEquals(0, execute("--dry-run", "--hostfile", hosts.toString(), "-n", "2", sumJar.toString()),
                diagnostics());
        assertPlanHas("    node07    -> 0   (slots: 2, remote)",
                "  broker:    tcp://127.0.0.1:* (loopback only: every host is this machine; the port is chosen at"
                        + " start)");
    }

    /** --hosts a a b app.jar: repeats counted, order kept, the list ends at the app jar; default -n is 3. */
    @Test
    void dryRun_hostsWithRepeats_countsThemAndStopsAtTheJar() {
        assertEquals(0, execute("--dry-run", "--hosts", "node07", "node07", "node08", sumJar.toString(), "x"),
                diagnostics());
        assertPlanHas("  hosts:     --hosts node07 node07 node08",
                "  workers:   3 workers, 1 task thread each (default: the hosts' total slots)",
                "    node07 -> 2   (slots: 2, remote)",
                "    node08 -> 1   (slots: 1, assumed, remote)");
        assertTrue(out.toString().contains(SumApp.class.getName() + " x\n"), diagnostics());
    }

    /** --hosts=a, repeated --hosts, comma lists and a '--' before a jar that does not end in .jar. */
    @Test
    void dryRun_hostsInOtherForms_areAllRead() throws IOException {
        Path app = Files.copy(sumJar, dir.resolve("sum-app"));
        assertEquals(0, execute("--dry-run", "--hosts=node07", "--hosts", "n[1-2],node07", "--", app.toString()),
                diagnostics());
        assertPlanHas("  hosts:     --hosts node07 n[1-2],node07",
                "    node07 -> 2   (slots: 2, remote)",
                "    n1     -> 1   (slots: 1, assumed, remote)",
                "    n2     -> 1   (slots: 1, assumed, remote)");
    }

    /** A Slurm job: hosts from SLURM_JOB_NODELIST with SLURM_TASKS_PER_NODE, -n from SLURM_NTASKS. */
    @Test
    void dryRun_slurmJob_usesTheAllocation() {
        env.putAll(Map.of("SLURM_JOB_NODELIST", "head,node[01-02]", "SLURM_TASKS_PER_NODE", "2(x3)",
                "SLURM_NTASKS", "5"));
        assertEquals(0, execute("--dry-run", sumJar.toString()), diagnostics());
        assertPlanHas("  hosts:     Slurm allocation (SLURM_JOB_NODELIST=head,node[01-02])",
                "  workers:   5 workers, 1 task thread each (default: SLURM_NTASKS=5)",
                "    head   -> 2   (slots: 2, this machine)",
                "    node01 -> 2   (slots: 2, remote)",
                "    node02 -> 1   (slots: 2, remote)");
    }

    /** A directory on PATH holding an executable named {@code command} (only looked up by the plan, never run). */
    private String pathWith(String command) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path exe = Files.write(bin.resolve(command), List.of("#!/bin/sh", "exit 1"));
        exe.toFile().setExecutable(true);
        return bin.toString();
    }

    /**
     * Inside a real Slurm job (SLURM_JOB_ID) with srun on PATH, every node gets its workers through srun -w NODE;
     * which node is this one comes from SLURMD_NODENAME, not from addresses: "head" and "localhost" are both this
     * machine by address, yet localhost is another node of the allocation, and the broker binds for it.
     */
    @Test
    void dryRun_slurmJobWithSrun_startsEveryNodesWorkersThroughSrun() throws IOException {
        env.putAll(Map.of("SLURM_JOB_NODELIST", "head,localhost,node01", "SLURM_TASKS_PER_NODE", "2(x3)",
                "SLURM_NTASKS", "6", "SLURM_JOB_ID", "42", "SLURMD_NODENAME", "head", "PATH", pathWith("srun")));
        assertEquals(0, execute("--dry-run", "--broker-hostname", "10.1.2.3", sumJar.toString()), diagnostics());
        assertPlanHas("    head      -> 2   (slots: 2, srun -w head, this node)",
                "    localhost -> 2   (slots: 2, srun -w localhost)",
                "    node01    -> 2   (slots: 2, srun -w node01)",
                "  spawn:     srun (default: Slurm job 42): one Slurm job step per worker: srun --overlap -N1 -n1 -w"
                        + " NODE, on every node of the allocation, this one included",
                "  broker:    tcp://0.0.0.0:* (every interface; remote workers dial 10.1.2.3 (--broker-hostname); the"
                        + " port is chosen at start)");
        assertTrue(planLines().stream().noneMatch(l -> l.contains("over SSH")), diagnostics());
    }

    /** --spawn ssh inside the Slurm job: SSH as before, the node at this machine's address forked here. */
    @Test
    void dryRun_slurmJobWithSpawnSsh_usesSsh() throws IOException {
        env.putAll(Map.of("SLURM_JOB_NODELIST", "head,node01", "SLURM_TASKS_PER_NODE", "2(x2)", "SLURM_JOB_ID", "42",
                "SLURMD_NODENAME", "head", "PATH", pathWith("srun")));
        assertEquals(0, execute("--dry-run", "--spawn", "ssh", "--broker-hostname", "10.1.2.3", sumJar.toString()),
                diagnostics());
        assertPlanHas("    head   -> 2   (slots: 2, this machine)", "    node01 -> 2   (slots: 2, remote)",
                "  spawn:     ssh (--spawn ssh): over SSH on remote hosts, each worker in its own exec channel; forked"
                        + " on this machine's hosts");
    }

    /** A Slurm job without srun on PATH: the default falls back to SSH and the plan says why. */
    @Test
    void dryRun_slurmJobWithoutSrun_fallsBackToSshAndSaysWhy() {
        env.putAll(Map.of("SLURM_JOB_NODELIST", "head,node01", "SLURM_TASKS_PER_NODE", "2(x2)", "SLURM_JOB_ID", "42",
                "PATH", dir.toString()));
        assertEquals(0, execute("--dry-run", "--broker-hostname", "10.1.2.3", sumJar.toString()), diagnostics());
        assertPlanHas("  spawn:     ssh (default: srun is not on PATH, so workers on other hosts start over SSH): over"
                + " SSH on remote hosts, each worker in its own exec channel; forked on this machine's hosts");
    }

    /** An SGE job (JOB_ID) with qrsh on PATH: qrsh -inherit on every host; HOSTNAME names this one. */
    @Test
    void dryRun_sgeJobWithQrsh_startsWorkersThroughQrsh() throws IOException {
        Path pe = Files.write(dir.resolve("pe_hostfile"), List.of("head.cluster 1 all.q@head UNDEFINED",
                "node04.cluster 3 all.q@node04 UNDEFINED"));
        env.putAll(Map.of("PE_HOSTFILE", pe.toString(), "NSLOTS", "4", "JOB_ID", "7", "HOSTNAME", "head",
                "PATH", pathWith("qrsh")));
        assertEquals(0, execute("--dry-run", "--broker-hostname", "10.1.2.3", sumJar.toString()), diagnostics());
        assertPlanHas("    head.cluster   -> 1   (slots: 1, qrsh -inherit head.cluster, this node)",
                "    node04.cluster -> 3   (slots: 3, qrsh -inherit node04.cluster)",
                "  spawn:     qrsh (default: SGE job 7): through Grid Engine: qrsh -inherit HOST 'exec java ...', one"
                        + " per worker, on every host of the parallel job, this one included");
    }

    /** --spawn srun outside a Slurm job, or with srun missing, or with a hostfile: usage errors that say the fix. */
    @Test
    void spawnSrun_whereItCannotWork_isAUsageError() throws IOException {
        assertEquals(2, execute("--dry-run", "--spawn", "srun", sumJar.toString()), diagnostics());
        assertTrue(err.toString().contains("--spawn srun starts workers inside a Slurm job, but this is not a batch"
                + " job (SLURM_JOB_ID and SLURM_JOB_NODELIST are not set). Run the launcher inside the job (sbatch"
                + " hostfiles/slurm.sh, or salloc), or pass --spawn ssh or --spawn local"), diagnostics());
        env.putAll(Map.of("SLURM_JOB_NODELIST", "head,node01", "SLURM_JOB_ID", "42", "PATH", dir.toString()));
        err.getBuffer().setLength(0);
        assertEquals(2, execute("--dry-run", "--spawn", "srun", sumJar.toString()), diagnostics());
        assertTrue(err.toString().contains("--spawn srun: srun is not on PATH (" + dir + "). Add the directory of"
                + " Slurm's commands to PATH (module load, say), or pass --spawn ssh"), diagnostics());
        env.put("PATH", pathWith("srun"));
        err.getBuffer().setLength(0);
        assertEquals(2, execute("--dry-run", "--spawn", "srun", "--hosts", "node07", sumJar.toString()),
                diagnostics());
        assertTrue(err.toString().contains("--spawn srun starts workers on the hosts of the Slurm job, while"
                + " --hostfile or --hosts names hosts of its own"), diagnostics());
        err.getBuffer().setLength(0);
        assertEquals(2, execute("--dry-run", "--spawn", "pbsdsh", sumJar.toString()), diagnostics());
        assertTrue(err.toString().contains("--spawn pbsdsh cannot start workers: pbsdsh gives a task no standard"
                + " input"), diagnostics());
        err.getBuffer().setLength(0);
        assertEquals(2, execute("--dry-run", "--tunnel", sumJar.toString()), diagnostics());
        assertTrue(err.toString().contains("--tunnel carries worker connections through SSH, but workers start with"
                + " srun here"), diagnostics());
    }

    /** --spawn local: every host is taken as this machine, and the broker stays on loopback. */
    @Test
    void dryRun_spawnLocal_forksEveryWorkerHere() {
        assertEquals(0, execute("--dry-run", "--spawn", "local", "--hosts", "node07", "node08", sumJar.toString()),
                diagnostics());
        assertPlanHas("  spawn:     local (--spawn local): forked on this machine (every host is taken as this machine)",
                "  broker:    tcp://127.0.0.1:* (loopback only: every host is this machine; the port is chosen at"
                        + " start)");
    }

    /** A PBS/Torque job: hosts from PBS_NODEFILE, -n from PBS_NP. */
    @Test
    void dryRun_pbsJob_usesTheNodefile() throws IOException {
        Path nodes = Files.write(dir.resolve("aux-17"), List.of("head", "head", "node03", "node03"));
        env.putAll(Map.of("PBS_NODEFILE", nodes.toString(), "PBS_NP", "3"));
        assertEquals(0, execute("--dry-run", sumJar.toString()), diagnostics());
        assertPlanHas("  hosts:     PBS/Torque allocation (PBS_NODEFILE=" + nodes + ")",
                "  workers:   3 workers, 1 task thread each (default: PBS_NP=3)",
                "    head   -> 2   (slots: 2, this machine)",
                "    node03 -> 1   (slots: 2, remote)");
    }

    /** An SGE job: hosts from PE_HOSTFILE, -n from NSLOTS. */
    @Test
    void dryRun_sgeJob_usesThePeHostfile() throws IOException {
        Path pe = Files.write(dir.resolve("pe_hostfile"), List.of("head 1 all.q@head UNDEFINED",
                "node04 3 all.q@node04 UNDEFINED"));
        env.putAll(Map.of("PE_HOSTFILE", pe.toString(), "NSLOTS", "4"));
        assertEquals(0, execute("--dry-run", sumJar.toString()), diagnostics());
        assertPlanHas("  hosts:     SGE allocation (PE_HOSTFILE=" + pe + ")",
                "  workers:   4 workers, 1 task thread each (default: NSLOTS=4)",
                "    head   -> 1   (slots: 1, this machine)",
                "    node04 -> 3   (slots: 3, remote)");
    }

    /** -n overrides the job's count, and the plan says so. */
    @Test
    void dryRun_nInsideAJob_overridesTheJobsCount() {
        env.putAll(Map.of("SLURM_JOB_NODELIST", "head", "SLURM_TASKS_PER_NODE", "4", "SLURM_NTASKS", "4"));
        assertEquals(0, execute("--dry-run", "-n", "2", sumJar.toString()), diagnostics());
        assertPlanHas("  workers:   2 workers, 1 task thread each (-n 2)", "    head -> 2   (slots: 4, this machine)");
    }

    /** Outside any job and without hosts: this machine, one worker per processor. */
    @Test
    void dryRun_nothingNamed_usesThisMachine() {
        int cores = Runtime.getRuntime().availableProcessors();
        assertEquals(0, execute("--dry-run", sumJar.toString()), diagnostics());
        assertPlanHas("  hosts:     this machine (" + cores + " available processors)",
                "  workers:   " + cores + (cores == 1 ? " worker" : " workers")
                        + ", 1 task thread each (default: one per available processor)",
                "    localhost -> " + cores + "   (slots: " + cores + ", this machine's available processors)");
    }

    /* ---------------- which source wins ---------------- */

    /** --hostfile comes before --hosts (which is ignored, with a warning) and before the job's hosts. */
    @Test
    void sources_hostfileFirst_hostsIgnoredWithAWarning() throws IOException {
        Path hosts = hostfile("localhost 1");
        env.put("SLURM_JOB_NODELIST", "node[01-02]");
        assertEquals(0, execute("--dry-run", "--hostfile", hosts.toString(), "--hosts", "node07", sumJar.toString()),
                diagnostics());
        assertPlanHas("  hosts:     hostfile " + hosts, "    localhost -> 1   (slots: 1)");
        assertEquals("scoop: --hosts node07 is ignored: --hostfile " + hosts + " comes first\n", err.toString());
    }

    /** --hosts comes before the job's hosts. */
    @Test
    void sources_hostsBeforeTheJob() {
        env.put("PE_HOSTFILE", dir.resolve("never-read").toString());
        assertEquals(0, execute("--dry-run", "--hosts", "localhost", sumJar.toString()), diagnostics());
        assertPlanHas("  hosts:     --hosts localhost");
    }

    /** The job's hosts come before this machine. */
    @Test
    void sources_jobBeforeThisMachine() {
        env.put("SLURM_JOB_NODELIST", "head");
        assertEquals(0, execute("--dry-run", sumJar.toString()), diagnostics());
        assertPlanHas("  hosts:     Slurm allocation (SLURM_JOB_NODELIST=head)");
    }

    /* ---------------- errors ---------------- */

    /** A hostfile mistake: exit 2, file:line, the line, the rule and an example. */
    @Test
    void hostfile_badLine_exitsTwoNamingFileAndLine() throws IOException {
        Path hosts = hostfile("localhost 2", "node1 slots=x");
        assertEquals(2, execute("--dry-run", "--hostfile", hosts.toString(), sumJar.toString()), diagnostics());
        assertTrue(err.toString().startsWith(hosts + ":2: 'node1 slots=x': slots must be a whole number >= 1, as in"
                + " 'node1 slots=4'\n"), diagnostics());
    }

    /** A hostfile that does not exist: exit 2, naming the path looked for. */
    @Test
    void hostfile_missing_exitsTwoNamingThePath() {
        Path missing = dir.resolve("no-hosts.txt");
        assertEquals(2, execute("--hostfile", missing.toString(), sumJar.toString()), diagnostics());
        assertTrue(err.toString().startsWith("Invalid value '" + missing + "' for option '--hostfile': no such file"
                + " (looked for " + missing + "). Pass a file that lists the hosts, one per line, as in 'node1 4'."),
                diagnostics());
    }

    /**
     * --tunnel with remote hosts: the broker stays on loopback, and the plan says that remote workers dial a
     * forwarded port on their own host.
     */
    @Test
    void dryRun_tunnel_brokerOnLoopbackWorkersDialTheirForwardedPort() {
        assertEquals(0, execute("--dry-run", "--tunnel", "--hosts", "node07", "node08", "-n", "2", sumJar.toString()),
                diagnostics());
        assertPlanHas("  broker:    tcp://127.0.0.1:* (loopback only: remote workers reach it through their host's SSH"
                        + " connection (--tunnel); the port is chosen at start)",
                "  remote workers dial: tcp://127.0.0.1:PORT on their own host, a port forwarded through its SSH"
                        + " connection to the broker (--tunnel)",
                "  note: node07, node08 are remote: reached over SSH, each worker in its own exec channel, the jars"
                        + " copied to a cache there unless --path; worker connections go through the SSH connection"
                        + " (the host's sshd must allow TCP forwarding)");
        assertEquals("", err.toString());
    }

    /** --tunnel with --broker-hostname: exit 2, saying why they exclude each other and which to drop. */
    @Test
    void tunnel_withBrokerHostname_exitsTwoNamingBoth() {
        assertEquals(2, execute("--tunnel", "--broker-hostname", "10.1.2.3", "--hosts", "node07", sumJar.toString()),
                diagnostics());
        assertTrue(err.toString().startsWith("Options '--tunnel' and '--broker-hostname 10.1.2.3' exclude each other:"
                + " with --tunnel, remote workers reach the broker through their SSH connection and it binds loopback"
                + " only, so no address of this machine is dialed. Drop --broker-hostname to tunnel, or --tunnel to"
                + " have workers dial 10.1.2.3 directly.\n"), diagnostics());
    }

    /** --hosts with no host before the app jar: exit 2 with an example. */
    @Test
    void hosts_empty_exitsTwoWithAnExample() {
        assertEquals(2, execute("--hosts", sumJar.toString()), diagnostics());
        assertTrue(err.toString().startsWith("Missing host for option '--hosts': name at least one host before the"
                + " app jar, as in --hosts node1 node2 app.jar"), diagnostics());
    }

    /** A broken scheduler variable: exit 2 and one line naming it, no usage. */
    @Test
    void scheduler_badVariables_exitsTwoWithOneLine() {
        env.putAll(Map.of("SLURM_JOB_NODELIST", "node[01-03]", "SLURM_TASKS_PER_NODE", "2(x2)"));
        assertEquals(2, execute("--dry-run", sumJar.toString()), diagnostics());
        assertEquals("scoop: SLURM_TASKS_PER_NODE=2(x2) gives counts for 2 nodes, but SLURM_JOB_NODELIST=node[01-03]"
                + " names 3: they must describe the same allocation (run the launcher inside the job, or pass"
                + " --hostfile)\n", err.toString());
    }

    /** -n 0 with hosts: the message gives the hosts' default. */
    @Test
    void workers_zeroWithHostfile_givesTheDefault() throws IOException {
        Path hosts = hostfile("localhost 3");
        assertEquals(2, execute("-n", "0", "--hostfile", hosts.toString(), sumJar.toString()), diagnostics());
        assertTrue(err.toString().startsWith("Invalid value '0' for option '--workers': a run needs at least 1 worker"
                + " JVM. Pass -n 1 or more, or leave -n out for the default: 3 (the hosts' total slots)."),
                diagnostics());
    }

    /* ---------------- remote hosts ---------------- */

    /**
     * A real run whose remote host cannot be reached (its ssh config leads to a port where nothing listens)
     * fails with one line naming the host and the reason, exit code 1, and no process started.
     */
    @Test
    void run_unreachableRemoteHost_oneLineExitOneNothingStarted() throws IOException {
        Path hosts = hostfile("localhost 1", "node07 2");
        int port = SshTestServer.closedPort();
        Path config = Files.write(dir.resolve("ssh_config"), List.of("Host node*", "  HostName 127.0.0.1",
                "  Port " + port));
        Set<Long> childrenBefore = children();
        assertEquals(1, execute("--hostfile", hosts.toString(), "--ssh-config", config.toString(), "--broker-hostname",
                "127.0.0.1", "-n", "3", sumJar.toString()), diagnostics());
        assertEquals("scoop: host node07 (127.0.0.1:" + port + "): connection refused; check that sshd runs there and"
                + " listens on port " + port + " (Port in " + config + "); nothing was started (pass"
                + " --on-host-failure=skip to go on without unreachable hosts)\n", err.toString());
        assertEquals("", out.toString());
        assertEquals(childrenBefore, children(), "a failed run started a process");
    }

    /** With -v the plan comes first; two unreachable hosts, tried in parallel, get one line each. */
    @Test
    void run_twoUnreachableHostsVerbose_planThenOneLineEach() throws IOException {
        env.put("SLURM_JOB_NODELIST", "node[07-08]");
        int port = SshTestServer.closedPort();
        Path config = Files.write(dir.resolve("ssh_config"), List.of("Host node*", "  HostName 127.0.0.1",
                "  Port " + port));
        assertEquals(1, execute("-v", "--ssh-config", config.toString(), "--broker-hostname", "127.0.0.1",
                sumJar.toString()), diagnostics());
        String e = err.toString();
        assertTrue(e.startsWith("scoop plan\n  hosts:     Slurm allocation (SLURM_JOB_NODELIST=node[07-08])\n"),
                diagnostics());
        assertTrue(e.contains("\nscoop: host node07 (127.0.0.1:" + port + "): connection refused;"), diagnostics());
        assertTrue(e.contains("\nscoop: host node08 (127.0.0.1:" + port + "): connection refused;"), diagnostics());
        assertTrue(e.contains("\nscoop: 2 hosts could not be reached; nothing was started"), diagnostics());
    }

    private static Set<Long> children() {
        return ProcessHandle.current().children().map(ProcessHandle::pid).collect(Collectors.toSet());
    }
}
