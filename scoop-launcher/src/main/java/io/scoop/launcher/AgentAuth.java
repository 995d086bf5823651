package io.scoop.launcher;

import com.hierynomus.sshj.key.KeyAlgorithm;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Queue;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.common.Message;
import net.schmizz.sshj.common.SSHPacket;
import net.schmizz.sshj.transport.TransportException;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.method.AbstractAuthMethod;

/**
 * sshj's "publickey" method (RFC 4252 7) for one key of an ssh-agent: the key is offered by its public blob, and
 * when the server accepts it, the agent signs the request. The private key stays in the agent.
 */
final class AgentAuth extends AbstractAuthMethod {
    /*
     * Implementation notes.
     *
     * As sshj's own public key method: a first request without signature (does the server take this key?); on
     * SSH_MSG_USERAUTH_PK_OK (60), the same request with "has signature" set and the signature appended. What
     * is signed is string(session id) followed by the request as sent, from its message byte on.
     *
     * The algorithm: the transport lists, for the key's type, the signature algorithms this client and the
     * server both allow, best first (for RSA: rsa-sha2-512, rsa-sha2-256, then ssh-rsa, narrowed by the server's
     * server-sig-algs). We offer the first; when the server fails it and the list has more, shouldRetry()
     * moves on to the next, and the agent is asked for the matching hash (SSH_AGENT_RSA_SHA2_*).
     */

    private final SshAgent agent;
    private final SshAgent.Identity identity;
    private final KeyType type;
    private final long signTimeoutMillis;
    private Queue<KeyAlgorithm> algorithms;

    /**
     * @param type              the key's type, as sshj read it from the blob
     * @param signTimeoutMillis the bound on the agent's signing
     */
    AgentAuth(SshAgent agent, SshAgent.Identity identity, KeyType type, long signTimeoutMillis) {
        super("publickey");
        this.agent = agent;
        this.identity = identity;
        this.type = type;
        this.signTimeoutMillis = signTimeoutMillis;
    }

    @Override
    protected SSHPacket buildReq() throws UserAuthException {
        return request(false);
    }

    @Override
    public void handle(Message cmd, SSHPacket buf) throws UserAuthException, TransportException {
        if (cmd != Message.USERAUTH_60) {
            super.handle(cmd, buf);
            return;
        }
        SSHPacket req = request(true);
        String alg = algorithm().getKeyAlgorithm();
        int flags = alg.equals("rsa-sha2-256") ? SshAgent.SSH_AGENT_RSA_SHA2_256
                : alg.equals("rsa-sha2-512") ? SshAgent.SSH_AGENT_RSA_SHA2_512 : 0;
        byte[] signed = new Buffer.PlainBuffer().putString(params.getTransport().getSessionID()).putBuffer(req)
                .getCompactData();
        byte[] signature;
        try {
            signature = agent.sign(identity.blob(), signed, flags, signTimeoutMillis);
        } catch (IOException e) {
            throw new UserAuthException("the ssh-agent at " + agent.socket() + " could not sign with " + this + ": "
                    + e.getMessage(), e);
        }
        req.putString(signature);
        params.getTransport().write(req);
    }

    @Override
    public boolean shouldRetry() {
        if (algorithms == null) {
            return false;
        }
        algorithms.poll();
        return !algorithms.isEmpty();
    }

    private SSHPacket request(boolean signed) throws UserAuthException {
        SSHPacket req = super.buildReq();
        req.putBoolean(signed).putString(algorithm().getKeyAlgorithm()).putString(identity.blob());
        return req;
    }

    private KeyAlgorithm algorithm() throws UserAuthException {
        if (algorithms == null) {
            try {
                algorithms = new ArrayDeque<>(params.getTransport().getClientKeyAlgorithms(type));
            } catch (TransportException e) {
                throw new UserAuthException("no signature algorithm for " + this + ": " + e.getMessage(), e);
            }
        }
        KeyAlgorithm alg = algorithms.peek();
        if (alg == null) {
            throw new UserAuthException("no signature algorithm that both sides allow for " + this);
        }
        return alg;
    }

    /** The key as ssh-add -l names it: its type and comment. */
    @Override
    public String toString() {
        return "agent key " + type + " " + identity.comment();
    }
}
