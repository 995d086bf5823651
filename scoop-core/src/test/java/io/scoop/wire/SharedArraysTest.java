package io.scoop.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.esotericsoftware.kryo.io.Output;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * The compare that tells a write-back what a task changed in an array it got by key: against the bytes the
 * array was decoded from, as the write-back compares a copy (see {@code WriteBack}). The end to end cases (arrays
 * sent once, their writes coming back) are in {@code SharedDataTest}, on real workers.
 */
class SharedArraysTest {
    /** The encoding an array sent by key is decoded from: its length + 1, then its elements, little-endian. */
    private static byte[] origin(Object array, int width) {
        int n = java.lang.reflect.Array.getLength(array);
        Output out = new Output(16 + n * width, -1);
        out.writeVarInt(n + 1, true);
        ByteBuffer b = ByteBuffer.allocate(n * width).order(ByteOrder.LITTLE_ENDIAN);
        if (array instanceof double[] d) {
            b.asDoubleBuffer().put(d);
        } else if (array instanceof long[] l) {
            b.asLongBuffer().put(l);
        } else if (array instanceof int[] i) {
            b.asIntBuffer().put(i);
        } else if (array instanceof float[] f) {
            b.asFloatBuffer().put(f);
        } else {
            b.put((byte[]) array);
        }
        out.writeBytes(b.array());
        return out.toBytes();
    }

    @Test
    void firstChange_findsTheFirstElementWritten_inEachElementType() {
        double[] d = new double[100_000];
        byte[] od = origin(d, 8);
        assertEquals(-1, SharedArrays.firstChange(d, od));
        d[54_321] = 1;
        d[70_000] = 2;
        assertEquals(54_321, SharedArrays.firstChange(d, od));
        d[54_321] = 0;
        d[70_000] = 0;
        d[3] = -0.0;
        assertEquals(3, SharedArrays.firstChange(d, od), "-0.0 over 0.0 is a write");

        long[] l = new long[9_000];
        byte[] ol = origin(l, 8);
        l[8_999] = Long.MIN_VALUE;
        assertEquals(8_999, SharedArrays.firstChange(l, ol));

        int[] i = new int[70_000];
        byte[] oi = origin(i, 4);
        assertEquals(-1, SharedArrays.firstChange(i, oi));
        i[0] = 1;
        assertEquals(0, SharedArrays.firstChange(i, oi));

        float[] f = {1f, Float.NaN, 3f};
        byte[] of = origin(f, 4);
        assertEquals(-1, SharedArrays.firstChange(f, of));
        f[2] = 4f;
        assertEquals(2, SharedArrays.firstChange(f, of));

        byte[] b = new byte[200_000];
        byte[] ob = origin(b, 1);
        b[199_999] = 9;
        assertEquals(199_999, SharedArrays.firstChange(b, ob));
    }

    @Test
    void decodeOrigin_givesTheArrayAsItWasBeforeTheTask() {
        double[] d = {1.5, Double.NaN, -0.0, Double.MAX_VALUE};
        assertArrayEquals(d, (double[]) SharedArrays.decodeOrigin(double[].class, origin(d, 8)));
        byte[] b = {1, 2, 3};
        assertArrayEquals(b, (byte[]) SharedArrays.decodeOrigin(byte[].class, origin(b, 1)));
    }
}
