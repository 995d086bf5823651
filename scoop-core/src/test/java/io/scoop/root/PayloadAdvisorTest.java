package io.scoop.root;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scoop.wire.KryoCodec;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/** The once-per-class report of large tasks names what weighs most and says how to send it once. */
class PayloadAdvisorTest {
    @Test
    void advice_forALambdaCapturingABigArray_namesItFirstWithItsSizeAndTheHint() {
        byte[] big = new byte[2 << 20];
        String small = "label";
        Callable<Integer> task = () -> big.length + small.length();
        String advice = PayloadAdvisor.advice(task, KryoCodec.encode(task).length);
        assertTrue(advice.contains("travels as 2.0 MB encoded"), advice);
        assertTrue(advice.contains("the most of it is captured value #1 (byte[], 2.0 MB)"), advice);
        assertTrue(advice.contains("pool.share(value)"), advice);
    }

    static final class Holder implements Callable<Integer> {
        final double[] grid = new double[300_000];
        final int n = 3;

        @Override
        public Integer call() {
            return grid.length + n;
        }
    }

    @Test
    void advice_forAClass_namesItsHeaviestField() {
        Holder task = new Holder();
        String advice = PayloadAdvisor.advice(task, KryoCodec.encode(task).length);
        assertTrue(advice.contains("field grid (double[], 2.3 MB)"), advice);
        assertTrue(advice.indexOf("field grid") < advice.indexOf("field n"), advice);
    }
}
