package io.scoop.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SchedulerHosts}: the hosts and default worker count of a Slurm, PBS/Torque or SGE job, from an
 * environment map and real node files in a temporary folder. "This machine" is {@code node01}.
 */
class SchedulerHostsTest {
    private static final Predicate<String> LOCAL = "node01"::equals;

    @TempDir
    Path dir;

    private static Optional<HostList> find(Map<String, String> env) throws HostfileException {
        return new SchedulerHosts(env, LOCAL).find();
    }

    private static String error(Map<String, String> env) {
        return assertThrows(HostfileException.class, () -> find(env)).getMessage();
    }

    private Path write(String name, String... lines) throws IOException {
        return Files.write(dir.resolve(name), List.of(lines));
    }

    /** Outside a batch job there are no scheduler hosts. */
    @Test
    void find_noSchedulerVariables_isEmpty() throws Exception {
        assertEquals(Optional.empty(), find(Map.of("HOME", "/root", "SLURM_JOB_NODELIST", " ")));
    }

    /* ---------------- Slurm ---------------- */

    /** Slurm: the node list expanded, SLURM_TASKS_PER_NODE as slots, SLURM_NTASKS as the default count. */
    @Test
    void slurm_nodeListAndTasksPerNode_giveHostsSlotsAndDefault() throws Exception {
        HostList hosts = find(Map.of("SLURM_JOB_NODELIST", "node[01-03],gpu7", "SLURM_TASKS_PER_NODE", "2(x3),1",
                "SLURM_NTASKS", "7")).orElseThrow();
        assertEquals("Slurm allocation (SLURM_JOB_NODELIST=node[01-03],gpu7)", hosts.source());
        assertEquals(List.of(new Host("node01", 2, true, true), new Host("node02", 2, true, false),
                new Host("node03", 2, true, false), new Host("gpu7", 1, true, false)), hosts.hosts());
        assertEquals(7, hosts.defaultWorkers());
        assertEquals("SLURM_NTASKS=7", hosts.defaultWorkersFrom());
    }

    /** Without SLURM_NTASKS (a job that asked for nodes, not tasks) the default is the total slots. */
    @Test
    void slurm_withoutNtasks_defaultsToTotalSlots() throws Exception {
        HostList hosts = find(Map.of("SLURM_JOB_NODELIST", "node[01-02]", "SLURM_TASKS_PER_NODE", "3(x2)"))
                .orElseThrow();
        assertEquals(6, hosts.defaultWorkers());
        assertEquals("the hosts' total slots", hosts.defaultWorkersFrom());
    }

    /** A SLURM_NTASKS that is not a count does not fail the run; the plan says why it was not used. */
    @Test
    void slurm_badNtasks_fallsBackToTotalAndSaysWhy() throws Exception {
        HostList hosts = find(Map.of("SLURM_JOB_NODELIST", "node02", "SLURM_TASKS_PER_NODE", "4", "SLURM_NTASKS",
                "many")).orElseThrow();
        assertEquals(4, hosts.defaultWorkers());
        assertEquals("the hosts' total slots (SLURM_NTASKS='many' is not a whole number >= 1)",
                hosts.defaultWorkersFrom());
    }

    /** Without SLURM_TASKS_PER_NODE, SLURM_JOB_CPUS_PER_NODE gives the slots; the older SLURM_NODELIST works. */
    @Test
    void slurm_cpusPerNodeAndOldNodelist_areUsed() throws Exception {
        HostList hosts = find(Map.of("SLURM_NODELIST", "n[1-2]", "SLURM_JOB_CPUS_PER_NODE", "8,4")).orElseThrow();
        assertEquals("Slurm allocation (SLURM_NODELIST=n[1-2])", hosts.source());
        assertEquals(List.of(new Host("n1", 8, true, false), new Host("n2", 4, true, false)), hosts.hosts());
    }

    /** Without any per-node count, nodes are bare: this machine's processors, 1 assumed for others. */
    @Test
    void slurm_withoutCounts_nodesAreBare() throws Exception {
        HostList hosts = find(Map.of("SLURM_JOB_NODELIST", "node[01-02]")).orElseThrow();
        assertEquals(List.of(Host.bare("node01", true), Host.bare("node02", false)), hosts.hosts());
    }

    /** Counts for a different number of nodes than the list names: both variables are named. */
    @Test
    void slurm_countsDoNotMatchNodes_namesBothVariables() {
        assertEquals("SLURM_TASKS_PER_NODE=2(x3) gives counts for 3 nodes, but SLURM_JOB_NODELIST=node[01-04] names"
                + " 4: they must describe the same allocation (run the launcher inside the job, or pass --hostfile)",
                error(Map.of("SLURM_JOB_NODELIST", "node[01-04]", "SLURM_TASKS_PER_NODE", "2(x3)")));
    }

    /** A malformed node list names the variable and the problem. */
    @Test
    void slurm_badNodeList_namesTheVariable() {
        assertEquals("SLURM_JOB_NODELIST=node[1-x]: '[1-x]' in 'node[1-x]' of 'node[1-x]' holds '1-x', which is not"
                + " a number or a range: write numbers and ranges separated by commas, as in 'node[01-04,7]'",
                error(Map.of("SLURM_JOB_NODELIST", "node[1-x]")));
    }

    /* ---------------- PBS/Torque ---------------- */

    /** PBS: one host per line of PBS_NODEFILE, repeats as slots, first-seen order; PBS_NP as the default. */
    @Test
    void pbs_nodefileRepeats_areSlots() throws Exception {
        Path nodes = write("aux-42", "node02.cluster", "node02.cluster", "node01", "node02.cluster", "node01");
        HostList hosts = find(Map.of("PBS_NODEFILE", nodes.toString(), "PBS_NP", "5")).orElseThrow();
        assertEquals("PBS/Torque allocation (PBS_NODEFILE=" + nodes + ")", hosts.source());
        assertEquals(List.of(new Host("node02.cluster", 3, true, false), new Host("node01", 2, true, true)),
                hosts.hosts());
        assertEquals(5, hosts.defaultWorkers());
        assertEquals("PBS_NP=5", hosts.defaultWorkersFrom());
    }

    /** A host named once in a node file has 1 slot, given (not assumed): the file has a line per slot. */
    @Test
    void pbs_singleLine_isOneExplicitSlot() throws Exception {
        Path nodes = write("aux-1", "node07");
        assertEquals(List.of(new Host("node07", 1, true, false)),
                find(Map.of("PBS_NODEFILE", nodes.toString())).orElseThrow().hosts());
    }

    /** A node file line with more than a host names file:line and the format. */
    @Test
    void pbs_lineWithTwoWords_namesFileAndLine() throws IOException {
        Path nodes = write("aux-2", "node01", "node02 4");
        assertEquals(nodes + ":2: 'node02 4': a PBS node file (PBS_NODEFILE) holds one host name per line, repeated"
                + " once per slot, as in 'node1'", error(Map.of("PBS_NODEFILE", nodes.toString())));
    }

    /** A node file that does not exist names the variable and the way out. */
    @Test
    void pbs_missingNodefile_namesTheVariable() {
        Path missing = dir.resolve("gone");
        assertEquals("PBS_NODEFILE=" + missing + ": the file cannot be read (NoSuchFileException); run the launcher"
                + " inside the job, or pass --hostfile", error(Map.of("PBS_NODEFILE", missing.toString())));
    }

    /** The node files are read through the injected reader, at the path the variable gives. */
    @Test
    void pbs_nodefile_isReadThroughTheInjectedReader() throws Exception {
        List<Path> read = new ArrayList<>();
        SchedulerHosts.LineReader recording = f -> {
            read.add(f);
            return List.of("node09", "node09");
        };
        HostList hosts = new SchedulerHosts(Map.of("PBS_NODEFILE", "/var/spool/pbs/aux/7"), recording, LOCAL).find()
                .orElseThrow();
        assertEquals(List.of(Path.of("/var/spool/pbs/aux/7")), read);
        assertEquals(List.of(new Host("node09", 2, true, false)), hosts.hosts());
    }

    /* ---------------- SGE ---------------- */

    /** SGE: 'host slots queue processors' lines of PE_HOSTFILE; NSLOTS as the default. */
    @Test
    void sge_peHostfile_givesHostsAndSlots() throws Exception {
        Path pe = write("pe_hostfile", "node01 4 all.q@node01 UNDEFINED", "node02.cluster 2 all.q@node02 UNDEFINED",
                "node01 1 long.q@node01 UNDEFINED");
        HostList hosts = find(Map.of("PE_HOSTFILE", pe.toString(), "NSLOTS", "7")).orElseThrow();
        assertEquals("SGE allocation (PE_HOSTFILE=" + pe + ")", hosts.source());
        assertEquals(List.of(new Host("node01", 5, true, true), new Host("node02.cluster", 2, true, false)),
                hosts.hosts());
        assertEquals(7, hosts.defaultWorkers());
        assertEquals("NSLOTS=7", hosts.defaultWorkersFrom());
    }

    /** A PE_HOSTFILE line without a slot count names file:line and the format. */
    @Test
    void sge_lineWithoutSlots_namesFileLineAndFormat() throws IOException {
        Path pe = write("pe_hostfile", "node01 all.q@node01 UNDEFINED");
        assertEquals(pe + ":1: 'node01 all.q@node01 UNDEFINED': an SGE host file (PE_HOSTFILE) line is 'host slots"
                + " queue processors', as in 'node1 4 all.q@node1 UNDEFINED'", error(Map.of("PE_HOSTFILE",
                        pe.toString())));
    }

    /** An empty PE_HOSTFILE says so. */
    @Test
    void sge_emptyFile_saysItHoldsNoHost() throws IOException {
        Path pe = write("pe_hostfile");
        assertEquals("PE_HOSTFILE=" + pe + ": the file holds no host; run the launcher inside the job, or pass"
                + " --hostfile", error(Map.of("PE_HOSTFILE", pe.toString())));
    }

    /* ---------------- several schedulers ---------------- */

    /** With variables of several schedulers, Slurm comes first, then PBS/Torque, then SGE. */
    @Test
    void find_severalSchedulers_slurmThenPbsThenSge() throws Exception {
        Path nodes = write("aux", "pbsnode");
        Path pe = write("pe", "sgenode 1 q UNDEFINED");
        assertTrue(find(Map.of("SLURM_JOB_NODELIST", "s1", "PBS_NODEFILE", nodes.toString(), "PE_HOSTFILE",
                pe.toString())).orElseThrow().source().startsWith("Slurm"));
        assertTrue(find(Map.of("PBS_NODEFILE", nodes.toString(), "PE_HOSTFILE", pe.toString())).orElseThrow()
                .source().startsWith("PBS/Torque"));
        assertTrue(find(Map.of("PE_HOSTFILE", pe.toString())).orElseThrow().source().startsWith("SGE"));
    }
}
