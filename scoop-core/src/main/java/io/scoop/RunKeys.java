package io.scoop;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import org.zeromq.ZMQ;

/**
 * The ZeroMQ CURVE keys of one run: a key pair for the broker, and one key pair that every member of the
 * run (the root and each worker) presents to it. Made fresh for each run with {@link #generate()}; a
 * broker started with them ({@code Broker.builder().curve(keys)}) encrypts every TCP connection and accepts
 * only peers that hold the members' secret key. A process without the keys can neither submit nor receive a
 * task.
 *
 * <p><b>Handing the keys over.</b> Members get the <em>member line</em>, {@link #memberLine()}: one line of
 * text with the broker's public key and the members' key pair, never the broker's secret key, so that a
 * member cannot pose as the broker. It is a secret: it travels over a pipe or an SSH channel
 * ({@code WorkerMain --keys-stdin}) or in the root's environment ({@value #ENV}), never on a command line
 * and never in a file other users can read. {@link #parse} reads it back.
 *
 * <pre>
 *   scoop-curve-1 BROKER_PUBLIC MEMBER_PUBLIC MEMBER_SECRET      (each key: 40 characters of Z85)
 * </pre>
 *
 * <p>No method puts a key in a {@code toString()} or an exception message.
 */
public final class RunKeys {
    /**
     * The environment variable through which the launcher hands the member line to the root JVM: only the
     * same user and the superuser may read a process's environment ({@code /proc/PID/environ} is mode 0400).
     */
    public static final String ENV = "SCOOP_KEYS";

    /** The first word of a member line; the version of its format. */
    static final String HEADER = "scoop-curve-1";

    private static final int Z85_KEY_LENGTH = 40;
    private static final String Z85_ALPHABET =
            "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
    private static final String[] WORD_NAMES = {"the header", "the broker's public key", "the members' public key",
        "the members' secret key"};
    private static final String FORMAT = "a key line is '" + HEADER + "' and 3 keys (the broker's public key, the"
            + " members' public key, the members' secret key) of 40 Z85 characters each, separated by single"
            + " spaces, on one line";
    private static final String FIX = "pass the line the launcher (or RunKeys.memberLine()) wrote for this run,"
            + " unchanged and whole";

    private final byte[] brokerPublic;
    private final byte[] brokerSecret;
    private final byte[] memberPublic;
    private final byte[] memberSecret;

    private RunKeys(byte[] brokerPublic, byte[] brokerSecret, byte[] memberPublic, byte[] memberSecret) {
        this.brokerPublic = brokerPublic;
        this.brokerSecret = brokerSecret;
        this.memberPublic = memberPublic;
        this.memberSecret = memberSecret;
    }

    /** New keys for one run, from a {@link java.security.SecureRandom}: the broker's pair and the members'. */
    public static RunKeys generate() {
        ZMQ.Curve.KeyPair broker = ZMQ.Curve.generateKeyPair();
        ZMQ.Curve.KeyPair members = ZMQ.Curve.generateKeyPair();
        return new RunKeys(ZMQ.Curve.z85Decode(broker.publicKey), ZMQ.Curve.z85Decode(broker.secretKey),
                ZMQ.Curve.z85Decode(members.publicKey), ZMQ.Curve.z85Decode(members.secretKey));
    }

    /**
     * Reads a member line, as {@link #memberLine()} writes it. Trailing white space (a line end) is ignored.
     * The keys it returns have no {@linkplain #hasBrokerSecret() broker secret}: they serve a root or a worker.
     *
     * @throws IllegalArgumentException if the line breaks the format; the message names the rule and the
     *                                  offending word by position and length, never its content
     */
    public static RunKeys parse(String line) {
        Objects.requireNonNull(line, "key line");
        String[] words = line.stripTrailing().split(" ", -1);
        if (!words[0].equals(HEADER)) {
            throw malformed("its first word is not '" + HEADER + "'"
                    + (words[0].startsWith("scoop-curve-") ? " (a key line of another Scoop version?)" : ""));
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

    private static IllegalArgumentException malformed(String what) {
        return new IllegalArgumentException("malformed Scoop key line: " + what + "; " + FORMAT + ": " + FIX);
    }

    /**
     * The member line: the broker's public key and the members' key pair, without a line end. A secret:
     * see the class description for how it may travel.
     */
    public String memberLine() {
        return HEADER + " " + z85(brokerPublic) + " " + z85(memberPublic) + " " + z85(memberSecret);
    }

    /** Writes the {@link #memberLine()} and a line feed to {@code out}, and flushes it. */
    public void writeMemberLine(OutputStream out) throws IOException {
        out.write((memberLine() + "\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** These keys as a member holds them: without the broker's secret key. */
    public RunKeys forMembers() {
        return brokerSecret == null ? this : new RunKeys(brokerPublic, null, memberPublic, memberSecret);
    }

    /** Whether these keys can serve a broker: true for {@link #generate()}'s, false for {@link #parse}'s. */
    public boolean hasBrokerSecret() {
        return brokerSecret != null;
    }

    /** The broker's public key, 32 bytes: members set it as their CURVE server key. */
    public byte[] brokerPublicKey() {
        return brokerPublic.clone();
    }

    /**
     * The broker's secret key, 32 bytes.
     *
     * @throws IllegalStateException if these are a member's keys (see {@link #hasBrokerSecret()})
     */
    public byte[] brokerSecretKey() {
        if (brokerSecret == null) {
            throw new IllegalStateException("these run keys were read from a member's key line and hold no broker"
                    + " secret key: a CURVE broker needs the keys made by RunKeys.generate()");
        }
        return brokerSecret.clone();
    }

    /** The members' public key, 32 bytes: the only client key the broker accepts. */
    public byte[] memberPublicKey() {
        return memberPublic.clone();
    }

    /** The members' secret key, 32 bytes. */
    public byte[] memberSecretKey() {
        return memberSecret.clone();
    }

    private static String z85(byte[] key) {
        return ZMQ.Curve.z85Encode(key);
    }

    /** Compares the keys in constant time. */
    @Override
    public boolean equals(Object o) {
        return o instanceof RunKeys k && java.security.MessageDigest.isEqual(brokerPublic, k.brokerPublic)
                && java.security.MessageDigest.isEqual(memberPublic, k.memberPublic)
                && java.security.MessageDigest.isEqual(memberSecret, k.memberSecret)
                && (brokerSecret == null ? k.brokerSecret == null
                        : k.brokerSecret != null && java.security.MessageDigest.isEqual(brokerSecret, k.brokerSecret));
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(brokerPublic);
    }

    /** {@code RunKeys[CURVE, broker and member keys]} or {@code RunKeys[CURVE, member keys]}: never a key. */
    @Override
    public String toString() {
        return "RunKeys[CURVE, " + (brokerSecret != null ? "broker and member keys" : "member keys") + "]";
    }
}
