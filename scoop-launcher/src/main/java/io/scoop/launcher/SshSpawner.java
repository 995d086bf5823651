package io.scoop.launcher;

import io.scoop.internal.LocalWorkers;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.connection.ConnectionException;
import net.schmizz.sshj.connection.channel.forwarded.RemotePortForwarder;
import net.schmizz.sshj.connection.channel.forwarded.SocketForwardingConnectListener;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.connection.channel.direct.Signal;
import net.schmizz.sshj.sftp.SFTPClient;
import net.schmizz.sshj.transport.verification.OpenSSHKnownHosts;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import net.schmizz.sshj.userauth.method.AuthMethod;
import net.schmizz.sshj.userauth.method.AuthPublickey;

/**
 * Starts worker JVMs on another host over SSH (sshj) and owns their lifetime.
 *
 * <p>{@link #connect()} logs in with the user's keys (the ssh-agent's, then the key files), checking the host's
 * key against known_hosts;
 * with {@code --tunnel}, it also has the host forward a port on its loopback through this connection to the
 * broker; {@link #stage} copies the jars a worker needs to the host's cache (unless they are on a shared file system);
 * {@link #start} runs each worker in its own exec channel. A worker's stdin is its channel, which we hold open
 * and never write to: the worker ({@code --watch-stdin}) exits when the channel closes, whether we close it,
 * the launcher dies, or the connection breaks. Its output is forwarded line by line with a
 * {@code [host/w1] } prefix.
 */
final class SshSpawner implements Spawner {
    /*
     * Implementation notes.
     *
     * One exec channel per worker, rather than one channel running a remote script that starts N workers:
     * each worker then has its own stdin (its lifeline), its own stdout/stderr to prefix, and its own exit
     * status to report, with no remote helper to install, and the remote shell needs nothing beyond running
     * one command. The price is the server's limit on channels per connection (OpenSSH MaxSessions, 10 by
     * default): a connection carries at most CHANNELS_PER_CONNECTION workers, and more open further
     * connections to the same host.
     *
     * The command is "exec java ... WorkerMain ...", every word quoted for a POSIX shell where needed
     * (LaunchPlan.join), so that the shell the server starts is replaced by the JVM and the channel's end
     * reaches the JVM itself.
     *
     * connect() runs on a helper thread and is waited on for at most the --ssh-timeout, so that neither a
     * name lookup nor a silent host can hold the launcher longer. Every failure becomes one SshHostException
     * line: host, address, what went wrong, what to do.
     *
     * Login, in OpenSSH's order: first every key of the ssh-agent at $SSH_AUTH_SOCK (SshAgent; AgentAuth signs
     * through it), then the key files (IdentityFile, else ~/.ssh/id_ed25519, id_ecdsa, id_rsa). The agent is
     * asked for its keys within AGENT_LIST_TIMEOUT_MILLIS; an agent that is absent, refuses or stays silent is
     * noted for the failure message and the files are tried alone. Its connection lasts for the login only.
     *
     * --tunnel: one remote port forward ("tcpip-forward", RFC 4254 7.1) on the first connection, bound to the
     * host's 127.0.0.1 with a port the server picks. Every worker on the host, whichever connection started it,
     * dials that port; sshd opens a "forwarded-tcpip" channel per TCP connection back to us, and sshj connects
     * it to the broker's local address. Those channels are not sessions, so they do not count against
     * MaxSessions. The forward ends with the connection, as do the workers (their stdin is a channel of it).
     */

    /** Workers per SSH connection: one below OpenSSH's default MaxSessions of 10. */
    static final int CHANNELS_PER_CONNECTION = 9;

    /** The keys tried when the ssh configuration names none, as OpenSSH does. */
    static final List<String> DEFAULT_KEYS = List.of("id_ed25519", "id_ecdsa", "id_rsa");

    private static final Object KNOWN_HOSTS_LOCK = new Object();

    private final Host host;
    private final SshConfig.Target target;
    private final Path home;
    private final WorkerSpec spec;
    private final String brokerAddress;
    private final SshOptions options;
    /** What the workers dial: {@link #brokerAddress}, or with --tunnel the forwarded port, once connected. */
    private volatile String dial;
    private final Listener listener;
    private final LauncherLog log;
    private final List<SSHClient> clients = new CopyOnWriteArrayList<>();
    private final List<RemoteWorker> workers = new CopyOnWriteArrayList<>();
    private final AtomicInteger alive = new AtomicInteger();
    private volatile boolean closing;
    private String classpath;
    /** Where the prolog is on the host (its staged copy), once staged; null without --prolog. */
    private String prologPath;
    /** Each worker's command line as -vv shows it (without the --env values). */
    private final java.util.Map<String, String> commandLines = new java.util.concurrent.ConcurrentHashMap<>();
    private int seq;

    /**
     * What every SSH spawner of one run shares.
     *
     * @param options       the SSH options of the command line
     * @param config        the parsed ssh configuration
     * @param brokerAddress the broker's endpoint as remote hosts dial it; with {@code --tunnel}, its local endpoint
     *                      here, to which each host's forwarded port leads
     * @param home          the local home directory: {@code ~} in IdentityFile, and {@code ~/.ssh} for the default
     *                      keys
     * @param log           where the launcher's own messages go
     */
    record Context(SshOptions options, SshConfig config, String brokerAddress, Path home, LauncherLog log) {
    }

    private record RemoteWorker(String name, Session session, Session.Command command) {
    }

    /**
     * @param host          the host as the plan names it
     * @param target        where to connect for it (ssh config applied)
     * @param home          the local home directory, whose .ssh holds the default keys
     * @param spec          how workers start; its classpath is the local one, replaced by the staged jars
     * @param brokerAddress the broker's endpoint as the host reaches it, e.g. {@code tcp://10.0.0.5:40123}; with
     *                      {@code --tunnel}, the broker's endpoint here, e.g. {@code tcp://127.0.0.1:40123}
     * @param options       the SSH options of the command line
     * @param listener      hears about workers that exit by themselves
     * @param log           where the launcher's own messages go
     */
    SshSpawner(Host host, SshConfig.Target target, Path home, WorkerSpec spec, String brokerAddress,
            SshOptions options, Listener listener, LauncherLog log) {
        this.host = host;
        this.target = target;
        this.home = home;
        this.spec = spec;
        this.brokerAddress = brokerAddress;
        this.options = options;
        this.listener = listener;
        this.log = log;
    }

    @Override
    public String host() {
        return host.name();
    }

    /* ---------------- connecting ---------------- */

    /**
     * Opens the first connection to the host: TCP, host key check, public key login, within the timeout; then,
     * with {@code --tunnel}, the port forward that workers will dial.
     *
     * @throws SshHostException if any of these fails; its message is one line naming the host and the fix
     */
    void connect() throws SshHostException {
        SSHClient first = open();
        clients.add(first);
        dial = options.tunnel() ? forward(first) : brokerAddress;
    }

    /**
     * Has the host listen on a port of its loopback and forward each connection to it through {@code client}
     * to the broker; returns the endpoint workers there dial, {@code tcp://127.0.0.1:PORT}.
     */
    private String forward(SSHClient client) throws SshHostException {
        int colon = brokerAddress.lastIndexOf(':');
        String brokerHost = brokerAddress.substring("tcp://".length(), colon);
        int brokerPort = Integer.parseInt(brokerAddress.substring(colon + 1));
        RemotePortForwarder.Forward bound;
        try {
            bound = client.getRemotePortForwarder().bind(new RemotePortForwarder.Forward(LaunchPlan.TUNNEL_DIAL_HOST, 0),
                    new SocketForwardingConnectListener(new InetSocketAddress(brokerHost, brokerPort)));
        } catch (ConnectionException e) {
            disconnect(client);
            throw new SshHostException(host.name(), target, "refused port forwarding for --tunnel (" + e.getMessage()
                    + "): set AllowTcpForwarding yes (or remote) in its sshd_config, or run without --tunnel and pass"
                    + " --broker-hostname with an address of this machine that " + host.name() + " can reach");
        } catch (IOException e) {
            disconnect(client);
            throw new SshHostException(host.name(), target, "could not set up the --tunnel port forward: " + e
                    + "; run without --tunnel and pass --broker-hostname with an address of this machine that "
                    + host.name() + " can reach");
        }
        String endpoint = "tcp://" + LaunchPlan.TUNNEL_DIAL_HOST + ":" + bound.getPort();
        log(host.name() + ": --tunnel: workers there dial " + endpoint + ", forwarded through SSH to the broker at "
                + brokerAddress);
        return endpoint;
    }

    private SSHClient open() throws SshHostException {
        if (closing) {
            throw new SshHostException(host.name(), target, "the launcher is stopping");
        }
        SSHClient client = new SSHClient(new DefaultConfig());
        FutureTask<Void> login = new FutureTask<>(() -> {
            login(client);
            return null;
        });
        Thread t = new Thread(login, "scoop-ssh-connect-" + host.name());
        t.setDaemon(true);
        t.start();
        try {
            login.get(options.timeoutMillis(), TimeUnit.MILLISECONDS);
            log.debug(host.name() + ": SSH connection " + (clients.size() + 1) + " open to " + target.user() + "@"
                    + target.address());
            return client;
        } catch (TimeoutException e) {
            disconnect(client);
            throw new SshHostException(host.name(), target, "no SSH login within " + seconds(options.timeoutMillis())
                    + " (--ssh-timeout); check that the host is up and reachable from here, or allow more time");
        } catch (InterruptedException e) {
            disconnect(client);
            Thread.currentThread().interrupt();
            throw new SshHostException(host.name(), target, "interrupted while connecting");
        } catch (ExecutionException e) {
            disconnect(client);
            Throwable c = e.getCause();
            if (c instanceof SshHostException she) {
                throw she;
            }
            throw new SshHostException(host.name(), target, explain(c));
        }
    }

    private void login(SSHClient client) throws IOException {
        if (options.knownHosts().equals(SshOptions.DEFAULT_KNOWN_HOSTS) && Files.isReadable(SYSTEM_KNOWN_HOSTS)) {
            // Clusters keep their nodes' keys in the system-wide file, as OpenSSH reads it: asked first, and
            // never written. A key it knows is accepted; an unknown one goes on to the user's file below.
            client.addHostKeyVerifier(new SystemKnownHosts(SYSTEM_KNOWN_HOSTS.toFile()));
        }
        KnownHosts verifier = new KnownHosts(options.knownHosts().toFile(), options.acceptNewHostKeys());
        client.addHostKeyVerifier(verifier);
        int timeout = (int) Math.min(Integer.MAX_VALUE, options.timeoutMillis());
        client.setConnectTimeout(timeout);
        client.getTransport().setTimeoutMs(timeout);
        try {
            client.connect(target.hostName(), target.port());
        } catch (IOException e) {
            if (verifier.refusal != null) {
                throw new SshHostException(host.name(), target, verifier.refusal);
            }
            throw e;
        }
        if (verifier.accepted != null) {
            log(verifier.accepted);
        }
        List<Path> keys = target.identityFiles().isEmpty() ? defaultKeys(home) : target.identityFiles();
        List<KeyProvider> providers = new ArrayList<>();
        List<String> unusable = new ArrayList<>();
        for (Path k : keys) {
            if (!Files.isReadable(k)) {
                unusable.add(k + " (absent)");
                continue;
            }
            try {
                providers.add(client.loadKeys(k.toString()));
            } catch (IOException e) {
                unusable.add(k + " (" + e.getMessage() + ")");
            }
        }
        String tried = keys.isEmpty() ? "(none)" : String.join(", ", keys.stream().map(Path::toString).toList());
        SshAgent agent = null;
        List<AuthMethod> methods = new ArrayList<>();
        String agentNote;
        if (options.agent() == null) {
            agentNote = "no ssh-agent (" + SshAgent.SOCKET_ENV + " is not set, or --no-ssh-agent)";
        } else {
            long listTimeout = Math.min(AGENT_LIST_TIMEOUT_MILLIS, options.timeoutMillis() / 2);
            try {
                agent = SshAgent.connect(options.agent(), listTimeout);
                List<SshAgent.Identity> ids = agent.identities(listTimeout);
                for (SshAgent.Identity id : ids) {
                    KeyType type = KeyType.fromString(new Buffer.PlainBuffer(id.blob()).readString());
                    if (type == KeyType.UNKNOWN) {
                        continue; // a key type sshj cannot sign for (sk-*, ...): left to OpenSSH
                    }
                    methods.add(new AgentAuth(agent, id, type, options.timeoutMillis()));
                }
                agentNote = "the ssh-agent at " + options.agent() + " (" + ids.size() + (ids.size() == 1 ? " key"
                        : " keys") + (methods.size() < ids.size() ? ", " + (ids.size() - methods.size())
                        + " of a type we cannot use" : "") + ")";
                log(host.name() + ": " + agentNote);
            } catch (IOException e) {
                agentNote = "the ssh-agent at " + options.agent() + " (unusable: " + e.getMessage() + ")";
                log(host.name() + ": " + agentNote + "; trying the key files");
                closeQuietly(agent);
                agent = null;
                methods.clear();
            }
        }
        try {
            if (methods.isEmpty() && providers.isEmpty()) {
                throw new SshHostException(host.name(), target, "no usable key for user " + target.user() + ": "
                        + agentNote + ", and no key file among " + tried + "; create one (ssh-keygen -t ed25519),"
                        + " add its public key to " + host.name() + "'s ~/.ssh/authorized_keys, or name it with"
                        + " IdentityFile in " + target.source());
            }
            for (KeyProvider p : providers) {
                methods.add(new AuthPublickey(p));
            }
            try {
                client.auth(target.user(), methods);
            } catch (UserAuthException e) {
                throw new SshHostException(host.name(), target, "authentication failed for user " + target.user()
                        + ": tried " + agentNote + " and key files " + tried + (unusable.isEmpty() ? ""
                        : " (unusable: " + String.join(", ", unusable) + ")") + "; add your public key to "
                        + host.name() + "'s ~/.ssh/authorized_keys (or to the agent: ssh-add), or name the right key"
                        + " with IdentityFile (and the user with User) for " + host.name() + " in " + target.source()
                        + " (encrypted key files are not supported: add them to the ssh-agent)");
            }
        } finally {
            closeQuietly(agent);
        }
    }

    /** The bound on reaching the ssh-agent and listing its keys; past it, the key files are tried alone. */
    static final long AGENT_LIST_TIMEOUT_MILLIS = 2000;

    private static void closeQuietly(SshAgent agent) {
        if (agent != null) {
            try {
                agent.close();
            } catch (IOException e) {
                // nothing more to do with it
            }
        }
    }

    private static List<Path> defaultKeys(Path home) {
        Path dir = home.resolve(".ssh");
        return DEFAULT_KEYS.stream().map(dir::resolve).toList();
    }

    /** The reason of a failed connection, as a user reads it, with what to do. */
    private String explain(Throwable c) {
        for (Throwable t = c; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return "connection refused; check that sshd runs there and listens on port " + target.port()
                        + " (Port in " + target.source() + ")";
            }
            if (t instanceof UnknownHostException) {
                return "unknown host name '" + target.hostName() + "'; check the name, or give its address with"
                        + " HostName in " + target.source();
            }
            if (t instanceof NoRouteToHostException) {
                return "no route to host; check the address and the network between here and there";
            }
            if (t instanceof SocketTimeoutException) {
                return "no answer within " + seconds(options.timeoutMillis()) + " (--ssh-timeout); check that the host"
                        + " is up and reachable from here";
            }
        }
        return "SSH failed: " + c + "; try 'ssh -p " + target.port() + " " + target.user() + "@" + target.hostName()
                + "' to see why";
    }

    private static String seconds(long millis) {
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }

    /* ---------------- staging ---------------- */

    /**
     * Makes the worker classpath available on the host: copies the jars to the remote cache, or, with
     * {@code --path}, uses the local paths as they are.
     *
     * @param jars the local jars, hashed; not read with {@code --path}
     * @throws IOException if the cache cannot be written
     */
    void stage(JarSupplier jars) throws IOException {
        Path prolog = spec.setup().prolog();
        if (options.sharedPaths()) {
            classpath = spec.classpath();
            prologPath = prolog == null ? null : prolog.toString();
            log(host.name() + ": no copy (--path): workers use the jars" + (prolog == null ? "" : " and the prolog")
                    + " at the same paths as here");
            return;
        }
        try (SFTPClient sftp = clients.get(0).newSFTPClient()) {
            String cache = options.remoteCache();
            if (cache.equals("~") || cache.startsWith("~/")) {
                cache = sftp.canonicalize(".") + cache.substring(1);
            }
            List<String> remote = StagedJars.upload(host.name(), sftp, jars.get(), cache, this::log);
            classpath = String.join(":", remote);
            if (prolog != null) {
                StagedJars.LocalJar script = StagedJars.script(prolog);
                prologPath = StagedJars.copy(host.name(), sftp, script, cache, this::log);
            }
        }
    }

    /** The local jars, hashed once per run and shared by every host. */
    interface JarSupplier {
        List<StagedJars.LocalJar> get() throws IOException;
    }

    /* ---------------- workers ---------------- */

    @Override
    public synchronized List<String> start(int count) throws IOException {
        if (classpath == null) {
            throw new IllegalStateException("stage() must come before start() on " + host.name());
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String name = host.name() + "/w" + (++seq);
            int index = workers.size();
            if (index / CHANNELS_PER_CONNECTION >= clients.size()) {
                clients.add(open());
            }
            SSHClient client = clients.get(index / CHANNELS_PER_CONNECTION);
            LocalWorkers.Spec remote = new LocalWorkers.Spec(dial, classpath, spec.jvmOptions(),
                    spec.threadsPerWorker(), spec.heartbeatMillis(), spec.expiryMillis(), "w", spec.out(), spec.err(),
                    spec.keys());
            WorkerSetup setup = spec.setup();
            List<String> wrapped = setup.wrap(LocalWorkers.command(options.java(), remote, name), prologPath,
                    host.name());
            List<String> words = new ArrayList<>(setup.envWords());
            words.addAll(wrapped);
            String line = "exec " + LaunchPlan.join(words);
            commandLines.put(name, "exec " + (setup.env().isEmpty() ? "" : "env " + String.join(" ",
                    setup.env().keySet().stream().map(k -> k + "=...").toList()) + " ") + LaunchPlan.join(wrapped));
            Session session = client.startSession();
            Session.Command cmd;
            try {
                cmd = session.exec(line);
            } catch (IOException e) {
                session.close();
                throw e;
            }
            if (spec.keys() != null) {
                // The run's CURVE keys travel inside the encrypted SSH channel, on the worker's stdin: never on a
                // command line (visible in ps) or in a file.
                try {
                    spec.keys().writeMemberLine(cmd.getOutputStream());
                } catch (IOException e) {
                    // A command that ended at once (its prolog failed, its JVM could not start) closed the channel
                    // before the keys went: it is watched below like any worker that exits, with its exit status
                    // and last words, as LocalWorkers does locally. Only a live one that refuses them is an error.
                    if (!endsSoon(cmd)) {
                        session.close();
                        throw new IOException("could not hand the run's keys to worker " + name + " through its SSH"
                                + " channel: " + e.getMessage(), e);
                    }
                }
            }
            RemoteWorker w = new RemoteWorker(name, session, cmd);
            workers.add(w);
            alive.incrementAndGet();
            String prefix = "[" + name + "] ";
            Deque<String> tail = new ArrayDeque<>();
            LocalWorkers.pump(cmd.getInputStream(), spec.out(), prefix, null, name);
            Thread errPump = LocalWorkers.pump(cmd.getErrorStream(), spec.err(), prefix, tail, name);
            Thread watch = new Thread(() -> watch(w, errPump, tail), "scoop-ssh-watch-" + name);
            watch.setDaemon(true);
            watch.start();
            names.add(name);
        }
        return names;
    }

    /** Whether a remote command has ended, or does within a second. */
    private static boolean endsSoon(Session.Command cmd) {
        try {
            cmd.join(1, TimeUnit.SECONDS);
        } catch (IOException e) {
            // still running after a second, or the connection failed: either way it did not just end
        }
        return cmd.getExitStatus() != null || cmd.getExitSignal() != null;
    }

    private void watch(RemoteWorker w, Thread errPump, Deque<String> tail) {
        try {
            w.command().join();
        } catch (IOException e) {
            // the connection broke: the worker is gone with it
        }
        alive.decrementAndGet();
        if (closing) {
            return;
        }
        try {
            errPump.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Integer status = w.command().getExitStatus();
        Signal signal = w.command().getExitSignal();
        String last;
        synchronized (tail) {
            last = String.join(" | ", tail);
        }
        if (spec.setup().prolog() != null && WorkerSetup.prologFailed(status, last)) {
            listener.prologFailed(this, w.name(), "the prolog " + spec.setup().prolog() + " failed on " + host.name()
                    + ", so worker " + w.name() + " did not start: it exited with code " + status
                    + (last.isEmpty() ? "" : "; its last words: " + last));
            return;
        }
        String how = status != null ? "exited with code " + status
                : signal != null ? "was ended by signal " + signal : "was lost (the SSH channel closed without an exit"
                        + " status)";
        listener.exited(this, w.name(), "worker " + w.name() + " on " + host.name() + " " + how
                + (last.isEmpty() ? "" : "; its last words: " + last));
    }

    @Override
    public int alive() {
        return alive.get();
    }

    /**
     * Ends every worker: sends end-of-file on each channel (the worker exits), waits up to {@code graceMillis}
     * for the channels to close, then closes them and the connections, which ends what is left.
     */
    @Override
    public void close(long graceMillis) {
        closing = true;
        for (RemoteWorker w : workers) {
            try {
                w.command().getOutputStream().close();
            } catch (IOException e) {
                // already closed
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
        for (RemoteWorker w : workers) {
            long left = deadline - System.nanoTime();
            try {
                if (left > 0) {
                    w.command().join(left, TimeUnit.NANOSECONDS);
                }
            } catch (IOException e) {
                // not closed in time, or the connection broke: closed below
            }
            try {
                w.session().close();
            } catch (IOException e) {
                // the connection is gone, and the worker's channel with it
            }
        }
        for (SSHClient c : clients) {
            disconnect(c);
        }
    }

    private static void disconnect(SSHClient c) {
        try {
            c.disconnect();
        } catch (IOException e) {
            // nothing left to end
        }
    }

    private void log(String message) {
        log.info(message);
    }

    @Override
    public String commandLine(String worker) {
        return commandLines.get(worker);
    }

    /** The host, its address and its live workers, e.g. {@code node07 (10.0.0.7:22): node07/w1, node07/w2}. */
    @Override
    public String toString() {
        List<String> live = workers.stream().filter(w -> w.command().isOpen()).map(RemoteWorker::name).toList();
        return host.name() + " (" + target.user() + "@" + target.address() + ", over SSH): "
                + (live.isEmpty() ? "no live worker" : String.join(", ", live));
    }

    /* ---------------- host keys ---------------- */

    /**
     * known_hosts as OpenSSH keeps it, with the launcher's policy: an unknown key is refused unless
     * {@code --accept-new-host-keys} (then recorded), a changed key always.
     */
    private final class KnownHosts extends OpenSSHKnownHosts {
        private final boolean acceptNew;
        volatile String refusal;
        volatile String accepted;

        KnownHosts(java.io.File file, boolean acceptNew) throws IOException {
            super(file);
            this.acceptNew = acceptNew;
        }

        @Override
        protected boolean hostKeyUnverifiableAction(String hostname, PublicKey key) {
            String fp = fingerprint(key);
            if (!acceptNew) {
                refusal = "host key " + fp + " is not in " + getFile() + " (unknown host " + hostname + "); check the"
                        + " fingerprint with the host's administrator, then add it (ssh-keyscan -p " + target.port()
                        + " " + target.hostName() + " >> " + getFile() + ", or log in once with ssh), or pass"
                        + " --accept-new-host-keys to trust and record new keys";
                return false;
            }
            try {
                synchronized (KNOWN_HOSTS_LOCK) {
                    Path parent = getFile().toPath().toAbsolutePath().getParent();
                    if (parent != null) {
                        Files.createDirectories(parent);
                    }
                    write(new HostEntry(null, hostname, KeyType.fromKey(key), key));
                }
            } catch (IOException e) {
                refusal = "host key " + fp + " is new and could not be recorded in " + getFile() + " (" + e.getMessage()
                        + "); make the file writable or add the key yourself (ssh-keyscan)";
                return false;
            }
            accepted = host.name() + ": trusted the new host key " + fp + " of " + hostname + " and recorded it in "
                    + getFile() + " (--accept-new-host-keys)";
            return true;
        }

        @Override
        protected boolean hostKeyChangedAction(String hostname, PublicKey key) {
            refusal = "host key CHANGED: " + hostname + " now shows " + fingerprint(key) + ", which differs from the"
                    + " key recorded in " + getFile() + "; someone may be intercepting the connection, or the host was"
                    + " reinstalled. Refused (also with --accept-new-host-keys). If the change is expected, remove the"
                    + " old key (ssh-keygen -R '" + hostname + "' -f " + getFile() + ") and connect again";
            return false;
        }
    }

    /** The system-wide known hosts file, which OpenSSH reads after the user's. */
    static final Path SYSTEM_KNOWN_HOSTS = Path.of("/etc/ssh/ssh_known_hosts");

    /** The system-wide known_hosts: read only; what it does not know is left to the user's file. */
    private static final class SystemKnownHosts extends OpenSSHKnownHosts {
        SystemKnownHosts(java.io.File file) throws IOException {
            super(file);
        }

        @Override
        protected boolean hostKeyUnverifiableAction(String hostname, PublicKey key) {
            return false;
        }

        @Override
        protected boolean hostKeyChangedAction(String hostname, PublicKey key) {
            return false;
        }
    }

    /** A key's fingerprint as OpenSSH prints it, e.g. {@code ssh-ed25519 SHA256:abc...}. */
    static String fingerprint(PublicKey key) {
        byte[] blob = new Buffer.PlainBuffer().putPublicKey(key).getCompactData();
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(blob);
            return KeyType.fromKey(key) + " SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** A failure to reach or log in to one host, in one line: {@code host node07 (10.0.0.7:22): reason}. */
    static final class SshHostException extends IOException {
        private static final long serialVersionUID = 1L;

        private final String host;

        SshHostException(String host, SshConfig.Target target, String reason) {
            super("host " + host + " (" + target.address() + "): " + reason);
            this.host = host;
        }

        /** The host as the plan names it. */
        String host() {
            return host;
        }
    }
}
