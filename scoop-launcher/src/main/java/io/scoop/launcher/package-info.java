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
 *  LaunchPlan           what will run where: host -&gt; worker count, the broker endpoint (loopback when
 *    |                  every host is local, else an address the remote hosts dial: --broker-hostname or
 *    |                  this machine's first routable one; loopback again with --tunnel), the root command;
 *    |                  printed by -v and --dry-run
 *  Launch               carries the plan out, in this order, and undoes it in reverse:
 *    1. Broker          in this JVM, with keys made for the run: CURVE with a remote host or --curve, else
 *                       a token (ZeroMQ PLAIN, loopback only); workers get them on stdin, the root in SCOOP_KEYS
 *    2. SshSpawner      for each remote host, all at once: log in (SshConfig: aliases, User, Port,
 *                       IdentityFile; known_hosts; the ssh-agent's keys first, through SshAgent and
 *                       AgentAuth, then the key files), with --tunnel forward a port on the host's loopback
 *                       to the broker, copy the jars (StagedJars: by content hash, once)
 *    3. Spawner         one per host of the plan (one for all the local hosts), starts its worker JVMs
 *         LocalSpawner  forks them on this machine (io.scoop.internal.LocalWorkers)
 *         SshSpawner    one exec channel per worker on another host; the channel is the worker's stdin
 *    4. root JVM        the user's main class, with SCOOP_BROKER set, so that new DistributedExecutor()
 *                       connects to the broker above and starts nothing itself
 *    5. wait            for the root; its exit code is the launcher's
 *    6. tear down       root (if still alive), workers, broker; also from a shutdown hook on Ctrl-C
 * </pre>
 *
 * <p>Only {@link io.scoop.launcher.ScoopLauncher} is public; the rest is the launcher's own business.
 */
package io.scoop.launcher;
