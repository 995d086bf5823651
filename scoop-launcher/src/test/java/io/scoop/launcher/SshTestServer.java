package io.scoop.launcher;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.file.nativefs.NativeFileSystemFactory;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.forward.AcceptAllForwardingFilter;
import org.apache.sshd.server.shell.ProcessShellFactory;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

/**
 * A real SSH server in the test JVM (Apache MINA SSHD) on 127.0.0.1 and an ephemeral port: a generated host
 * key, one authorized user key (its private key written to a temp dir), exec commands run for real through
 * {@code /bin/sh -c}, SFTP on the native file system, and TCP port forwarding (for {@code --tunnel}). With {@link #sshConfig} and {@link #knownHosts},
 * the alias {@code testhost} is a remote host for the launcher that leads here.
 */
final class SshTestServer implements AutoCloseable {
    /** The alias of this server in the ssh configuration the tests write. */
    static final String ALIAS = "testhost";
    /** The user the launcher logs in as. */
    static final String USER = "scoop-test";

    private final SshServer server;
    private final KeyPair hostKey;
    private final Path userKey;
    private final Path otherKey;
    private final List<PublicKey> accepted;

    private SshTestServer(SshServer server, KeyPair hostKey, Path userKey, Path otherKey, List<PublicKey> accepted) {
        this.server = server;
        this.accepted = accepted;
        this.hostKey = hostKey;
        this.userKey = userKey;
        this.otherKey = otherKey;
    }

    /** Starts a server whose keys live in {@code dir}. */
    static SshTestServer start(Path dir) throws IOException, GeneralSecurityException {
        KeyPair host = KeyUtils.generateKeyPair("ecdsa-sha2-nistp256", 256);
        KeyPair user = KeyUtils.generateKeyPair("ecdsa-sha2-nistp256", 256);
        KeyPair other = KeyUtils.generateKeyPair("ecdsa-sha2-nistp256", 256);
        Path userKey = writePrivateKey(user, dir.resolve("id_test"));
        Path otherKey = writePrivateKey(other, dir.resolve("id_other"));
        SshServer server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(KeyPairProvider.wrap(host));
        List<PublicKey> accepted = new CopyOnWriteArrayList<>(List.of(user.getPublic()));
        server.setPublickeyAuthenticator((username, key, session) -> USER.equals(username)
                && accepted.stream().anyMatch(k -> KeyUtils.compareKeys(key, k)));
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setCommandFactory((channel, command) ->
                new ProcessShellFactory(command, List.of("/bin/sh", "-c", command)).createShell(channel));
        server.setSubsystemFactories(List.of(new SftpSubsystemFactory()));
        server.setFileSystemFactory(NativeFileSystemFactory.INSTANCE);
        // --tunnel asks for a remote port forward (tcpip-forward); MINA refuses every forward unless told.
        server.setForwardingFilter(AcceptAllForwardingFilter.INSTANCE);
        server.start();
        return new SshTestServer(server, host, userKey, otherKey, accepted);
    }

    private static Path writePrivateKey(KeyPair pair, Path file) throws IOException, GeneralSecurityException {
        try (OutputStream out = Files.newOutputStream(file)) {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, "scoop test key", null, out);
        }
        return file;
    }

    int port() {
        return server.getPort();
    }

    /** The private key the server accepts. */
    Path userKey() {
        return userKey;
    }

    /** A private key the server does not accept. */
    Path otherKey() {
        return otherKey;
    }

    /** Accepts, from now on, the public key in {@code publicKeyFile} (an OpenSSH {@code .pub} line) too. */
    void authorize(Path publicKeyFile) throws IOException, GeneralSecurityException {
        accepted.add(PublicKeyEntry.parsePublicKeyEntry(Files.readString(publicKeyFile).strip())
                .resolvePublicKey(null, Map.of(), PublicKeyEntryResolver.IGNORING));
    }

    /**
     * Verifies user signatures with these algorithms only, e.g. {@code rsa-sha2-256}, for new sessions; the host
     * key's own algorithm stays allowed.
     */
    void allowUserSignatures(String... algorithms) {
        List<String> names = new ArrayList<>(List.of(algorithms));
        names.add(KeyUtils.getKeyType(hostKey));
        server.setSignatureFactories(server.getSignatureFactories().stream()
                .filter(f -> names.contains(f.getName())).toList());
    }

    /** A known_hosts file with this server's host key. */
    Path knownHosts(Path dir) throws IOException {
        return Files.writeString(dir.resolve("known_hosts"),
                "[127.0.0.1]:" + port() + " " + PublicKeyEntry.toString(hostKey.getPublic()) + "\n");
    }

    /**
     * An ssh configuration where {@value #ALIAS} leads to this server with the accepted key, followed by
     * {@code extraLines} (more Host blocks).
     */
    Path sshConfig(Path dir, String... extraLines) throws IOException {
        List<String> lines = new ArrayList<>(List.of(
                "Host " + ALIAS,
                "    HostName 127.0.0.1",
                "    Port " + port(),
                "    User " + USER,
                "    IdentityFile " + userKey));
        lines.addAll(List.of(extraLines));
        return Files.write(dir.resolve("ssh_config"), lines);
    }

    /** A TCP port on 127.0.0.1 where nothing listens (it was free a moment ago). */
    static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws IOException {
        server.stop(true);
    }
}
