package io.scoop.launcher;

import java.nio.file.Path;

/**
 * How the launcher reaches remote hosts over SSH, from the command line.
 *
 * @param config            the ssh client configuration ({@code --ssh-config}, default {@code ~/.ssh/config})
 * @param knownHosts        the known hosts file ({@code --known-hosts}, default {@code ~/.ssh/known_hosts})
 * @param acceptNewHostKeys whether a host whose key is not in {@code knownHosts} is trusted and its key recorded
 *                          ({@code --accept-new-host-keys}); a changed key is refused all the same
 * @param timeoutMillis     the bound on connecting and authenticating to one host ({@code --ssh-timeout})
 * @param java              the java executable on the remote hosts ({@code --java})
 * @param remoteCache       where staged jars live on each host ({@code --remote-cache}); {@code ~/} is the
 *                          remote home directory
 * @param sharedPaths       whether the jars are already at the same paths on every host ({@code --path}): no copy
 * @param tunnel            whether workers reach the broker through the SSH connection ({@code --tunnel}): a port
 *                          on the host's loopback, forwarded to the broker's local address here
 * @param agent             the socket of the ssh-agent whose keys are tried first ({@code $SSH_AUTH_SOCK}), or
 *                          null for none (unset, or {@code --no-ssh-agent})
 */
record SshOptions(Path config, Path knownHosts, boolean acceptNewHostKeys, long timeoutMillis, String java,
        String remoteCache, boolean sharedPaths, boolean tunnel, Path agent) {
    /** The standard known hosts file. */
    static final Path DEFAULT_KNOWN_HOSTS = Path.of(System.getProperty("user.home"), ".ssh", "known_hosts");
    /** Where jars are staged on a remote host unless told otherwise. */
    static final String DEFAULT_REMOTE_CACHE = "~/.cache/scoop";
}
