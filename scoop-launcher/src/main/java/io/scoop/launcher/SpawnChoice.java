package io.scoop.launcher;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How this run's workers start ({@code --spawn}, or the default for where the hosts came from), and the hosts as
 * that method sees them.
 *
 * <p>Defaults: inside a Slurm job whose hosts are the allocation's, {@code srun}; inside an SGE parallel job,
 * {@code qrsh}; in a PBS/Torque job, {@code ssh} (see {@link SpawnMethod#problem()}); otherwise {@code local}
 * when every host is this machine, else {@code ssh}. A scheduler's method is the default only in a real job (its
 * job id is set) and when its command is on PATH; otherwise the default is what it was before, and the plan says
 * why.
 *
 * <p>Through a scheduler, a host is this node only by name (the node name the scheduler gives this process,
 * e.g. {@code SLURMD_NODENAME}), never by its address: several nodes of a test cluster, or nodes behind one
 * address, are still the allocation's nodes, each reached through the scheduler.
 *
 * @param method     the method
 * @param from       why, for the plan, e.g. {@code default: Slurm job 42} or {@code --spawn ssh}
 * @param executable the scheduler's command as found on PATH, for srun and qrsh; else null
 * @param hosts      the hosts, with {@link Host#isLocal()} as the method sees it
 */
record SpawnChoice(SpawnMethod method, String from, String executable, HostList hosts) {

    /** A scheduler whose job this process runs in, as its variables say. */
    private record Job(SpawnMethod method, String name, String id, String thisNode) {
    }

    /**
     * Chooses.
     *
     * @param asked        {@code --spawn}, or null for the default
     * @param hostsFromJob whether the hosts came from the batch job's allocation (no --hostfile or --hosts)
     * @param hosts        the hosts, with isLocal from their addresses
     * @param env          the environment (scheduler variables, PATH)
     * @throws IllegalArgumentException a usage error: the method cannot work here; the message says why and what
     *                                  to do
     */
    static SpawnChoice choose(SpawnMethod asked, boolean hostsFromJob, HostList hosts, Map<String, String> env) {
        Job job = job(env);
        if (asked == null) {
            if (hostsFromJob && job != null && job.method() != SpawnMethod.pbsdsh) {
                String exe = onPath(job.method().executable(), env);
                if (exe != null) {
                    return throughScheduler(job, exe, "default: " + job.name() + " job " + job.id(), hosts);
                }
                return byAddress(hosts, "default: " + job.method().executable() + " is not on PATH, so workers on"
                        + " other hosts start over SSH");
            }
            if (hostsFromJob && job != null) {
                return byAddress(hosts, "default in a PBS/Torque job: pbsdsh cannot hand a worker its keys");
            }
            return byAddress(hosts, "default");
        }
        String flag = "--spawn " + asked;
        switch (asked) {
            case local -> {
                List<Host> all = hosts.hosts().stream()
                        .map(h -> new Host(h.name(), h.slots(), h.explicitSlots(), true)).toList();
                return new SpawnChoice(asked, flag, null, relabel(hosts, all));
            }
            case ssh -> {
                return new SpawnChoice(asked, flag, null, hosts);
            }
            case pbsdsh -> throw new IllegalArgumentException(asked.problem());
            default -> {
                // srun, qrsh
            }
        }
        String command = asked.executable();
        if (job == null || job.method() != asked) {
            throw new IllegalArgumentException(flag + " starts workers inside a " + asked.scheduler() + " job, but"
                    + " this is " + (job == null ? "not a batch job (" + jobVariables(asked) + " not set)"
                    : "a " + job.name() + " job") + ". Run the launcher inside the job (" + submitHint(asked)
                    + "), or pass --spawn ssh or --spawn local");
        }
        if (!hostsFromJob) {
            throw new IllegalArgumentException(flag + " starts workers on the hosts of the " + job.name() + " job,"
                    + " while --hostfile or --hosts names hosts of its own. Leave those out to use the job's hosts,"
                    + " or pass --spawn ssh to reach the named hosts over SSH");
        }
        String exe = onPath(command, env);
        if (exe == null) {
            throw new IllegalArgumentException(flag + ": " + command + " is not on PATH (" + env.getOrDefault("PATH",
                    "") + "). Add the directory of " + asked.scheduler() + "'s commands to PATH (module load, say),"
                    + " or pass --spawn ssh");
        }
        return throughScheduler(job, exe, flag + " (" + job.name() + " job " + job.id() + ")", hosts);
    }

    private static SpawnChoice byAddress(HostList hosts, String why) {
        boolean allLocal = hosts.hosts().stream().allMatch(Host::isLocal);
        return new SpawnChoice(allLocal ? SpawnMethod.local : SpawnMethod.ssh, why, null, hosts);
    }

    /** Through the scheduler: this node is the one whose name the scheduler gave us, whatever the addresses. */
    private static SpawnChoice throughScheduler(Job job, String exe, String why, HostList hosts) {
        List<Host> marked = hosts.hosts().stream()
                .map(h -> new Host(h.name(), h.slots(), h.explicitSlots(), sameNode(h.name(), job.thisNode())))
                .toList();
        return new SpawnChoice(job.method(), why, exe, relabel(hosts, marked));
    }

    private static HostList relabel(HostList hosts, List<Host> changed) {
        return new HostList(hosts.source(), changed, hosts.defaultWorkers(), hosts.defaultWorkersFrom());
    }

    /** Whether {@code host} names {@code node}: the same name, or the same first label (node2 = node2.cluster). */
    static boolean sameNode(String host, String node) {
        if (node == null || node.isBlank()) {
            return false;
        }
        String a = host.toLowerCase(Locale.ROOT);
        String b = node.strip().toLowerCase(Locale.ROOT);
        if (a.equals(b)) {
            return true;
        }
        boolean literal = a.matches("[0-9.]+") || a.contains(":") || b.matches("[0-9.]+") || b.contains(":");
        return !literal && a.split("\\.", 2)[0].equals(b.split("\\.", 2)[0]);
    }

    /** The batch job this process runs in, from the same variables as {@link SchedulerHosts}, or null. */
    private static Job job(Map<String, String> env) {
        boolean slurmHosts = isSet(env, "SLURM_JOB_NODELIST") || isSet(env, "SLURM_NODELIST");
        String slurmId = isSet(env, "SLURM_JOB_ID") ? env.get("SLURM_JOB_ID") : env.get("SLURM_JOBID");
        if (slurmHosts) {
            return isSet(slurmId) ? new Job(SpawnMethod.srun, "Slurm", slurmId.strip(),
                    env.get("SLURMD_NODENAME")) : null;
        }
        if (isSet(env, "PBS_NODEFILE")) {
            return isSet(env, "PBS_JOBID") ? new Job(SpawnMethod.pbsdsh, "PBS/Torque", env.get("PBS_JOBID").strip(),
                    null) : null;
        }
        if (isSet(env, "PE_HOSTFILE")) {
            // SGE sets HOSTNAME in the job's environment to the execution host, as its host files name it.
            return isSet(env, "JOB_ID") ? new Job(SpawnMethod.qrsh, "SGE", env.get("JOB_ID").strip(),
                    env.get("HOSTNAME")) : null;
        }
        return null;
    }

    private static String jobVariables(SpawnMethod m) {
        return switch (m) {
            case srun -> "SLURM_JOB_ID and SLURM_JOB_NODELIST are";
            case qrsh -> "JOB_ID and PE_HOSTFILE are";
            default -> "PBS_JOBID and PBS_NODEFILE are";
        };
    }

    private static String submitHint(SpawnMethod m) {
        return switch (m) {
            case srun -> "sbatch hostfiles/slurm.sh, or salloc";
            case qrsh -> "qsub -pe PE N hostfiles/sge.sh, with a parallel environment whose control_slaves is TRUE";
            default -> "qsub";
        };
    }

    private static boolean isSet(Map<String, String> env, String var) {
        return isSet(env.get(var));
    }

    private static boolean isSet(String v) {
        return v != null && !v.isBlank();
    }

    /** The executable {@code command} on the {@code PATH} of {@code env}, or null. */
    static String onPath(String command, Map<String, String> env) {
        String path = env.get("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, command);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }
}
