package io.scoop.root;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scoop.SerializableRunnable;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The warning for Runnables that write results into containers captured from the submitting JVM. */
class SharedStateCheckTest {
    /** An anonymous Runnable capturing an array is named, with the variable, once per class. */
    @Test
    void checkRunnable_anonymousClassCapturingArray_warnsOnceNamingTheVariable() {
        double[] results = new double[4];
        List<String> warnings = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int slot = i;
            Runnable r = new Runnable() {
                @Override
                public void run() {
                    results[slot] = slot;
                }
            };
            SharedStateCheck.checkRunnable(r, warnings::add);
        }
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("'results' (double[])"), warnings.get(0));
        assertTrue(warnings.get(0).contains("return the value from a Callable"), warnings.get(0));
    }

    /** A serializable lambda capturing a list is reported too. */
    @Test
    void checkRunnable_lambdaCapturingList_warns() {
        List<Integer> sink = new ArrayList<>();
        SerializableRunnable r = () -> sink.add(1);
        List<String> warnings = new ArrayList<>();
        SharedStateCheck.checkRunnable(r, warnings::add);
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("ArrayList"), warnings.get(0));
    }

    /** A Runnable holding only plain values says nothing. */
    @Test
    void checkRunnable_noContainers_staysQuiet() {
        String name = "x";
        List<String> warnings = new ArrayList<>();
        SharedStateCheck.checkRunnable(new Runnable() {
            @Override
            public void run() {
                name.length();
            }
        }, warnings::add);
        assertEquals(List.of(), warnings);
    }
}
