package io.scoop.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** What users hand the codec: JDK collections, exceptions, lambdas, anonymous classes. */
class KryoCodecTest {
    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T value) {
        return (T) KryoCodec.decode(KryoCodec.encode(value));
    }

    /** Stack traces (JDK classes with private fields) travel without --add-opens. */
    @Test
    void encode_stackTraceElements_roundTrips() {
        StackTraceElement[] stack = new Throwable().getStackTrace();
        assertArrayEquals(stack, roundTrip(stack));
    }

    /** A TaskFailure with its cause chain and Java-serialized exception round-trips. */
    @Test
    void encode_taskFailure_roundTrips() {
        TaskFailure f = TaskFailure.of(TaskFailure.THREW, new IllegalStateException("x", new RuntimeException("y")), "w1");
        TaskFailure back = roundTrip(f);
        assertEquals("java.lang.IllegalStateException", back.className);
        assertEquals("y", back.cause.message);
        assertEquals(f.stack.length, back.stack.length);
    }

    /** The JDK's hidden unmodifiable collections come back equal and unmodifiable. */
    @Test
    void encode_unmodifiableJdkCollections_roundTrip() {
        List<Object> list = Stream.of(1, "a", null).collect(Collectors.toList());
        assertEquals(List.of(1, 2, 3), roundTrip(List.of(1, 2, 3)));
        assertEquals(list, roundTrip(Stream.of(1, "a", null).toList()));
        assertEquals(Map.of("k", 1), roundTrip(Map.of("k", 1)));
        assertEquals(Arrays.asList(1, 2), roundTrip(Arrays.asList(1, 2)));
        List<Integer> back = roundTrip(List.of(1));
        assertThrows(UnsupportedOperationException.class, () -> back.add(2));
    }

    /** A serializable lambda with a captured, non-Serializable value travels without --add-opens. */
    @Test
    void encode_serializableLambdaCapturingPlainObject_roundTrips() throws Exception {
        List<Integer> captured = new ArrayList<>(List.of(5));
        Plain plain = new Plain(10);
        Callable<Integer> c = (Callable<Integer> & Serializable) () -> captured.get(0) + plain.n;
        assertEquals(15, roundTrip(c).call());
        Function<Integer, Integer> f = (Function<Integer, Integer> & Serializable) x -> x * plain.n;
        assertEquals(30, roundTrip(f).apply(3));
    }

    /** An anonymous class keeps its captured locals. */
    @Test
    void encode_anonymousClassCapturingLocals_roundTrips() throws Exception {
        int base = 40;
        Callable<Integer> c = new Callable<>() {
            @Override
            public Integer call() {
                return base + 2;
            }
        };
        assertEquals(42, roundTrip(c).call());
    }

    static final class Plain {
        final int n;

        Plain(int n) {
            this.n = n;
        }
    }

    /** Arrays of double, long, int and float travel in bulk: values (NaN, infinities, extremes) and sharing kept. */
    @Test
    void encode_primitiveArrays_roundTripExactly_andKeepSharing() {
        double[] d = new double[200_000];
        long[] l = new long[70_001];
        int[] i = new int[3];
        float[] f = {Float.NaN, -0.0f, Float.MIN_VALUE, Float.POSITIVE_INFINITY};
        for (int k = 0; k < d.length; k++) {
            d[k] = k * 1.5 - 7;
        }
        d[5] = Double.NaN;
        d[6] = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < l.length; k++) {
            l[k] = Long.MAX_VALUE - k * 977L;
        }
        i[0] = Integer.MIN_VALUE;
        Object[] back = roundTrip(new Object[] {d, l, i, f, new double[0], null, d});
        assertArrayEquals(d, (double[]) back[0]);
        assertArrayEquals(l, (long[]) back[1]);
        assertArrayEquals(i, (int[]) back[2]);
        assertArrayEquals(f, (float[]) back[3]);
        assertEquals(0, ((double[]) back[4]).length);
        assertEquals(null, back[5]);
        assertEquals(true, back[0] == back[6], "the same array twice stays one array");
    }

    /** Arrays of arrays of primitives (jagged, null rows, empty) round-trip as before outside a task's encoding. */
    @Test
    void encode_arraysOfPrimitiveArrays_roundTrip() {
        double[][] grid = {{1.5, -0.0}, null, {}, new double[20_000]};
        grid[3][19_999] = Double.NaN;
        int[][] counts = new int[300][100];
        counts[299][99] = 7;
        Object[] back = roundTrip(new Object[] {grid, counts, new byte[0][], null, grid});
        double[][] g = (double[][]) back[0];
        assertArrayEquals(grid[0], g[0]);
        assertEquals(null, g[1]);
        assertEquals(0, g[2].length);
        assertArrayEquals(grid[3], g[3]);
        assertEquals(7, ((int[][]) back[1])[299][99]);
        assertEquals(0, ((byte[][]) back[2]).length);
        assertEquals(true, back[0] == back[4], "the same grid twice stays one grid");
    }

    /** An array's form byte other than inline, by key or (for arrays of arrays) apart is refused by its value. */
    @Test
    void decode_anArrayInAnUnknownForm_isRefused() {
        byte[] bytes = KryoCodec.encode(new long[] {1, 2, 3});
        int at = bytes.length - 26; // the form byte, before the length + 1 and the 24 bytes
        assertEquals(0, bytes[at]);
        bytes[at] = 7;
        RuntimeException e = assertThrows(RuntimeException.class, () -> KryoCodec.decode(bytes));
        assertEquals(true, String.valueOf(e.getMessage()).contains("form 7"), e.getMessage());
    }

    /**
     * The forms a root uses for arrays sent once, forged: a key cut short, a grid apart whose
     * announced length passes the end, and a well-formed key in a JVM that is no worker (nothing to fetch from).
     */
    @Test
    void decode_forgedArrayKeysAndLengths_areRefusedByTheirReasons() {
        byte[] one = KryoCodec.encode(new long[] {1, 2, 3});
        int at = one.length - 26; // the form byte
        com.esotericsoftware.kryo.io.Output forged = new com.esotericsoftware.kryo.io.Output(256, -1);
        forged.writeBytes(one, 0, at);
        forged.writeByte(1);
        forged.writeBytes(new byte[] {1, 2, 3, 4, 5});
        RuntimeException e = assertThrows(RuntimeException.class, () -> KryoCodec.decode(forged.toBytes()));
        assertEquals(true, String.valueOf(e.getMessage()).contains("only 5 of its 32 bytes are left"), e.getMessage());

        com.esotericsoftware.kryo.io.Output unknown = new com.esotericsoftware.kryo.io.Output(256, -1);
        unknown.writeBytes(one, 0, at);
        unknown.writeByte(1);
        byte[] key = new byte[32];
        java.util.Arrays.fill(key, (byte) 0xab);
        unknown.writeBytes(key);
        e = assertThrows(RuntimeException.class, () -> KryoCodec.decode(unknown.toBytes()));
        assertEquals(true, String.valueOf(e.getMessage()).contains("could not be had here"), e.getMessage());

        byte[] grid = KryoCodec.encode(new double[0][]);
        int form = grid.length - 2; // the form byte, then the length + 1 (1)
        assertEquals(0, grid[form]);
        com.esotericsoftware.kryo.io.Output apart = new com.esotericsoftware.kryo.io.Output(256, -1);
        apart.writeBytes(grid, 0, form);
        apart.writeByte(2);
        apart.writeVarInt(1_000_000, true);
        e = assertThrows(RuntimeException.class, () -> KryoCodec.decode(apart.toBytes()));
        assertEquals(true, String.valueOf(e.getMessage()).contains("bytes are left"), e.getMessage());
    }

    /** A length the bytes left cannot hold is refused before the array is allocated. */
    @Test
    void decode_anArrayLengthPastTheEnd_isRefused() {
        byte[] bytes = KryoCodec.encode(new long[] {1, 2, 3});
        // The encoding: class id, then the length + 1 as a varint (4 here), then 24 bytes.
        int at = bytes.length - 25;
        assertEquals(4, bytes[at]);
        byte[] hostile = Arrays.copyOf(bytes, at + 5);
        hostile[at] = (byte) 0xff;
        hostile[at + 1] = (byte) 0xff;
        hostile[at + 2] = (byte) 0xff;
        hostile[at + 3] = (byte) 0xff;
        hostile[at + 4] = (byte) 0x07;
        RuntimeException e = assertThrows(RuntimeException.class, () -> KryoCodec.decode(hostile));
        assertEquals(true, String.valueOf(e.getMessage()).contains("bytes are left"), e.getMessage());
    }

    /**
     * Plain lambdas of several call sites, in turn, many times: each decodes to its own lambda with its own
     * captured values (a reader keeps the call sites it has seen, by their bytes).
     */
    @Test
    void decode_plainLambdasOfSeveralSites_interleaved_eachIsItself() throws Exception {
        for (int i = 0; i < 50; i++) {
            int k = i;
            String s = "s" + i;
            Callable<Integer> a = () -> k + 1;
            Callable<String> b = () -> s + k;
            Function<Integer, Integer> c = x -> x * k;
            Callable<Integer> d = () -> k - 1;
            assertEquals(k + 1, roundTrip(a).call());
            assertEquals(s + k, roundTrip(b).call());
            assertEquals(3 * k, roundTrip(c).apply(3));
            assertEquals(k - 1, roundTrip(d).call());
        }
    }

    /**
     * A lambda's call site is read within its announced length: a length past the bytes left, a call site with
     * bytes after its last field, a count over the JVM's 255, and a name announcing a billion characters are each
     * refused, saying so, before anything large is allocated.
     */
    @Test
    void decode_aLambdaWithAHostileCallSite_isRefused() {
        int k = 7;
        Callable<Integer> a = () -> k + 1;
        byte[] bytes = KryoCodec.encode(a);
        byte[] header = LambdaSerializer.headerOf(a);
        assertEquals(true, indexOf(bytes, header) > 0, "the call site is in the encoding");

        assertRefused(withHeader(bytes, header, header, 65_537), "call site of 65537 bytes");
        assertRefused(withHeader(bytes, header, header, 0), "call site of 0 bytes");
        byte[] trailing = Arrays.copyOf(header, header.length + 1);
        assertRefused(withHeader(bytes, header, trailing, trailing.length), "malformed");
        // The count is the header's last byte (1 here); 256 takes two.
        assertEquals(1, header[header.length - 1]);
        byte[] tooMany = Arrays.copyOf(header, header.length + 1);
        tooMany[header.length - 1] = (byte) 0x80;
        tooMany[header.length] = 0x02;
        assertRefused(withHeader(bytes, header, tooMany, tooMany.length), "cannot capture 256");
        // Not serializable, then a string flagged UTF-8 announcing about 2^30 characters in 6 bytes: Kryo would
        // allocate them (2 GiB) before reading, and this test's JVM would run out of memory.
        byte[] huge = {0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0x07};
        assertRefused(withHeader(bytes, header, huge, huge.length), "characters announced");
    }

    private static void assertRefused(byte[] hostile, String says) {
        RuntimeException e = assertThrows(RuntimeException.class, () -> KryoCodec.decode(hostile));
        assertEquals(true, String.valueOf(e.getMessage()).contains(says), says + ": " + e.getMessage());
    }

    /** {@code bytes} with the call site {@code old} (and its length before it) replaced by {@code header}. */
    private static byte[] withHeader(byte[] bytes, byte[] old, byte[] header, int announced) {
        int at = indexOf(bytes, old);
        int lengthBytes = old.length < 128 ? 1 : 2;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(bytes, 0, at - lengthBytes);
        for (int v = announced; ; v >>>= 7) {
            if ((v & ~0x7F) == 0) {
                out.write(v);
                break;
            }
            out.write((v & 0x7F) | 0x80);
        }
        out.write(header, 0, header.length);
        out.write(bytes, at + old.length, bytes.length - at - old.length);
        return out.toByteArray();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
