package io.scoop.wire;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.scoop.internal.SharedStore;
import java.lang.ref.WeakReference;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;
import java.util.zip.CRC32C;

/**
 * Large arrays of primitives that tasks capture travel once, not with every task: the implicit twin of
 * {@code pool.share(value)}. While the root encodes a task ({@link #open}), an array of at least
 * {@link #FROM_BYTES} that several tasks of one call capture ({@link #batch(Iterable)}), or that an earlier task
 * already took, unchanged, goes to the broker once under the hash of its bytes; the task carries the key, and a
 * worker fetches the bytes the first time one of its tasks needs them and keeps them (with the shared values,
 * within their bound). Each task still gets its own copy of the array, decoded from those bytes, so what a task
 * writes into it stays its own, as when the array travelled with it.
 *
 * <p>Why not from the first time for a task sent alone: a value sent with one task only would cost a hash and a
 * fetch more than it saves. The array is known again by identity; two CRCs of its bytes (CRC-32C and CRC-32,
 * 64 bits together), taken each time, tell whether it changed in between (a change makes it a new value, sent
 * inline once more). The layout: a byte, 0 for the array's own encoding next, 1 for a key (the 32 bytes of the
 * SHA-256 of that encoding) whose bytes are that encoding; for an array of arrays also 2, its encoding apart (a
 * length, then the bytes).
 */
public final class SharedArrays {
    /** The smallest array (in bytes of its elements) sent once: 64 KiB. */
    public static final int FROM_BYTES = 64 * 1024;

    private static final int INLINE = 0;
    private static final int SHARED = 1;
    /** A key on the wire: the 32 bytes of the SHA-256 (a fixed length, read without trusting a count). */
    private static final int KEY_BYTES = 32;
    /** Arrays remembered by identity, most recent first: enough for the data a sweep's tasks capture. */
    private static final int SEEN = 64;

    private static final ThreadLocal<Session> CURRENT = new ThreadLocal<>();
    /** Keys the broker refused to keep (it held too much), and when: not offered again for a while. */
    private static final Map<String, Long> REFUSED = new java.util.HashMap<>();
    private static final long RETRY_REFUSED_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);

    private static final Seen[] SEEN_RING = new Seen[SEEN];
    private static int seenNext;

    private SharedArrays() {
    }

    private static boolean refused(String key) {
        synchronized (REFUSED) {
            Long at = REFUSED.get(key);
            if (at != null && System.nanoTime() - at > RETRY_REFUSED_NANOS) {
                REFUSED.remove(key);
                return false;
            }
            return at != null;
        }
    }

    /** Where the root puts a value to send once: true if the broker has it (or now will), false to send inline. */
    public interface Sink {
        boolean share(String key, byte[] bytes);

        /** Takes one more hold on {@code key} if the broker still keeps it for this root; false if not. */
        boolean hold(String key);

        /** The task that took {@code key} was not sent after all, or is done with it. */
        void release(String key);
    }

    /**
     * The arrays sent by key in one call that sends several tasks ({@code invokeAll}): within the call an array
     * is taken to stay as it was (a thread pool's tasks would see the change racing with them too), so it is
     * encoded and checked once for the call, not once per task.
     */
    public static final class Batch {
        private final Map<Object, String> keys = new IdentityHashMap<>(4);
        /** Large arrays that more than one task of the call captured: sent by key from the first. */
        private final Set<Object> repeated = java.util.Collections.newSetFromMap(new IdentityHashMap<>(4));
        private boolean trusted = true;

        /**
         * From now on each array is checked again before its key is used (the tasks encoded from here on are
         * sent after earlier ones, whose writes into captured arrays may have come back meanwhile).
         */
        public void recheck() {
            trusted = false;
        }
    }

    /**
     * A batch for {@code tasks}, which notes the large arrays that lambdas among them capture in common, so that
     * those go by key from the first task on (a lambda's captured values only: other arrays go by key from
     * their second use).
     */
    public static Batch batch(Iterable<?> tasks) {
        Batch b = new Batch();
        Map<Object, Boolean> seen = null;
        for (Object task : tasks) {
            Object[] captured = KryoCodec.capturedValues(task);
            if (captured == null) {
                continue;
            }
            for (Object v : captured) {
                // (a first sift: arrays of 8-byte elements at least as large; the encoder checks the real size)
                if (v != null && v.getClass().isArray() && (v.getClass().getComponentType().isPrimitive()
                        && java.lang.reflect.Array.getLength(v) >= FROM_BYTES / 8 || v instanceof Object[] rows
                        && rows.getClass().getComponentType().isArray()
                        && rows.getClass().getComponentType().getComponentType().isPrimitive())) {
                    if (seen == null) {
                        seen = new IdentityHashMap<>();
                    }
                    if (seen.put(v, Boolean.TRUE) != null) {
                        b.repeated.add(v);
                    }
                }
            }
        }
        return b;
    }

    /** The keys one task's encoding took, to give back when the task is done (or never sent). */
    public static final class Session implements AutoCloseable {
        private final Sink sink;
        private Batch batch; // made when a large array is first met (most tasks have none)
        private Set<String> keys = Set.of();
        private boolean kept;
        private final Session outer;

        private Session(Sink sink, Batch batch, Session outer) {
            this.sink = sink;
            this.batch = batch;
            this.outer = outer;
        }

        /** Whether this task may use {@code key}: it holds it already, or the sink now holds it for it. */
        private boolean hold(String key, byte[] encoded, int offset, int length) {
            if (keys.contains(key) || sink.hold(key) || encoded != null && !refused(key)
                    && share(key, Arrays.copyOfRange(encoded, offset, offset + length))) {
                if (keys.isEmpty()) {
                    keys = new LinkedHashSet<>();
                }
                keys.add(key);
                return true;
            }
            return false;
        }

        /** The keys taken, now the caller's to release; empty if none. */
        public Set<String> keep() {
            kept = true;
            return keys;
        }

        private boolean share(String key, byte[] bytes) {
            if (sink.share(key, bytes)) {
                return true;
            }
            synchronized (REFUSED) {
                if (REFUSED.size() >= SEEN) {
                    REFUSED.clear();
                }
                REFUSED.put(key, System.nanoTime());
            }
            return false;
        }

        @Override
        public void close() {
            if (outer == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(outer);
            }
            if (!kept) {
                keys.forEach(sink::release);
            }
        }
    }

    /**
     * Starts encoding one task on this thread: arrays seen before go to {@code sink}. Close it after.
     *
     * @param batch the call's batch, or null for a task sent alone
     */
    public static Session open(Sink sink, Batch batch) {
        Session s = new Session(sink, batch, CURRENT.get());
        CURRENT.set(s);
        return s;
    }

    /** The arrays this thread decoded from a key, with the bytes they came from (for {@link #takeOrigins}). */
    private static final ThreadLocal<Map<Object, byte[]>> ORIGINS = new ThreadLocal<>();

    /**
     * The arrays decoded from a key on this thread since the last call, each with the bytes it was decoded from
     * (its state before the task ran: see {@link #firstChange}); empty if none.
     */
    public static Map<Object, byte[]> takeOrigins() {
        Map<Object, byte[]> m = ORIGINS.get();
        if (m == null) {
            return Map.of();
        }
        ORIGINS.remove();
        return m;
    }

    /**
     * The first element at which {@code array} differs from the array encoded in {@code origin} (what
     * {@link #takeOrigins} gave for it), or -1 if none: a compare in bulk, without decoding the origin.
     */
    public static int firstChange(Object array, byte[] origin) {
        Input in = new Input(origin);
        int length = in.readVarInt(true) - 1;
        int at = in.position();
        if (array instanceof byte[] b) {
            return length != b.length ? 0 : Arrays.mismatch(b, 0, length, origin, at, at + length);
        }
        // Compared as the write-back compares a copy (Arrays.mismatch: -0.0 differs from 0.0, NaNs of other bits
        // do not), a run at a time: the origin's run is laid into a small array of the same type first.
        if (length != java.lang.reflect.Array.getLength(array)) {
            return 0;
        }
        int perRun = 8192;
        java.nio.ByteBuffer all = java.nio.ByteBuffer.wrap(origin).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        Object run = java.lang.reflect.Array.newInstance(array.getClass().getComponentType(), Math.min(length, perRun));
        for (int off = 0; off < length; off += perRun) {
            int n = Math.min(perRun, length - off);
            int m;
            if (array instanceof double[] d) {
                all.position(at + off * 8);
                all.asDoubleBuffer().get((double[]) run, 0, n);
                m = Arrays.mismatch(d, off, off + n, (double[]) run, 0, n);
            } else if (array instanceof long[] l) {
                all.position(at + off * 8);
                all.asLongBuffer().get((long[]) run, 0, n);
                m = Arrays.mismatch(l, off, off + n, (long[]) run, 0, n);
            } else if (array instanceof int[] i) {
                all.position(at + off * 4);
                all.asIntBuffer().get((int[]) run, 0, n);
                m = Arrays.mismatch(i, off, off + n, (int[]) run, 0, n);
            } else {
                all.position(at + off * 4);
                all.asFloatBuffer().get((float[]) run, 0, n);
                m = Arrays.mismatch((float[]) array, off, off + n, (float[]) run, 0, n);
            }
            if (m >= 0) {
                return off + m;
            }
        }
        return -1;
    }

    /** The array encoded in {@code origin}, decoded anew (the state before a task that changed it ran). */
    public static Object decodeOrigin(Class<?> type, byte[] origin) {
        Kryo kryo = new Kryo();
        kryo.setRegistrationRequired(false);
        PrimitiveArraySerializer.registerAll(kryo);
        return kryo.getRegistration(type).getSerializer().read(kryo, new Input(origin), (Class) type);
    }

    private record Seen(WeakReference<Object> array, int length, long check, String key) {
    }

    /**
     * The key of {@code array} if it was seen unchanged before (computed now if not yet), or if it will be seen
     * again ({@code again}); else null, and it is remembered.
     */
    private static String seenBefore(Object array, byte[] encoded, int offset, int length, long check,
            boolean again) {
        boolean unchanged = false;
        synchronized (SEEN_RING) {
            int i = indexOf(array);
            Seen s = i < 0 ? null : SEEN_RING[i];
            if (s != null && s.length == length && s.check == check) {
                if (s.key != null) {
                    return s.key;
                }
                unchanged = true;
            }
        }
        // changed or new: a new value, inline once more unless more tasks of this call take it. The hash is
        // taken outside the lock (16 MiB take some 10 ms), and kept for the next task that takes the array.
        String key = unchanged || again ? SharedStore.keyOf(encoded, offset, length) : null;
        synchronized (SEEN_RING) {
            int i = indexOf(array); // looked up again: another thread may have moved the ring meanwhile
            if (i < 0) {
                i = seenNext;
                seenNext = (seenNext + 1) % SEEN;
            }
            SEEN_RING[i] = new Seen(new WeakReference<>(array), length, check, key);
            return key;
        }
    }

    /** Where {@code array} is in the ring, or -1; called under its lock. */
    private static int indexOf(Object array) {
        for (int i = 0; i < SEEN; i++) {
            if (SEEN_RING[i] != null && SEEN_RING[i].array.get() == array) {
                return i;
            }
        }
        return -1;
    }

    /** Wraps the serializers of {@code byte[]}, {@code double[]}, {@code long[]}, {@code int[]}, {@code float[]}. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static void registerAll(Kryo kryo) {
        wrap(kryo, byte[].class, a -> ((byte[]) a).length);
        wrap(kryo, double[].class, a -> 8L * ((double[]) a).length);
        wrap(kryo, long[].class, a -> 8L * ((long[]) a).length);
        wrap(kryo, int[].class, a -> 4L * ((int[]) a).length);
        wrap(kryo, float[].class, a -> 4L * ((float[]) a).length);
        wrapRows(kryo, byte[][].class, 1);
        wrapRows(kryo, double[][].class, 8);
        wrapRows(kryo, long[][].class, 8);
        wrapRows(kryo, int[][].class, 4);
        wrapRows(kryo, float[][].class, 4);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void wrapRows(Kryo kryo, Class<?> type, int width) {
        Serializer inner = kryo.getRegistration(type).getSerializer();
        kryo.register(type, new RowsWrapper(inner, width));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void wrap(Kryo kryo, Class<?> type, ToLongFunction<Object> bytes) {
        Serializer inner = kryo.getRegistration(type).getSerializer();
        kryo.register(type, new Wrapper(inner, bytes));
    }

    /** The key {@code array} (encoded as given) goes by, held for the session's task; null to send it inline. */
    private static String keyFor(Session s, Object array, byte[] encoded, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(encoded, offset, length);
        java.util.zip.CRC32 crc2 = new java.util.zip.CRC32();
        crc2.update(encoded, offset, length);
        long check = crc.getValue() << 32 | crc2.getValue();
        String key = seenBefore(array, encoded, offset, length, check, s.batch.repeated.contains(array));
        if (key != null && s.hold(key, encoded, offset, length)) {
            s.batch.keys.put(array, key);
            return key;
        }
        return null;
    }

    /** The key a batch already gave {@code array}, held for the session's task; null if none. */
    private static String knownKey(Session s, Object array) {
        if (s.batch == null) {
            s.batch = new Batch();
        }
        String known = s.batch.trusted ? s.batch.keys.get(array) : null;
        return known != null && s.hold(known, null, 0, 0) ? known : null;
    }

    private static void writeKey(Output output, String key) {
        output.writeByte(SHARED);
        output.writeBytes(java.util.HexFormat.of().parseHex(key));
    }

    private static String readKey(Input input) {
        if (input.getInputStream() == null && input.limit() - input.position() < KEY_BYTES) {
            throw new KryoException("a shared array's key announced, but only " + (input.limit() - input.position())
                    + " of its " + KEY_BYTES + " bytes are left");
        }
        return java.util.HexFormat.of().formatHex(input.readBytes(KEY_BYTES));
    }

    private static byte[] fetch(String key) {
        try {
            return SharedStore.bytesOf(key);
        } catch (RuntimeException e) {
            throw new KryoException("a captured array sent once (" + key.substring(0, 12) + "...) could not be"
                    + " had here: " + e.getMessage(), e);
        }
    }

    /**
     * Arrays of arrays of primitives (a {@code double[][]} grid) of {@link #FROM_BYTES} or more in all: encoded
     * as one value, apart from the task around them (their rows are theirs alone: a row the task also holds
     * elsewhere arrives as a copy of its own), and sent by key as {@link Wrapper} sends a single array.
     */
    private static final class RowsWrapper extends Serializer<Object> {
        private static final int BLOB = 2;
        private final Serializer<Object> inner;
        private final int width;

        RowsWrapper(Serializer<Object> inner, int width) {
            this.inner = inner;
            this.width = width;
            setAcceptsNull(true);
        }

        private long bytes(Object[] rows) {
            long n = 0;
            for (Object row : rows) {
                n += row == null ? 0 : (long) java.lang.reflect.Array.getLength(row) * width;
                if (n >= FROM_BYTES) {
                    return n;
                }
            }
            return n;
        }

        @Override
        public void write(Kryo kryo, Output output, Object array) {
            Session s = CURRENT.get();
            if (s == null || array == null || bytes((Object[]) array) < FROM_BYTES || rowWrittenBefore(kryo, array)) {
                output.writeByte(INLINE);
                inner.write(kryo, output, array);
                return;
            }
            writeApart(kryo, output, s, array);
            // Its rows count as written here, in order, as the reader counts them: a row the task also holds
            // elsewhere (after this) is written as a reference to the grid's own row.
            com.esotericsoftware.kryo.ReferenceResolver refs = kryo.getReferenceResolver();
            if (kryo.getReferences() && refs != null) {
                for (Object row : (Object[]) array) {
                    if (row != null) {
                        refs.addWrittenObject(row);
                    }
                }
            }
        }

        /**
         * Whether the grid must stay inline: a row was written before it in this task (it must stay that very
         * row), or a row comes twice in it (a reference number each time on the reader's side, one on the
         * writer's: the numbers after it would go out of step).
         */
        private static boolean rowWrittenBefore(Kryo kryo, Object array) {
            com.esotericsoftware.kryo.ReferenceResolver refs = kryo.getReferenceResolver();
            if (!kryo.getReferences() || refs == null) {
                return false;
            }
            Set<Object> rows = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
            for (Object row : (Object[]) array) {
                if (row != null && (refs.getWrittenId(row) != -1 || !rows.add(row))) {
                    return true;
                }
            }
            return false;
        }

        private void writeApart(Kryo kryo, Output output, Session s, Object array) {
            String key = knownKey(s, array);
            if (key == null) {
                byte[] blob;
                CURRENT.remove(); // encoded alone: inline inside, however large its rows
                try {
                    blob = KryoCodec.encodeAlone(array);
                } finally {
                    CURRENT.set(s);
                }
                key = keyFor(s, array, blob, 0, blob.length);
                if (key == null) {
                    output.writeByte(BLOB);
                    output.writeVarInt(blob.length, true);
                    output.writeBytes(blob);
                    return;
                }
            }
            writeKey(output, key);
        }

        @Override
        public Object read(Kryo kryo, Input input, Class<?> type) {
            int form = input.readByte();
            byte[] blob;
            if (form == INLINE) {
                return inner.read(kryo, input, (Class) type);
            } else if (form == BLOB) {
                int n = input.readVarInt(true);
                if (n < 0 || input.getInputStream() == null && n > input.limit() - input.position()) {
                    throw new KryoException("an array of arrays of " + n + " bytes announced, but only "
                            + (input.limit() - input.position()) + " bytes are left");
                }
                blob = input.readBytes(n);
            } else if (form == SHARED) {
                blob = fetch(readKey(input));
            } else {
                throw new KryoException("an array announced in form " + form + ", not 0, 1 or 2");
            }
            Object array = KryoCodec.decode(blob);
            if (!type.isInstance(array)) {
                throw new KryoException("an array of arrays decoded to " + (array == null ? "null"
                        : array.getClass().getTypeName()) + ", not " + type.getTypeName());
            }
            // Its rows take the reference numbers the writer gave them (see write), in the same order.
            kryo.reference(array);
            com.esotericsoftware.kryo.ReferenceResolver refs = kryo.getReferenceResolver();
            if (kryo.getReferences() && refs != null) {
                for (Object row : (Object[]) array) {
                    if (row != null) {
                        refs.setReadObject(refs.nextReadId(row.getClass()), row);
                    }
                }
            }
            return array;
        }

        @Override
        public Object copy(Kryo kryo, Object original) {
            return inner.copy(kryo, original);
        }
    }

    private static final class Wrapper extends Serializer<Object> {
        private final Serializer<Object> inner;
        private final ToLongFunction<Object> bytes;

        Wrapper(Serializer<Object> inner, ToLongFunction<Object> bytes) {
            this.inner = inner;
            this.bytes = bytes;
            setAcceptsNull(true);
        }

        @Override
        public void write(Kryo kryo, Output output, Object array) {
            // Every primitive array goes through here (results too): the size first, then the thread's session.
            Session s = array == null || bytes.applyAsLong(array) < FROM_BYTES ? null : CURRENT.get();
            if (s == null) {
                output.writeByte(INLINE);
                inner.write(kryo, output, array);
                return;
            }
            String known = knownKey(s, array);
            if (known != null) {
                writeKey(output, known);
                return;
            }
            // Encoded inline first, in place when the output is one buffer (the usual case: the bytes are then
            // copied once); taken back and replaced by the key if it goes by key (a primitive array's encoding
            // touches no state of Kryo's: nothing else is undone).
            boolean inPlace = output.getOutputStream() == null;
            int flagAt = output.position();
            byte[] encoded;
            int offset;
            int length;
            if (inPlace) {
                output.writeByte(INLINE);
                offset = output.position();
                inner.write(kryo, output, array);
                encoded = output.getBuffer();
                length = output.position() - offset;
            } else {
                Output alone = new Output((int) Math.min(Integer.MAX_VALUE - 16, bytes.applyAsLong(array) + 16), -1);
                inner.write(kryo, alone, array);
                encoded = alone.getBuffer();
                offset = 0;
                length = alone.position();
            }
            String key = keyFor(s, array, encoded, offset, length);
            if (key != null) {
                if (inPlace) {
                    output.setPosition(flagAt);
                }
                writeKey(output, key);
                return;
            }
            if (!inPlace) {
                output.writeByte(INLINE);
                output.writeBytes(encoded, 0, length);
            }
        }

        @Override
        public Object read(Kryo kryo, Input input, Class<?> type) {
            int form = input.readByte();
            if (form == INLINE) {
                return inner.read(kryo, input, (Class) type);
            }
            if (form != SHARED) {
                throw new KryoException("an array announced in form " + form + ", not 0 (inline) or 1 (shared)");
            }
            byte[] encoded = fetch(readKey(input));
            Object array = inner.read(kryo, new Input(encoded), (Class) type);
            Map<Object, byte[]> origins = ORIGINS.get();
            if (origins == null) {
                origins = new IdentityHashMap<>();
                ORIGINS.set(origins);
            }
            origins.put(array, encoded);
            return array;
        }

        @Override
        public Object copy(Kryo kryo, Object original) {
            return inner.copy(kryo, original);
        }
    }
}
