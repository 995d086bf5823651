/**
 * The Scoop launcher: {@code java -jar scoop-launcher.jar -n N app.jar [args]} runs a program on a Scoop
 * cluster that lives exactly as long as the program does.
 *
 * <pre>
 *  ScoopLauncher        parses and validates the command line (picocli); builds the plan
 *    |
 *  LaunchPlan           what will run where: host -&gt; worker count, the broker endpoint, the root command;
 *    |                  printed by --verbose and --dry-run
 *  Launch               carries the plan out, in this order, and undoes it in reverse:
 *    1. Broker          in this JVM, bound to loopback (every host is local)
 *    2. Spawner         one per host of the plan, starts that host's worker JVMs
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
