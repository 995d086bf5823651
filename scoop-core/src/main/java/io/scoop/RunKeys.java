package io.scoop;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import org.zeromq.ZMQ;

/**
 * The secret of one run, of one of two kinds, that a broker demands of every peer on its TCP endpoint:
 *
 * <ul>
 *   <li><b>CURVE keys</b>, {@link #generate()}: a key pair for the broker, and one key pair that every member
 *       of the run (the root and each worker) presents to it. A broker started with them
 *       ({@code Broker.builder().secure(keys)}) encrypts every TCP connection and accepts only peers that hold
 *       the members' secret key. For runs with a remote host: the traffic crosses a network.
 *   <li><b>A token</b>, {@link #token()}: 32 random bytes that every member presents as its ZeroMQ PLAIN
 *       password (user name {@value #PLAIN_USERNAME}). PLAIN sends the token in clear text once per
 *       connection and then nothing more than plain TCP does, so it costs nothing per message; it is for a
 *       broker bound to loopback, whose traffic other users of the machine (but root) cannot read. The
 *       default of local runs.
 * </ul>
 * {@link #isCurve()} tells the kinds apart. Either way, a process without the secret can neither submit nor
 * receive a task.
 *
 * <p><b>Handing the secret over.</b> Members get the <em>member line</em>, {@link #memberLine()}: one line of
 * text. For CURVE it holds the broker's public key and the members' key pair, never the broker's secret key,
 * so that a member cannot pose as the broker; for a token, the token itself (a member's copy of a token is
 * the token: {@link #forMembers()} returns the same keys). It is a secret: it travels over a pipe or an SSH
 * channel ({@code WorkerMain --keys-stdin}) or in the root's environment ({@value #ENV}), never on a command
 * line and never in a file other users can read. {@link #parse} reads either kind back.
 *
 * <pre>
 *   scoop-curve-1 BROKER_PUBLIC MEMBER_PUBLIC MEMBER_SECRET      (each key: 40 characters of Z85)
 *   scoop-token-1 TOKEN                                          (32 random bytes: 40 characters of Z85)
 * </pre>
 *
 * <p>No method puts a key or a token in a {@code toString()} or an exception message.
 */
public final class RunKeys {
    /**
     * The environment variable through which the launcher hands the member line to the root JVM: only the
     * same user and the superuser may read a process's environment ({@code /proc/PID/environ} is mode 0400).
     */
    public static final String ENV = "SCOOP_KEYS";

    /** The ZeroMQ PLAIN user name that members present with a {@linkplain #token() token}. */
    public static final String PLAIN_USERNAME = "scoop";

    /** The first word of a CURVE member line; the version of its format. */
    static final String HEADER = "scoop-curve-1";

    /** The first word of a token's line; the version of its format. */
    static final String TOKEN_HEADER = "scoop-token-1";

    private static final int Z85_KEY_LENGTH = 40;
    private static final int TOKEN_BYTES = 32;
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();
    private static final String Z85_ALPHABET =
            "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
    private static final String[] WORD_NAMES = {"the header", "the broker's public key", "the members' public key",
        "the members' secret key"};
    private static final String FORMAT = "a key line is '" + HEADER + "' and 3 keys (the broker's public key, the"
            + " members' public key, the members' secret key) of 40 Z85 characters each, separated by single"
            + " spaces, on one line";
    private static final String TOKEN_FORMAT = "a token line is '" + TOKEN_HEADER + "' and one token of 40 Z85"
            + " characters, separated by a single space, on one line";
    private static final String FIX = "pass the line the launcher (or RunKeys.memberLine()) wrote for this run,"
            + " unchanged and whole";

    /* CURVE keys: the four keys, brokerSecret null in a member's copy, token null. A token: only token. */
    private final byte[] brokerPublic;
    private final byte[] brokerSecret;
    private final byte[] memberPublic;
    private final byte[] memberSecret;
    private final String token;

    private RunKeys(byte[] brokerPublic, byte[] brokerSecret, byte[] memberPublic, byte[] memberSecret) {
        this.brokerPublic = brokerPublic;
        this.brokerSecret = brokerSecret;
        this.memberPublic = memberPublic;
        this.memberSecret = memberSecret;
        this.token = null;
    }

    private RunKeys(String token) {
        this.brokerPublic = null;
        this.brokerSecret = null;
        this.memberPublic = null;
        this.memberSecret = null;
        this.token = token;
    }

    /**
     * New CURVE keys for one run, from a {@link java.security.SecureRandom}: the broker's pair and the members'.
     */
    public static RunKeys generate() {
        ZMQ.Curve.KeyPair broker = ZMQ.Curve.generateKeyPair();
        ZMQ.Curve.KeyPair members = ZMQ.Curve.generateKeyPair();
        return new RunKeys(ZMQ.Curve.z85Decode(broker.publicKey), ZMQ.Curve.z85Decode(broker.secretKey),
                ZMQ.Curve.z85Decode(members.publicKey), ZMQ.Curve.z85Decode(members.secretKey));
    }

    /**
     * A new token for one run: 32 bytes from a {@link java.security.SecureRandom}, which
     * members present as their PLAIN password to a broker bound to loopback.
     */
    public static RunKeys token() {
        byte[] b = new byte[TOKEN_BYTES];
        RANDOM.nextBytes(b);
        return new RunKeys(ZMQ.Curve.z85Encode(b));
    }

    /**
     * Reads a member line of either kind, as {@link #memberLine()} writes it. Trailing white space (a line
     * end) is ignored. CURVE keys it returns have no {@linkplain #hasBrokerSecret() broker secret}: they serve
     * a root or a worker; a token serves a broker as well.
     *
     * @throws IllegalArgumentException if the line breaks the format; the message names the rule and the
     *                                  offending word by position and length, never its content
     */
    public static RunKeys parse(String line) {
        Objects.requireNonNull(line, "key line");
        String[] words = line.stripTrailing().split(" ", -1);
        if (words[0].equals(TOKEN_HEADER)) {
            return parseToken(words);
        }
        if (!words[0].equals(HEADER)) {
            throw new IllegalArgumentException("malformed Scoop key line: its first word is neither '" + HEADER
                    + "' nor '" + TOKEN_HEADER + "'" + (words[0].startsWith("scoop-curve-")
                            || words[0].startsWith("scoop-token-") ? " (a key line of another Scoop version?)" : "")
                    + "; " + FORMAT + ", or " + TOKEN_FORMAT + ": " + FIX);
        }
        if (words.length != 4) {
            throw malformed("it has " + words.length + " words separated by single spaces, not 4");
        }
        byte[][] keys = new byte[3][];
        for (int i = 1; i < 4; i++) {
            String w = words[i];
            if (w.length() != Z85_KEY_LENGTH) {
                throw malformed("word " + (i + 1) + " (" + WORD_NAMES[i] + ") has " + w.length() + " characters, not "
                        + Z85_KEY_LENGTH);
            }
            for (int c = 0; c < w.length(); c++) {
                if (Z85_ALPHABET.indexOf(w.charAt(c)) < 0) {
                    throw malformed("word " + (i + 1) + " (" + WORD_NAMES[i] + ") has a character outside the Z85"
                            + " alphabet at position " + (c + 1));
                }
            }
            keys[i - 1] = ZMQ.Curve.z85Decode(w);
        }
        return new RunKeys(keys[0], null, keys[1], keys[2]);
    }

    private static RunKeys parseToken(String[] words) {
        if (words.length != 2) {
            throw malformedToken("it has " + words.length + " words separated by single spaces, not 2");
        }
        String w = words[1];
        if (w.length() != Z85_KEY_LENGTH) {
            throw malformedToken("word 2 (the token) has " + w.length() + " characters, not " + Z85_KEY_LENGTH);
        }
        for (int c = 0; c < w.length(); c++) {
            if (Z85_ALPHABET.indexOf(w.charAt(c)) < 0) {
                throw malformedToken("word 2 (the token) has a character outside the Z85 alphabet at position "
                        + (c + 1));
            }
        }
        return new RunKeys(w);
    }

    private static IllegalArgumentException malformed(String what) {
        return new IllegalArgumentException("malformed Scoop key line: " + what + "; " + FORMAT + ": " + FIX);
    }

    private static IllegalArgumentException malformedToken(String what) {
        return new IllegalArgumentException("malformed Scoop token line: " + what + "; " + TOKEN_FORMAT + ": "
                + FIX);
    }

    /** Whether these are CURVE keys ({@link #generate()}); false for a {@link #token()}. */
    public boolean isCurve() {
        return token == null;
    }

    /**
     * The member line, without a line end: for CURVE, the broker's public key and the members' key pair; for a
     * token, the token. A secret: see the class description for how it may travel.
     */
    public String memberLine() {
        if (token != null) {
            return TOKEN_HEADER + " " + token;
        }
        return HEADER + " " + z85(brokerPublic) + " " + z85(memberPublic) + " " + z85(memberSecret);
    }

    /** Writes the {@link #memberLine()} and a line feed to {@code out}, and flushes it. */
    public void writeMemberLine(OutputStream out) throws IOException {
        out.write((memberLine() + "\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** These keys as a member holds them: CURVE keys without the broker's secret key; a token unchanged. */
    public RunKeys forMembers() {
        return brokerSecret == null ? this : new RunKeys(brokerPublic, null, memberPublic, memberSecret);
    }

    /**
     * Whether these keys can serve a broker: true for {@link #generate()}'s and for every token, false for
     * CURVE keys read by {@link #parse}.
     */
    public boolean hasBrokerSecret() {
        return token != null || brokerSecret != null;
    }

    /**
     * The token as members present it, the PLAIN password: its 40 Z85 characters in ASCII.
     *
     * @throws IllegalStateException if these are CURVE keys
     */
    public byte[] plainPassword() {
        if (token == null) {
            throw new IllegalStateException("these run keys are CURVE keys, not a token: a PLAIN password comes"
                    + " from RunKeys.token()");
        }
        return token.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The broker's public key, 32 bytes: members set it as their CURVE server key.
     *
     * @throws IllegalStateException if these keys are a token
     */
    public byte[] brokerPublicKey() {
        return curve().brokerPublic.clone();
    }

    /**
     * The broker's secret key, 32 bytes.
     *
     * @throws IllegalStateException if these are a member's keys (see {@link #hasBrokerSecret()}), or a token
     */
    public byte[] brokerSecretKey() {
        curve();
        if (brokerSecret == null) {
            throw new IllegalStateException("these run keys were read from a member's key line and hold no broker"
                    + " secret key: a CURVE broker needs the keys made by RunKeys.generate()");
        }
        return brokerSecret.clone();
    }

    /**
     * The members' public key, 32 bytes: the only client key the broker accepts.
     *
     * @throws IllegalStateException if these keys are a token
     */
    public byte[] memberPublicKey() {
        return curve().memberPublic.clone();
    }

    /**
     * The members' secret key, 32 bytes.
     *
     * @throws IllegalStateException if these keys are a token
     */
    public byte[] memberSecretKey() {
        return curve().memberSecret.clone();
    }

    private RunKeys curve() {
        if (token != null) {
            throw new IllegalStateException("these run keys are a token (ZeroMQ PLAIN), not CURVE keys: CURVE keys"
                    + " come from RunKeys.generate()");
        }
        return this;
    }

    private static String z85(byte[] key) {
        return ZMQ.Curve.z85Encode(key);
    }

    /** Compares the keys in constant time. */
    @Override
    public boolean equals(Object o) {
        if (o instanceof RunKeys k && (token != null || k.token != null)) {
            return token != null && k.token != null && java.security.MessageDigest.isEqual(
                    token.getBytes(StandardCharsets.US_ASCII), k.token.getBytes(StandardCharsets.US_ASCII));
        }
        return o instanceof RunKeys k && java.security.MessageDigest.isEqual(brokerPublic, k.brokerPublic)
                && java.security.MessageDigest.isEqual(memberPublic, k.memberPublic)
                && java.security.MessageDigest.isEqual(memberSecret, k.memberSecret)
                && (brokerSecret == null ? k.brokerSecret == null
                        : k.brokerSecret != null && java.security.MessageDigest.isEqual(brokerSecret, k.brokerSecret));
    }

    @Override
    public int hashCode() {
        // Not the token's hash: a hash code may be printed, and it would tell something of the secret.
        return token != null ? 1 : Arrays.hashCode(brokerPublic);
    }

    /**
     * {@code RunKeys[CURVE, broker and member keys]}, {@code RunKeys[CURVE, member keys]} or
     * {@code RunKeys[token]}: never a key.
     */
    @Override
    public String toString() {
        if (token != null) {
            return "RunKeys[token]";
        }
        return "RunKeys[CURVE, " + (brokerSecret != null ? "broker and member keys" : "member keys") + "]";
    }
}
