package io.scoop.wire;

import java.nio.charset.StandardCharsets;

/**
 * Reads what {@link WireWriter} wrote, trusting nothing: every read is checked against the bytes that remain,
 * with arithmetic that cannot overflow, and a count is checked against what the remaining bytes can hold
 * before anything is allocated for it. Throws {@link MalformedMessageException} on any violation.
 */
public final class WireReader {
    private final byte[] buf;
    private int pos;

    public WireReader(byte[] buf) {
        this.buf = buf;
    }

    /** Skips the command byte. */
    public WireReader afterCommand() {
        need(1, "a command byte");
        pos = 1;
        return this;
    }

    public int u8() {
        need(1, "a byte");
        return buf[pos++] & 0xff;
    }

    public int i32() {
        need(4, "a 32-bit integer");
        int v = ((buf[pos] & 0xff) << 24) | ((buf[pos + 1] & 0xff) << 16) | ((buf[pos + 2] & 0xff) << 8)
                | (buf[pos + 3] & 0xff);
        pos += 4;
        return v;
    }

    public long i64() {
        need(8, "a 64-bit integer");
        long hi = i32() & 0xffffffffL;
        long lo = i32() & 0xffffffffL;
        return (hi << 32) | lo;
    }

    /**
     * Reads a count of items that take at least {@code minItemBytes} each, and checks that the remaining bytes
     * can hold that many: a count read from the wire may size an allocation only after this check.
     */
    public int count(int minItemBytes) {
        int at = pos;
        int n = i32();
        if (n < 0 || (long) n * minItemBytes > remaining()) {
            throw new MalformedMessageException("item count " + n + " at offset " + at + " does not fit the "
                    + remaining() + " bytes left (each item takes at least " + minItemBytes + "): the message is"
                    + " truncated or not a Scoop message, and is dropped");
        }
        return n;
    }

    public byte[] bytes() {
        int at = pos;
        int len = i32();
        if (len < 0 || len > remaining()) {
            throw new MalformedMessageException("byte string length " + len + " at offset " + at + " does not fit"
                    + " the " + remaining() + " bytes left in a message of " + buf.length + " bytes: the message is"
                    + " truncated or not a Scoop message, and is dropped");
        }
        byte[] out = new byte[len];
        System.arraycopy(buf, pos, out, 0, len);
        pos += len;
        return out;
    }

    /** A UTF-8 string; malformed UTF-8 is replaced, never thrown. */
    public String string() {
        return new String(bytes(), StandardCharsets.UTF_8);
    }

    /**
     * A UTF-8 string of at most {@code maxBytes} bytes (a name, a host, a label: what a peer may not make as large
     * as a message), checked before anything is copied.
     */
    public String string(int maxBytes, String what) {
        int at = pos;
        int len = i32();
        pos = at;
        if (len > maxBytes) {
            throw new MalformedMessageException(what + " of " + len + " bytes at offset " + at + ", above the limit"
                    + " of " + maxBytes + ": the message is not a Scoop message, and is dropped");
        }
        return string();
    }

    public boolean hasMore() {
        return pos < buf.length;
    }

    /** How many bytes are left to read. */
    public int remaining() {
        return buf.length - pos;
    }

    /** Checks that the whole message was read: a message longer than its layout says is malformed too. */
    public void end() {
        if (pos != buf.length) {
            throw new MalformedMessageException("message of " + buf.length + " bytes has " + remaining()
                    + " bytes after its last field (offset " + pos + "): it is not a Scoop message of this"
                    + " version, and is dropped");
        }
    }

    private void need(int n, String what) {
        if (n > buf.length - pos) {
            throw new MalformedMessageException("message of " + buf.length + " bytes ends at offset " + pos
                    + ", where " + what + " (" + n + " bytes) was expected: it is truncated, and is dropped");
        }
    }
}
