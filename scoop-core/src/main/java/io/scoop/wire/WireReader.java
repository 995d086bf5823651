package io.scoop.wire;

import java.nio.charset.StandardCharsets;

/** Reads what {@link WireWriter} wrote. Throws {@link MalformedMessageException} on a short body. */
public final class WireReader {
    private final byte[] buf;
    private int pos;

    public WireReader(byte[] buf) {
        this.buf = buf;
    }

    /** Skips the command byte. */
    public WireReader afterCommand() {
        pos = 1;
        return this;
    }

    public int u8() {
        need(1);
        return buf[pos++] & 0xff;
    }

    public int i32() {
        need(4);
        int v = ((buf[pos] & 0xff) << 24) | ((buf[pos + 1] & 0xff) << 16) | ((buf[pos + 2] & 0xff) << 8)
                | (buf[pos + 3] & 0xff);
        pos += 4;
        return v;
    }

    public long i64() {
        long hi = i32() & 0xffffffffL;
        long lo = i32() & 0xffffffffL;
        return (hi << 32) | lo;
    }

    public byte[] bytes() {
        int len = i32();
        if (len < 0) {
            throw new MalformedMessageException("negative length " + len + " at offset " + (pos - 4));
        }
        need(len);
        byte[] out = new byte[len];
        System.arraycopy(buf, pos, out, 0, len);
        pos += len;
        return out;
    }

    public String string() {
        return new String(bytes(), StandardCharsets.UTF_8);
    }

    public boolean hasMore() {
        return pos < buf.length;
    }

    private void need(int n) {
        if (pos + n > buf.length) {
            throw new MalformedMessageException(
                    "message of " + buf.length + " bytes ends at offset " + pos + ", " + n + " more expected");
        }
    }
}
