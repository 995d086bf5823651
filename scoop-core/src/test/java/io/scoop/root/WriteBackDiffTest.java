package io.scoop.root;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bulk compare that finds which elements of a captured primitive array a task changed. */
class WriteBackDiffTest {
    private static List<Integer> changed(Object before, Object now, int n) {
        List<Integer> out = new ArrayList<>();
        int i = WriteBack.mismatchFrom(before, now, 0, n);
        while (i >= 0) {
            out.add(i);
            i = WriteBack.mismatchFrom(before, now, i + 1, n);
        }
        return out;
    }

    @Test
    void everyChangedElement_isFound_firstLastAndRuns() {
        long[] before = new long[100_000];
        long[] now = before.clone();
        now[0] = 1;
        now[500] = 2;
        now[501] = 3;
        now[99_999] = 4;
        assertEquals(List.of(0, 500, 501, 99_999), changed(before, now, before.length));
        assertEquals(List.of(), changed(before, before.clone(), before.length));
    }

    @Test
    void floatingPoint_comparesBits_asBoxedEqualsDid() {
        double[] before = {Double.NaN, 0.0, 1.0};
        double[] now = {Double.NaN, -0.0, 1.0};
        assertEquals(List.of(1), changed(before, now, 3), "NaN is unchanged, 0.0 to -0.0 is a change");
        assertEquals(List.of(2), changed(new float[] {1, 2, 3}, new float[] {1, 2, 4}, 3));
    }

    @Test
    void everyPrimitiveType() {
        assertEquals(List.of(1), changed(new byte[] {1, 2}, new byte[] {1, 3}, 2));
        assertEquals(List.of(0), changed(new int[] {1, 2}, new int[] {0, 2}, 2));
        assertEquals(List.of(1), changed(new char[] {'a', 'b'}, new char[] {'a', 'c'}, 2));
        assertEquals(List.of(0), changed(new short[] {1}, new short[] {2}, 1));
        assertEquals(List.of(1), changed(new boolean[] {true, false}, new boolean[] {true, true}, 2));
        assertEquals(List.of(), changed(new int[0], new int[0], 0));
    }
}
