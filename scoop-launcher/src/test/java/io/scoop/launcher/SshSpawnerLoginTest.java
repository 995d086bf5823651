package io.scoop.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Logging in to a real SSH server in this JVM with {@link SshSpawner#connect()}: the accepted key, a refused
 * key, an unknown host key (refused, or trusted and recorded with --accept-new-host-keys), a changed host key
 * and a port where nothing listens. Each failure is one line naming the host, the reason and the fix.
 */
class SshSpawnerLoginTest {
    @TempDir
    static Path serverDir;

    private static SshTestServer server;

    @TempDir
    Path dir;

    private final StringWriter log = new StringWriter();

    @BeforeAll
    static void startServer() throws IOException, GeneralSecurityException {
        server = SshTestServer.start(serverDir);
    }

    @AfterAll
    static void stopServer() throws IOException {
        server.close();
    }

    private SshSpawner spawner(String alias, Path config, Path knownHosts, boolean acceptNew) throws IOException {
        SshOptions options = new SshOptions(config, knownHosts, acceptNew, 5000, "java", dir.toString(), false, false,
                null);
        WorkerSpec spec = new WorkerSpec("tcp://127.0.0.1:1", "x.jar", List.of(), 1, 1000, 5000,
                new PrintStream(PrintStream.nullOutputStream()), new PrintStream(PrintStream.nullOutputStream()), null);
        SshSpawner.Context ctx = new SshSpawner.Context(options, SshConfig.read(config), "tcp://127.0.0.1:1",
                dir, new LauncherLog(new PrintWriter(log, true), 1, null));
        return (SshSpawner) Spawner.forHost(Host.bare(alias, false), spec, (s, w, why) -> { }, ctx);
    }

    /** The authorized key and a known host key log in. */
    @Test
    void connect_authorizedKeyAndKnownHost_logsIn() throws IOException {
        SshSpawner s = spawner("testhost", server.sshConfig(dir), server.knownHosts(dir), false);
        try {
            s.connect();
        } finally {
            s.close(0);
        }
    }

    /** A key the server does not accept: one line naming user, key and the fix. */
    @Test
    void connect_refusedKey_namesUserKeyAndFix() throws IOException {
        Path config = server.sshConfig(dir, "Host wrongkey", "    HostName 127.0.0.1", "    Port " + server.port(),
                "    User " + SshTestServer.USER, "    IdentityFile " + server.otherKey());
        SshSpawner s = spawner("wrongkey", config, server.knownHosts(dir), false);
        SshSpawner.SshHostException e = assertThrows(SshSpawner.SshHostException.class, s::connect);
        s.close(0);
        assertEquals("host wrongkey (127.0.0.1:" + server.port() + "): authentication failed for user "
                + SshTestServer.USER + ": tried no ssh-agent (SSH_AUTH_SOCK is not set, or --no-ssh-agent) and key"
                + " files " + server.otherKey() + "; add your public key to wrongkey's ~/.ssh/authorized_keys (or to"
                + " the agent: ssh-add), or name the right key with IdentityFile (and the user with User) for"
                + " wrongkey in " + config + " (encrypted key files are not supported: add them to the ssh-agent)",
                e.getMessage());
    }

    /** A host key missing from known_hosts is refused, and the message names --accept-new-host-keys. */
    @Test
    void connect_unknownHostKey_refusedNamingTheOption() throws IOException {
        Path empty = Files.writeString(dir.resolve("empty_known_hosts"), "");
        SshSpawner s = spawner("testhost", server.sshConfig(dir), empty, false);
        SshSpawner.SshHostException e = assertThrows(SshSpawner.SshHostException.class, s::connect);
        s.close(0);
        String m = e.getMessage();
        assertTrue(m.startsWith("host testhost (127.0.0.1:" + server.port() + "): host key ecdsa-sha2-nistp256 SHA256:"), m);
        assertTrue(m.contains(" is not in " + empty + " (unknown host [127.0.0.1]:" + server.port() + ")"), m);
        assertTrue(m.endsWith("or pass --accept-new-host-keys to trust and record new keys"), m);
    }

    /** With --accept-new-host-keys an unknown key is trusted and recorded, so the next login needs no option. */
    @Test
    void connect_acceptNewHostKeys_recordsTheKey() throws IOException {
        Path known = dir.resolve("sub/known_hosts");
        SshSpawner first = spawner("testhost", server.sshConfig(dir), known, true);
        first.connect();
        first.close(0);
        assertTrue(Files.readString(known).startsWith("[127.0.0.1]:" + server.port() + " ecdsa-sha2-nistp256 "),
                Files.readString(known));
        assertTrue(log.toString().contains("scoop: testhost: trusted the new host key ecdsa-sha2-nistp256 SHA256:"), log.toString());
        SshSpawner second = spawner("testhost", server.sshConfig(dir), known, false);
        second.connect();
        second.close(0);
    }

    /** A host key that differs from the recorded one is refused, also with --accept-new-host-keys. */
    @Test
    void connect_changedHostKey_refusedEvenWithAcceptNew() throws IOException, GeneralSecurityException {
        Path other = Files.createDirectories(dir.resolve("other"));
        try (SshTestServer impostor = SshTestServer.start(other)) {
            // known_hosts holds the real server's key, under the impostor's port.
            String line = Files.readString(server.knownHosts(dir)).replace(":" + server.port() + " ",
                    ":" + impostor.port() + " ");
            Path known = Files.writeString(dir.resolve("known_hosts"), line);
            SshSpawner s = spawner("testhost", impostor.sshConfig(other), known, true);
            SshSpawner.SshHostException e = assertThrows(SshSpawner.SshHostException.class, s::connect);
            s.close(0);
            assertTrue(e.getMessage().contains("): host key CHANGED: [127.0.0.1]:" + impostor.port() + " now shows"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("Refused (also with --accept-new-host-keys)"), e.getMessage());
        }
    }

    /** A port where nothing listens: "connection refused", naming host and address, at once. */
    @Test
    void connect_nothingListening_connectionRefused() throws IOException {
        int port = SshTestServer.closedPort();
        Path config = server.sshConfig(dir, "Host deadhost", "    HostName 127.0.0.1", "    Port " + port);
        SshSpawner s = spawner("deadhost", config, server.knownHosts(dir), false);
        long t0 = System.nanoTime();
        SshSpawner.SshHostException e = assertThrows(SshSpawner.SshHostException.class, s::connect);
        s.close(0);
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "took longer than the timeout");
        assertEquals("host deadhost (127.0.0.1:" + port + "): connection refused; check that sshd runs there and"
                + " listens on port " + port + " (Port in " + config + ")", e.getMessage());
    }
}
