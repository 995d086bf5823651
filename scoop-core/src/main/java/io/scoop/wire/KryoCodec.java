package io.scoop.wire;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.ClosureSerializer;
import com.esotericsoftware.kryo.serializers.FieldSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy;
import com.esotericsoftware.kryo.util.Pool;
import java.io.Serializable;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.Map;
import org.objenesis.strategy.StdInstantiatorStrategy;

/**
 * Encodes user objects (tasks, results) with pooled Kryo instances. Used at the edges only: the root and
 * the workers; the broker never calls it.
 *
 * <p>Configuration, and why:
 * <ul>
 *   <li>No registration required and references on: users ship arbitrary object graphs, cycles included.
 *   <li>Synthetic fields are kept: an anonymous class's captured locals ({@code val$x}) and enclosing
 *       instance ({@code this$0}) are what it needs on the worker.
 *   <li>Objects are created without calling constructors when no no-arg constructor exists (Objenesis).
 *   <li>Lambdas and method references, serializable or not, go through {@link LambdaSerializer}, which needs
 *       no {@code --add-opens}.
 *   <li>Objects that belong to their JVM (threads, locks, open streams, other executors) are refused with a
 *       reason ({@link Untravelable}); {@code System.out} and {@code System.err} travel as the worker's own.
 *   <li>JDK classes that Kryo has no serializer of its own for cannot be read by reflection without
 *       {@code --add-opens}; when they are {@link Serializable} they use Java serialization instead, and
 *       the JDK's hidden unmodifiable collections ({@code List.of}, {@code stream().toList()}) are
 *       re-created as unmodifiable collections by {@link JdkCollectionSerializer}.
 * </ul>
 */
public final class KryoCodec {
    static {
        // From Java 24 the JVM warns on first use of sun.misc.Unsafe's memory access, which Kryo uses for speed
        // when it finds it; there we ask Kryo for plain reflection instead (unless the user chose otherwise).
        if (Runtime.version().feature() >= 24 && System.getProperty("kryo.unsafe") == null) {
            System.setProperty("kryo.unsafe", "false");
        }
    }

    private static final Pool<Kryo> POOL = new Pool<>(true, false, 64) {
        @Override
        protected Kryo create() {
            return newKryo();
        }
    };

    /**
     * Each thread's encoding buffer. Up to {@value #KEPT_BUFFER} bytes it is kept as it grew; a larger one, up to
     * {@value #SOFT_BUFFER} bytes, is held softly (the collector takes it back when the heap runs short): a run
     * of 1 MiB tasks (or a 16 MiB shared value made anew) would otherwise grow a new buffer from 4 KiB each time,
     * copying and dropping twice its size.
     */
    private static final ThreadLocal<Output> OUTPUT = ThreadLocal.withInitial(() -> new Output(4096, -1));
    private static final ThreadLocal<java.lang.ref.SoftReference<Output>> LARGE_OUTPUT = new ThreadLocal<>();
    private static final int KEPT_BUFFER = 1 << 20;
    /** The largest buffer held softly; a larger one is dropped after its encode. */
    private static final int SOFT_BUFFER = 32 << 20;
    /** Each thread's buffer for {@link #measure}: 64 KiB, dropped into a null stream as it fills. */
    private static final ThreadLocal<Output> MEASURE = ThreadLocal.withInitial(
            () -> new Output(java.io.OutputStream.nullOutputStream(), 64 * 1024));

    private KryoCodec() {
    }

    /** Encodes {@code value} with its class. Throws {@code KryoException} (or a runtime error) on failure. */
    public static byte[] encode(Object value) {
        java.lang.ref.SoftReference<Output> large = LARGE_OUTPUT.get();
        Output out = large == null ? null : large.get();
        if (out == null) {
            out = OUTPUT.get();
        }
        try {
            out.reset();
            write(out, value);
            return out.toBytes();
        } finally {
            int capacity = out.getBuffer().length;
            if (capacity > SOFT_BUFFER) {
                // Past what is worth keeping at all (a task of tens of MiB): dropped, as before.
                if (large != null && large.get() == out) {
                    LARGE_OUTPUT.remove();
                } else {
                    OUTPUT.remove();
                }
            } else if (capacity > KEPT_BUFFER && (large == null || large.get() != out)) {
                // It grew past what is kept for sure: held softly from now on, the small one kept for later.
                LARGE_OUTPUT.set(new java.lang.ref.SoftReference<>(out));
                OUTPUT.remove();
            }
        }
    }

    /**
     * Encodes {@code value} as {@link #encode} does, into a buffer of its own: for a value encoded apart while
     * another encoding is under way on this thread (which holds this thread's buffer).
     */
    public static byte[] encodeAlone(Object value) {
        Output out = new Output(4096, -1);
        write(out, value);
        return out.toBytes();
    }

    /** Writes {@code value} with its class into {@code out}, with a Kryo of the pool. */
    private static void write(Output out, Object value) {
        Kryo kryo = POOL.obtain();
        try {
            kryo.setClassLoader(loader());
            kryo.writeClassAndObject(out, value);
        } finally {
            kryo.reset();
            POOL.free(kryo);
        }
    }

    /**
     * The length {@link #encode} would return for {@code value}, found by encoding it into a small buffer that is
     * counted and dropped as it fills: the same checks and failures as {@code encode}, without keeping the bytes.
     */
    public static long measure(Object value) {
        Output out = MEASURE.get();
        out.setOutputStream(java.io.OutputStream.nullOutputStream()); // and back to 0 bytes counted
        write(out, value);
        out.flush();
        return out.total();
    }

    /** Decodes what {@link #encode} wrote, loading classes with the thread's context class loader. */
    public static Object decode(byte[] bytes) {
        Kryo kryo = POOL.obtain();
        try {
            kryo.setClassLoader(loader());
            return kryo.readClassAndObject(new Input(bytes));
        } finally {
            kryo.reset();
            POOL.free(kryo);
        }
    }

    /**
     * The values a lambda or method reference captured, in order, or null if {@code value} is not one (or its
     * call site cannot be found).
     */
    public static Object[] capturedValues(Object value) {
        if (value == null || !LambdaRecipe.isLambda(value.getClass())) {
            return null;
        }
        try {
            return LambdaSerializer.capturedValues(value);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static ClassLoader loader() {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        return cl != null ? cl : KryoCodec.class.getClassLoader();
    }

    private static Kryo newKryo() {
        Kryo kryo = new Kryo() {
            @Override
            @SuppressWarnings("rawtypes")
            public Serializer getDefaultSerializer(Class type) {
                if (type == java.io.PrintStream.class) {
                    return new StandardStreamSerializer();
                }
                if (java.nio.file.Path.class.isAssignableFrom(type)
                        && type.getName().startsWith("sun.nio.fs.")) {
                    return new PathSerializer();
                }
                if (ExecutorsAdapterSerializer.handles(type)) {
                    return new ExecutorsAdapterSerializer();
                }
                Serializer refused = Untravelable.refusing(type);
                if (refused != null) {
                    return refused;
                }
                if (type.getModule().isNamed() && !Modifier.isPublic(type.getModifiers())
                        && (Collection.class.isAssignableFrom(type) || Map.class.isAssignableFrom(type))
                        && JdkCollectionSerializer.handles(type)) {
                    return new JdkCollectionSerializer(type);
                }
                return super.getDefaultSerializer(type);
            }

            /** Called only for types none of Kryo's own default serializers covers. */
            @Override
            @SuppressWarnings("rawtypes")
            protected Serializer newDefaultSerializer(Class type) {
                if (type.getModule().isNamed() && Serializable.class.isAssignableFrom(type) && !type.isEnum()
                        && !type.isArray()) {
                    return new JavaSerializer();
                }
                return super.newDefaultSerializer(type);
            }
        };
        kryo.setRegistrationRequired(false);
        kryo.setReferences(true);
        kryo.setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
        FieldSerializer.FieldSerializerConfig config = new FieldSerializer.FieldSerializerConfig();
        config.setIgnoreSyntheticFields(false);
        kryo.setDefaultSerializer(new com.esotericsoftware.kryo.SerializerFactory.FieldSerializerFactory(config));
        kryo.register(ClosureSerializer.Closure.class, new LambdaSerializer());
        PrimitiveArraySerializer.registerAll(kryo);
        SharedArrays.registerAll(kryo);
        return kryo;
    }
}
