package io.scoop.bench.jmh;

import io.scoop.wire.KryoCodec;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The wire codec on the hot path of every task, one JVM, no sockets: encoding a task as a root does at submit
 * and decoding it as a worker does, for the task shapes users write (a plain lambda capturing an int, an
 * anonymous class, a lambda capturing a 1 MiB array), and a small result. Run:
 * {@code java -jar scoop-bench/target/scoop-bench.jar jmh CodecBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBench {
    private int i = 41;
    private byte[] mib;
    private Callable<Integer> lambda;
    private Callable<Integer> anonymous;
    private Callable<Integer> bigLambda;
    private byte[] lambdaBytes;
    private byte[] anonymousBytes;
    private byte[] bigBytes;
    private byte[] resultBytes;

    @Setup
    public void setUp() {
        int k = i;
        mib = new byte[1 << 20];
        mib[7] = 7;
        byte[] b = mib;
        lambda = () -> k + 1;
        anonymous = anonymousTask(k);
        bigLambda = () -> b.length + k;
        lambdaBytes = KryoCodec.encode(lambda);
        anonymousBytes = KryoCodec.encode(anonymous);
        bigBytes = KryoCodec.encode(bigLambda);
        resultBytes = KryoCodec.encode(42);
    }

    /** Made in a static method, as in a user's {@code main}: no enclosing instance (this state) travels with it. */
    private static Callable<Integer> anonymousTask(int k) {
        return new Callable<>() {
            @Override
            public Integer call() {
                return k + 1;
            }
        };
    }

    @Benchmark
    public byte[] encodePlainLambda() {
        return KryoCodec.encode(lambda);
    }

    @Benchmark
    public Object decodePlainLambda() {
        return KryoCodec.decode(lambdaBytes);
    }

    @Benchmark
    public byte[] encodeAnonymousClass() {
        return KryoCodec.encode(anonymous);
    }

    @Benchmark
    public Object decodeAnonymousClass() {
        return KryoCodec.decode(anonymousBytes);
    }

    @Benchmark
    public byte[] encodeLambdaCapturing1MiB() {
        return KryoCodec.encode(bigLambda);
    }

    @Benchmark
    public Object decodeLambdaCapturing1MiB() {
        return KryoCodec.decode(bigBytes);
    }

    @Benchmark
    public byte[] encodeSmallResult() {
        return KryoCodec.encode(i);
    }

    @Benchmark
    public Object decodeSmallResult() {
        return KryoCodec.decode(resultBytes);
    }
}
