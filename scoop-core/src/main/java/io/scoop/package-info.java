/**
 * Scoop for Java: an {@link java.util.concurrent.ExecutorService} whose tasks run in other JVMs.
 * Start with {@link io.scoop.DistributedExecutor}.
 *
 * <h2>How one task travels</h2>
 * <pre>
 *  root JVM (the user's main)                 broker (ROUTER, one thread)         worker JVM
 *  DistributedExecutor.submit(task)
 *    RemoteFuture  (never leaves the root)
 *    KryoCodec.encode(task)   -- at submit: a task that cannot travel fails here, nothing is sent
 *    RootClient ──TASKS [id, priority, bytes]──▶ Broker: queue by (priority, seq)
 *                                                  dispatch to a worker with credit ──DISPATCH──▶ Worker
 *                                                                                     TaskRunner: decode,
 *                                                                                     call, encode
 *    RootClient ◀──RESULTS [id, status, bytes]── Broker: route back to the root ◀──RESULTS── (+1 credit)
 *    RemoteFuture.settle: decode, complete      (HEARTBEAT both ways; a lost worker's tasks are requeued)
 * </pre>
 *
 * <h2>Names of a task at each stage</h2>
 * <ul>
 *   <li>{@code RemoteFuture} ({@code io.scoop.root}): the task and its future in the root; the only thing
 *       that is ever completed.
 *   <li>{@code TaskItem} ({@code io.scoop.wire}): the encoded task on the wire, root to broker to worker.
 *   <li>{@code Job} ({@code io.scoop.worker}): the task held by a worker, queued, then running.
 *   <li>{@code ResultItem} ({@code io.scoop.wire}): the outcome on the wire, worker to broker to root.
 * </ul>
 *
 * <h2>Who may connect</h2>
 * Secure by default: only processes handed the run's key line ({@link io.scoop.RunKeys}; workers on their
 * stdin, a launched root in {@code SCOOP_KEYS}) may submit or receive a task. When every host is this
 * machine (the embedded default, or the launcher with local hosts only) the broker binds loopback only and
 * the key line is a token made for the run, which peers present once per connection as their ZeroMQ PLAIN
 * password: free per message, and unreadable to other non-root users on loopback. Otherwise (remote hosts,
 * or the launcher's {@code --curve}) the broker uses ZeroMQ CURVE with keys made for the run, and every TCP
 * connection is encrypted. {@code DistributedExecutor.builder().connect(address)} without keys, outside the
 * launcher, connects plain, to a broker of one's own that takes none.
 *
 * <p>Packages: {@code io.scoop} is the API; {@code root}, {@code broker}, {@code worker} are the three
 * roles; {@code wire} is what crosses sockets; {@code internal} holds sockets, links, processes. Only
 * {@code io.scoop} is API.
 */
package io.scoop;
