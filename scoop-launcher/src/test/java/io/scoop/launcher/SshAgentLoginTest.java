package io.scoop.launcher;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Logging in through a real OpenSSH {@code ssh-agent} (started per test on a temp socket, keys made with
 * {@code ssh-keygen} and loaded with {@code ssh-add}) to the embedded SSH server, with no key file in the
 * launcher's home: ed25519 and RSA (rsa-sha2-256/512) keys sign through the agent; an agent holding the wrong key
 * leaves the login to the key files; an absent or silent agent falls back to the files at once or within the
 * listing bound; every failure message names the agent.
 */
class SshAgentLoginTest {
    private static final String ALIAS = "agenthost";

    @TempDir
    static Path serverDir;

    private static SshTestServer server;

    @TempDir
    Path dir;

    /** Short, so that the socket path stays under the 108 bytes a Unix socket address allows. */
    private Path agentDir;
    private Path socket;
    private Process agent;
    private final StringWriter log = new StringWriter();

    @BeforeAll
    static void startServer() throws IOException, GeneralSecurityException {
        // OpenSSH's client tools are not part of a JDK and Maven: .ci/run installs them, a newcomer may not.
        List<String> missing = Stream.of("ssh-agent", "ssh-add", "ssh-keygen").filter(t -> !onPath(t)).toList();
        Assumptions.assumeTrue(missing.isEmpty(), () -> "OpenSSH client tools missing: " + missing
                + " (install openssh-client to run these tests)");
        server = SshTestServer.start(serverDir);
    }

    @AfterAll
    static void stopServer() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    private static boolean onPath(String tool) {
        return Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(java.io.File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, tool)));
    }

    @BeforeEach
    void startAgent() throws IOException, InterruptedException {
        agentDir = Files.createTempDirectory(Path.of("/tmp"), "scoop-agent");
        socket = agentDir.resolve("sock");
        agent = new ProcessBuilder("ssh-agent", "-D", "-a", socket.toString())
                .redirectErrorStream(true).redirectOutput(agentDir.resolve("agent.log").toFile()).start();
        // The socket file exists from bind(); wait until the agent listens (a connection is accepted).
        await("ssh-agent listens on its socket at " + socket).atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20)).until(() -> listening(socket) || !agent.isAlive());
        assertTrue(agent.isAlive(), "ssh-agent exited: " + Files.readString(agentDir.resolve("agent.log")));
    }

    private static boolean listening(Path socket) {
        try (java.nio.channels.SocketChannel c = java.nio.channels.SocketChannel.open(
                java.net.StandardProtocolFamily.UNIX)) {
            return c.connect(java.net.UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            return false;
        }
    }

    @AfterEach
    void stopAgent() throws IOException, InterruptedException {
        agent.destroy();
        agent.waitFor(10, TimeUnit.SECONDS);
        try (var files = Files.list(agentDir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(agentDir);
    }

    /** A new key pair in OpenSSH format (mode 0600), {@code name} and {@code name.pub}. */
    private Path keygen(String type, String name) throws IOException, InterruptedException {
        Path key = dir.resolve(name);
        List<String> cmd = new ArrayList<>(List.of("ssh-keygen", "-q", "-t", type, "-N", "", "-C", name, "-f",
                key.toString()));
        if (type.equals("rsa")) {
            cmd.addAll(List.of("-b", "2048"));
        }
        run(cmd);
        return key;
    }

    private void sshAdd(Path key) throws IOException, InterruptedException {
        run(List.of("ssh-add", key.toString()));
    }

    private void run(List<String> cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put(SshAgent.SOCKET_ENV, socket.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), cmd + " did not finish");
        assertEquals(0, p.exitValue(), cmd + ": " + out);
    }

    /** The alias {@value #ALIAS} leads to the server; no IdentityFile unless given. */
    private Path config(String... identityFiles) throws IOException {
        List<String> lines = new ArrayList<>(List.of("Host " + ALIAS, "    HostName 127.0.0.1",
                "    Port " + server.port(), "    User " + SshTestServer.USER));
        for (String f : identityFiles) {
            lines.add("    IdentityFile " + f);
        }
        return Files.write(dir.resolve("ssh_config"), lines);
    }

    /** A spawner whose home is an empty directory (no ~/.ssh keys), asking the agent at {@code agentSocket}. */
    private SshSpawner spawner(Path config, Path agentSocket) throws IOException {
        Path home = Files.createDirectories(dir.resolve("home"));
        SshOptions options = new SshOptions(config, server.knownHosts(dir), false, 5000, "java", dir.toString(),
                false, false, agentSocket);
        WorkerSpec spec = new WorkerSpec("tcp://127.0.0.1:1", "x.jar", List.of(), 1, 1000, 5000,
                new PrintStream(PrintStream.nullOutputStream()), new PrintStream(PrintStream.nullOutputStream()), null);
        SshSpawner.Context ctx = new SshSpawner.Context(options, SshConfig.read(config), "tcp://127.0.0.1:1", home,
                new LauncherLog(new PrintWriter(log, true), 1, null));
        return (SshSpawner) Spawner.forHost(Host.bare(ALIAS, false), spec, (s, w, why) -> { }, ctx);
    }

    private static void connectAndClose(SshSpawner s) throws IOException {
        try {
            s.connect();
        } finally {
            s.close(0);
        }
    }

    /* ---------------- the agent client ---------------- */

    /** identities() lists what ssh-add loaded, with its comment. */
    @Test
    void identities_listsTheAddedKeys() throws IOException, InterruptedException {
        sshAdd(keygen("ed25519", "listed"));
        try (SshAgent a = SshAgent.connect(socket, 2000)) {
            List<SshAgent.Identity> ids = a.identities(2000);
            assertEquals(1, ids.size());
            assertEquals("listed", ids.get(0).comment());
        }
    }

    /** sign() with a key the agent does not hold is refused with an IOException, not a hang. */
    @Test
    void sign_unknownKey_refused() throws IOException, InterruptedException {
        try (SshAgent a = SshAgent.connect(socket, 2000)) {
            IOException e = assertThrows(IOException.class, () -> a.sign(new byte[] {0, 0, 0, 1, 'x'}, new byte[3],
                    0, 2000));
            assertEquals("the ssh-agent refused to sign (answer 5)", e.getMessage());
        }
    }

    /* ---------------- login ---------------- */

    /** An ed25519 key in the agent, none on disk: login through the agent. */
    @Test
    void connect_agentEd25519Key_logsInWithoutKeyFiles() throws Exception {
        Path key = keygen("ed25519", "agent_ed25519");
        server.authorize(Path.of(key + ".pub"));
        sshAdd(key);
        Files.delete(key);
        connectAndClose(spawner(config(), socket));
        assertTrue(log.toString().contains("scoop: " + ALIAS + ": the ssh-agent at " + socket + " (1 key)"),
                log.toString());
    }

    /**
     * An RSA key in the agent, with a server that verifies only {@code rsa-sha2-256} or only {@code rsa-sha2-512}:
     * the agent is asked for that hash (SSH_AGENT_RSA_SHA2_*), and the login works.
     */
    @ParameterizedTest
    @ValueSource(strings = {"rsa-sha2-256", "rsa-sha2-512"})
    void connect_agentRsaKey_signsWithTheNegotiatedHash(String algorithm) throws Exception {
        Path other = Files.createDirectories(dir.resolve("rsa-server"));
        try (SshTestServer rsaServer = SshTestServer.start(other)) {
            rsaServer.allowUserSignatures(algorithm);
            Path key = keygen("rsa", "agent_rsa");
            rsaServer.authorize(Path.of(key + ".pub"));
            sshAdd(key);
            Files.delete(key);
            Path home = Files.createDirectories(dir.resolve("home"));
            Path config = Files.write(dir.resolve("rsa_config"), List.of("Host " + ALIAS, "    HostName 127.0.0.1",
                    "    Port " + rsaServer.port(), "    User " + SshTestServer.USER));
            SshOptions options = new SshOptions(config, rsaServer.knownHosts(dir), false, 5000, "java",
                    dir.toString(), false, false, socket);
            WorkerSpec spec = new WorkerSpec("tcp://127.0.0.1:1", "x.jar", List.of(), 1, 1000, 5000,
                    new PrintStream(PrintStream.nullOutputStream()), new PrintStream(PrintStream.nullOutputStream()),
                    null);
            SshSpawner.Context ctx = new SshSpawner.Context(options, SshConfig.read(config), "tcp://127.0.0.1:1",
                    home, new LauncherLog(new PrintWriter(log, true), 1, null));
            connectAndClose((SshSpawner) Spawner.forHost(Host.bare(ALIAS, false), spec, (s, w, why) -> { }, ctx));
        }
    }

    /** The agent holds a key the server refuses, IdentityFile the right one: login through the file. */
    @Test
    void connect_agentWrongKeyAndRightFile_logsInWithTheFile() throws Exception {
        sshAdd(keygen("ed25519", "agent_wrong"));
        connectAndClose(spawner(config(server.userKey().toString()), socket));
    }

    /** The agent holds only a refused key and there is no key file: the message names the agent and the files. */
    @Test
    void connect_agentWrongKeyNoFiles_messageNamesAgentAndFiles() throws Exception {
        sshAdd(keygen("ed25519", "agent_wrong"));
        SshSpawner s = spawner(config(), socket);
        SshSpawner.SshHostException e = assertThrows(SshSpawner.SshHostException.class, s::connect);
        s.close(0);
        Path ssh = dir.resolve("home/.ssh");
        assertEquals("host " + ALIAS + " (127.0.0.1:" + server.port() + "): authentication failed for user "
                + SshTestServer.USER + ": tried the ssh-agent at " + socket + " (1 key) and key files "
                + ssh.resolve("id_ed25519") + ", " + ssh.resolve("id_ecdsa") + ", " + ssh.resolve("id_rsa")
                + " (unusable: " + ssh.resolve("id_ed25519") + " (absent), " + ssh.resolve("id_ecdsa") + " (absent), "
                + ssh.resolve("id_rsa") + " (absent)); add your public key to " + ALIAS + "'s ~/.ssh/authorized_keys"
                + " (or to the agent: ssh-add), or name the right key with IdentityFile (and the user with User) for "
                + ALIAS + " in " + dir.resolve("ssh_config") + " (encrypted key files are not supported: add them to"
                + " the ssh-agent)", e.getMessage());
    }

    /** SSH_AUTH_SOCK names a path where nothing listens: the key file logs in, at once. */
    @Test
    void connect_agentSocketMissing_fallsBackToTheFile() throws Exception {
        Path nowhere = agentDir.resolve("nothing");
        long t0 = System.nanoTime();
        connectAndClose(spawner(config(server.userKey().toString()), nowhere));
        assertTrue(System.nanoTime() - t0 < 4_000_000_000L, "took longer than 4 s");
        assertTrue(log.toString().contains("scoop: " + ALIAS + ": the ssh-agent at " + nowhere + " (unusable: "),
                log.toString());
    }

    /** No agent, no key file: "no usable key", naming the agent's failure and the files looked for. */
    @Test
    void connect_agentSocketMissingNoFiles_noUsableKey() throws Exception {
        Path nowhere = agentDir.resolve("nothing");
        SshSpawner s = spawner(config(), nowhere);
        SshSpawner.SshHostException e = assertThrows(SshSpawner.SshHostException.class, s::connect);
        s.close(0);
        assertTrue(e.getMessage().startsWith("host " + ALIAS + " (127.0.0.1:" + server.port() + "): no usable key for"
                + " user " + SshTestServer.USER + ": the ssh-agent at " + nowhere + " (unusable: "), e.getMessage());
        assertTrue(e.getMessage().contains("), and no key file among " + dir.resolve("home/.ssh/id_ed25519")),
                e.getMessage());
    }

    /** An agent that accepts the connection and never answers: the key file logs in after the listing bound. */
    @Test
    void connect_silentAgent_fallsBackWithinTheBound() throws Exception {
        Path silent = agentDir.resolve("silent");
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(silent));
            List<SocketChannel> accepted = new ArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(listener.accept());
                    }
                } catch (IOException e) {
                    // closed at the end of the test
                }
            }, "silent-agent");
            acceptor.setDaemon(true);
            acceptor.start();
            long t0 = System.nanoTime();
            connectAndClose(spawner(config(server.userKey().toString()), silent));
            long took = System.nanoTime() - t0;
            assertTrue(took < SshSpawner.AGENT_LIST_TIMEOUT_MILLIS * 1_000_000L + 2_500_000_000L,
                    "took " + took / 1_000_000 + " ms");
            assertTrue(log.toString().contains("(unusable: the ssh-agent did not answer in time"), log.toString());
        }
    }

    /** --no-ssh-agent (no socket): the message says no agent was asked. */
    @Test
    void connect_noAgent_messageSaysSo() throws Exception {
        SshSpawner s = spawner(config(server.otherKey().toString()), null);
        SshSpawner.SshHostException e = assertThrows(SshSpawner.SshHostException.class, s::connect);
        s.close(0);
        assertTrue(e.getMessage().contains(": tried no ssh-agent (SSH_AUTH_SOCK is not set, or --no-ssh-agent) and key"
                + " files " + server.otherKey()), e.getMessage());
    }
}
