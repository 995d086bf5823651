/**
 * The Scoop launcher: {@code java -jar scoop-launcher.jar [--hostfile F | --hosts H...] -n N app.jar [args]}
 * runs a program on a Scoop cluster that lives exactly as long as the program does.
 *
 * <pre>
 *  ScoopLauncher        parses and validates the command line (picocli); finds the hosts; builds the plan
 *    |
 *    |  hosts, from the first of:
 *    |    Hostfile        --hostfile FILE: 'host N', 'host slots=N', 'host:N', 'host', ranges, IPv6
 *    |    Hostfile        --hosts a a b (fromWords)
 *    |    SchedulerHosts  the batch job: Slurm (SlurmNodeList expands its lists), PBS/Torque, SGE
 *    |    HostList        this machine, one slot per processor
 *    |  each a Host (name, slots, whether given, whether this machine), in a HostList with the default -n
 *    |
 *  WorkerSpread         -n over the hosts: fill each up to its slots, then one more per host, round robin
 *    |
 *  LaunchPlan           what will run where: host -&gt; worker count, the broker endpoint, the root command;
 *    |                  printed by --verbose and --dry-run. A plan that gives workers to a remote host
 *    |                  is refused here, before anything starts (no SSH yet).
 *  Launch               carries the plan out, in this order, and undoes it in reverse:
 *    1. Broker          in this JVM, bound to loopback (every host that gets workers is local)
 *    2. Spawner         one per host of the plan (one for all the local hosts), starts its worker JVMs
 *         LocalSpawner  forks them on this machine (io.scoop.internal.LocalWorkers); an SshSpawner will
 *                       start them on other hosts
 *    3. root JVM        the user's main class, with SCOOP_BROKER set, so that new DistributedExecutor()
 *                       connects to the broker above and starts nothing itself
 *    4. wait            for the root; its exit code is the launcher's
 *    5. tear down       root (if still alive), workers, broker; also from a shutdown hook on Ctrl-C
 * </pre>
 *
 * <p>Only {@link io.scoop.launcher.ScoopLauncher} is public; the rest is the launcher's own business.
 */
package io.scoop.launcher;
