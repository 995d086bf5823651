package io.scoop.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The hosts of the batch job the launcher runs in, read from the scheduler's environment, and the number of
 * workers the job asked for:
 *
 * <pre>
 * scheduler    hosts from                                         default -n from
 * Slurm        SLURM_JOB_NODELIST (node[01-04]), with             SLURM_NTASKS
 *              SLURM_TASKS_PER_NODE (2(x4)) as slots
 * PBS/Torque   PBS_NODEFILE: one host per line, a line per slot   PBS_NP
 * SGE          PE_HOSTFILE: lines 'host slots queue processors'   NSLOTS
 * </pre>
 *
 * <p>When the count variable is missing (Slurm sets {@code SLURM_NTASKS} only for jobs that ask for a number
 * of tasks), the default is the hosts' total slots.
 */
final class SchedulerHosts {
    /*
     * Implementation notes.
     *
     * The environment and the file system are injected (a Map and a LineReader), so that tests describe a job
     * with real files in a temporary folder and a map, without setting variables of the test JVM.
     *
     * Schedulers are tried in a fixed order, Slurm, then PBS/Torque, then SGE: a job runs under one of them,
     * and the order only matters on a machine that leaks variables of several. Slurm's lists are expanded
     * here (SlurmNodeList), without scontrol, so the launcher needs nothing installed.
     *
     * A variable with a bad count (SLURM_NTASKS=abc) does not fail the run: -n may well be given. The default
     * falls back to the hosts' total slots and says why in the plan.
     */

    /** Reads a file's lines; {@code Files::readAllLines} outside tests. */
    @FunctionalInterface
    interface LineReader {
        List<String> read(Path file) throws IOException;
    }

    private final Map<String, String> env;
    private final LineReader files;
    private final Predicate<String> isLocal;

    /**
     * @param env     the environment, as {@link System#getenv()} gives it
     * @param files   reads the node files the environment points to
     * @param isLocal says which host names are this machine
     */
    SchedulerHosts(Map<String, String> env, LineReader files, Predicate<String> isLocal) {
        this.env = Map.copyOf(env);
        this.files = files;
        this.isLocal = isLocal;
    }

    /** Reads the environment of this process, with files read as UTF-8. */
    SchedulerHosts(Map<String, String> env, Predicate<String> isLocal) {
        this(env, f -> Files.readAllLines(f, StandardCharsets.UTF_8), isLocal);
    }

    /**
     * The job's hosts, if this process runs in a Slurm, PBS/Torque or SGE job.
     *
     * @return the hosts, their source (e.g. {@code PBS/Torque allocation (PBS_NODEFILE=/var/spool/pbs/aux/42)})
     *         and the default worker count; empty outside a batch job
     * @throws HostfileException if the scheduler's variables or files cannot be read as such; the message
     *                           names the variable or file:line and what was expected
     */
    Optional<HostList> find() throws HostfileException {
        String slurmVar = isSet("SLURM_JOB_NODELIST") ? "SLURM_JOB_NODELIST" : "SLURM_NODELIST";
        if (isSet(slurmVar)) {
            return Optional.of(slurm(slurmVar));
        }
        if (isSet("PBS_NODEFILE")) {
            return Optional.of(pbs());
        }
        if (isSet("PE_HOSTFILE")) {
            return Optional.of(sge());
        }
        return Optional.empty();
    }

    /* ---------------- Slurm ---------------- */

    private HostList slurm(String listVar) throws HostfileException {
        String list = env.get(listVar).strip();
        List<String> names;
        try {
            names = new ArrayList<>();
            for (String n : SlurmNodeList.expand(list)) {
                names.add(Host.checkName(n));
            }
        } catch (IllegalArgumentException e) {
            throw new HostfileException(listVar + "=" + list + ": " + e.getMessage());
        }
        String countVar = isSet("SLURM_TASKS_PER_NODE") ? "SLURM_TASKS_PER_NODE"
                : isSet("SLURM_JOB_CPUS_PER_NODE") ? "SLURM_JOB_CPUS_PER_NODE" : null;
        List<Hostfile.Listed> listed = new ArrayList<>();
        if (countVar == null) {
            names.forEach(n -> listed.add(new Hostfile.Listed(n, null)));
        } else {
            String counts = env.get(countVar).strip();
            List<Integer> perNode;
            try {
                perNode = SlurmNodeList.expandCounts(counts);
            } catch (IllegalArgumentException e) {
                throw new HostfileException(countVar + "=" + counts + ": " + e.getMessage());
            }
            if (perNode.size() != names.size()) {
                throw new HostfileException(countVar + "=" + counts + " gives counts for " + perNode.size()
                        + (perNode.size() == 1 ? " node" : " nodes") + ", but " + listVar + "=" + list + " names "
                        + names.size() + ": they must describe the same allocation (run the launcher inside the job,"
                        + " or pass --hostfile)");
            }
            for (int i = 0; i < names.size(); i++) {
                listed.add(new Hostfile.Listed(names.get(i), perNode.get(i)));
            }
        }
        List<Host> hosts = Hostfile.merge(listVar, listed, isLocal);
        return withCount("Slurm allocation (" + listVar + "=" + list + ")", hosts, "SLURM_NTASKS");
    }

    /* ---------------- PBS/Torque ---------------- */

    private HostList pbs() throws HostfileException {
        String path = env.get("PBS_NODEFILE").strip();
        List<String> lines = read("PBS_NODEFILE", path);
        List<Hostfile.Listed> listed = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] words = line.split("\\s+");
            if (words.length != 1) {
                throw HostfileException.atLine(path, i + 1, line, "a PBS node file (PBS_NODEFILE) holds one host name"
                        + " per line, repeated once per slot, as in 'node1'");
            }
            try {
                listed.add(new Hostfile.Listed(Host.checkName(words[0]), 1));
            } catch (IllegalArgumentException e) {
                throw HostfileException.atLine(path, i + 1, line, e.getMessage());
            }
        }
        if (listed.isEmpty()) {
            throw new HostfileException("PBS_NODEFILE=" + path + ": the file holds no host; run the launcher inside"
                    + " the job, or pass --hostfile");
        }
        return withCount("PBS/Torque allocation (PBS_NODEFILE=" + path + ")", Hostfile.merge(path, listed, isLocal),
                "PBS_NP");
    }

    /* ---------------- SGE ---------------- */

    private HostList sge() throws HostfileException {
        String path = env.get("PE_HOSTFILE").strip();
        List<String> lines = read("PE_HOSTFILE", path);
        List<Hostfile.Listed> listed = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] words = line.split("\\s+");
            String rule = "an SGE host file (PE_HOSTFILE) line is 'host slots queue processors', as in"
                    + " 'node1 4 all.q@node1 UNDEFINED'";
            if (words.length < 2 || !words[1].matches("\\d+")) {
                throw HostfileException.atLine(path, i + 1, line, rule);
            }
            int slots;
            try {
                slots = Integer.parseInt(words[1]);
            } catch (NumberFormatException e) {
                slots = Integer.MAX_VALUE;
            }
            if (slots < 1 || slots > Host.MAX_SLOTS) {
                throw HostfileException.atLine(path, i + 1, line, "slots must be from 1 to " + Host.MAX_SLOTS + "; "
                        + rule);
            }
            try {
                listed.add(new Hostfile.Listed(Host.checkName(words[0]), slots));
            } catch (IllegalArgumentException e) {
                throw HostfileException.atLine(path, i + 1, line, e.getMessage());
            }
        }
        if (listed.isEmpty()) {
            throw new HostfileException("PE_HOSTFILE=" + path + ": the file holds no host; run the launcher inside"
                    + " the job, or pass --hostfile");
        }
        return withCount("SGE allocation (PE_HOSTFILE=" + path + ")", Hostfile.merge(path, listed, isLocal), "NSLOTS");
    }

    /* ---------------- helpers ---------------- */

    private boolean isSet(String var) {
        String v = env.get(var);
        return v != null && !v.isBlank();
    }

    private List<String> read(String var, String path) throws HostfileException {
        try {
            return files.read(Path.of(path));
        } catch (IOException | RuntimeException e) {
            throw new HostfileException(var + "=" + path + ": the file cannot be read (" + e.getClass().getSimpleName()
                    + "); run the launcher inside the job, or pass --hostfile");
        }
    }

    /** The hosts, with the default worker count from {@code countVar} when it holds a whole number >= 1. */
    private HostList withCount(String source, List<Host> hosts, String countVar) {
        String raw = env.get(countVar);
        if (raw == null || raw.isBlank()) {
            return HostList.withTotal(source, hosts);
        }
        String value = raw.strip();
        int n = value.matches("\\d{1,9}") ? Integer.parseInt(value) : 0;
        if (n < 1) {
            HostList total = HostList.withTotal(source, hosts);
            return new HostList(source, hosts, total.defaultWorkers(), total.defaultWorkersFrom() + " (" + countVar
                    + "='" + value + "' is not a whole number >= 1)");
        }
        return new HostList(source, hosts, n, countVar + "=" + value);
    }
}
