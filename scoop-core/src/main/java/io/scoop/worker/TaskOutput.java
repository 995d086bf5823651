package io.scoop.worker;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Each task's own standard output and error on a worker. {@link #install} puts streams in front of
 * {@code System.out} and {@code System.err} that look up the task of the writing thread (threads a task
 * starts inherit it): what a task writes still goes out at once, each line prefixed with the task's name, and
 * its tail (the last {@value #TAIL_BYTES} bytes of each stream) is kept to travel back with its result.
 * Threads that run no task (a pool the task did not start, the worker's own) write as before.
 */
public final class TaskOutput {
    /** The most bytes of each stream kept per task: its tail. */
    static final int TAIL_BYTES = 64 * 1024;

    private static final InheritableThreadLocal<Capture> CURRENT = new InheritableThreadLocal<>();
    private static volatile boolean installed;

    private TaskOutput() {
    }

    /** Puts the capturing streams in front of this JVM's {@code System.out} and {@code System.err}, once. */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        installed = true;
        Charset cs = charsetOf("stdout.encoding");
        System.setOut(new PrintStream(new Tee(System.out, false), true, cs));
        System.setErr(new PrintStream(new Tee(System.err, true), true, charsetOf("stderr.encoding")));
    }

    private static Charset charsetOf(String property) {
        String name = System.getProperty(property);
        try {
            return name == null ? Charset.defaultCharset() : Charset.forName(name);
        } catch (RuntimeException e) {
            return Charset.defaultCharset();
        }
    }

    /** Starts capturing this thread's output (and that of threads it starts) for a task named {@code name}. */
    static Capture begin(String name) {
        Capture c = new Capture("[" + name + "] ");
        CURRENT.set(c);
        return c;
    }

    /** This thread's capture, or null. */
    static Capture current() {
        return CURRENT.get();
    }

    /** Makes {@code c} (may be null) this thread's capture again, as it was before a nested task's run. */
    static void restore(Capture c) {
        if (c == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(c);
        }
    }

    /** Stops capturing on this thread; the capture keeps what it has. */
    static void end(Capture c) {
        c.closed = true;
        CURRENT.remove();
    }

    /** One task's output: the tails of its two streams. */
    static final class Capture {
        final byte[] prefix;
        final Tail out = new Tail();
        final Tail err = new Tail();
        volatile boolean closed;

        Capture(String prefix) {
            this.prefix = prefix.getBytes(StandardCharsets.UTF_8);
        }
    }

    /** The last {@link #TAIL_BYTES} bytes written, and how many came before them. */
    static final class Tail {
        private byte[] buf = new byte[0];
        private int start;
        private int size;
        private long dropped;
        /** The next byte starts a line (for the live copy's prefix). */
        boolean atLineStart = true;

        synchronized void append(byte[] b, int off, int len) {
            if (len >= TAIL_BYTES) {
                dropped += size + (len - TAIL_BYTES);
                buf = Arrays.copyOfRange(b, off + len - TAIL_BYTES, off + len);
                start = 0;
                size = TAIL_BYTES;
                return;
            }
            if (buf.length < TAIL_BYTES && size + len > buf.length) {
                byte[] bigger = new byte[Math.min(TAIL_BYTES, Math.max(size + len, Math.max(256, buf.length * 2)))];
                for (int i = 0; i < size; i++) {
                    bigger[i] = buf[(start + i) % buf.length];
                }
                buf = bigger;
                start = 0;
            }
            for (int i = 0; i < len; i++) {
                if (size == buf.length) {
                    start = (start + 1) % buf.length;
                    size--;
                    dropped++;
                }
                buf[(start + size) % buf.length] = b[off + i];
                size++;
            }
        }

        synchronized byte[] bytes() {
            byte[] out = new byte[size];
            for (int i = 0; i < size; i++) {
                out[i] = buf[(start + i) % buf.length];
            }
            return out;
        }

        synchronized long dropped() {
            return dropped;
        }
    }

    /** Writes through to the JVM's real stream, keeping a task's bytes on its capture and prefixing its lines. */
    private static final class Tee extends OutputStream {
        private final PrintStream original;
        private final boolean isErr;

        Tee(PrintStream original, boolean isErr) {
            this.original = original;
            this.isErr = isErr;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            Capture c = CURRENT.get();
            if (c == null) {
                original.write(b, off, len);
                return;
            }
            Tail tail = isErr ? c.err : c.out;
            if (!c.closed) {
                tail.append(b, off, len);
            }
            synchronized (original) {
                int lineStart = off;
                for (int i = off; i < off + len; i++) {
                    if (tail.atLineStart) {
                        original.write(c.prefix, 0, c.prefix.length);
                        tail.atLineStart = false;
                    }
                    if (b[i] == '\n') {
                        original.write(b, lineStart, i + 1 - lineStart);
                        lineStart = i + 1;
                        tail.atLineStart = true;
                    }
                }
                if (lineStart < off + len) {
                    original.write(b, lineStart, off + len - lineStart);
                }
            }
        }

        @Override
        public void flush() {
            original.flush();
        }
    }
}
