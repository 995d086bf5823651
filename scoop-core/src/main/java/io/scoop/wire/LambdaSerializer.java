package io.scoop.wire;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.scoop.internal.JdkInternals;
import java.io.Serializable;
import java.lang.invoke.CallSite;
import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandleInfo;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.SerializedLambda;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ships every lambda and method reference, serializable or not, without {@code --add-opens}.
 *
 * <p>What travels is the lambda's call site and its captured values: a serializable lambda's
 * {@code writeReplace} gives them as a {@link SerializedLambda}; for a plain one {@link LambdaRecipe} finds the
 * call site in its defining class's class file and reads the captured values from the lambda's fields. The
 * receiving JVM asks {@link LambdaMetafactory} for the same lambda, with a lookup in the defining class (which
 * lives in the unnamed module, so no flag is needed), and hands it the captured values. Captured values are
 * written with Kryo, so they need not be {@link Serializable}; one that cannot travel fails the encoding with a
 * {@link TravelException} naming the lambda and the value's type.
 */
final class LambdaSerializer extends Serializer<Object> {
    private static final ClassValue<MethodHandle> WRITE_REPLACE = new ClassValue<>() {
        @Override
        protected MethodHandle computeValue(Class<?> type) {
            if (!Serializable.class.isAssignableFrom(type)) {
                return null;
            }
            try {
                return JdkInternals.privateLookup(type).findVirtual(type, "writeReplace",
                        MethodType.methodType(Object.class)).asType(MethodType.methodType(Object.class, Object.class));
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
    };

    /** Per defining class: the lambda factory of each call site that arrived, keyed by its description. */
    private static final ClassValue<Map<String, MethodHandle>> FACTORIES = new ClassValue<>() {
        @Override
        protected Map<String, MethodHandle> computeValue(Class<?> type) {
            return new ConcurrentHashMap<>();
        }
    };

    /** A lambda's call site and captured values, and where it was written (for messages). */
    record Form(SerializedLambda lambda, boolean serializable, String site) {
    }

    /**
     * The serialized form of any lambda or method reference.
     *
     * @throws TravelException if its call site cannot be found
     */
    static Form form(Object lambda) {
        MethodHandle writeReplace = WRITE_REPLACE.get(lambda.getClass());
        if (writeReplace != null) {
            SerializedLambda sl;
            try {
                sl = (SerializedLambda) writeReplace.invoke(lambda);
            } catch (Throwable e) {
                throw new KryoException("could not take the serialized form of lambda " + lambda.getClass().getName(), e);
            }
            return new Form(sl, true, LambdaRecipe.site(LambdaRecipe.definingClass(lambda.getClass()), sl.getImplClass(),
                    sl.getImplMethodName(), sl.getImplMethodSignature()));
        }
        LambdaRecipe recipe;
        try {
            recipe = LambdaRecipe.of(lambda);
        } catch (LambdaRecipe.NotShippable e) {
            throw new TravelException(e.getMessage(), null);
        }
        return new Form(recipe.form(lambda), false, recipe.site());
    }

    /**
     * What every instance of one lambda class writes alike, encoded once: the call site (the flag, the nine names
     * and signatures, the count of captured values), where it was written (for messages), and how to read an
     * instance's captured values (a plain lambda's fields; null for a serializable one, read by writeReplace).
     */
    private record Header(byte[] bytes, String site, LambdaRecipe recipe) {
    }

    /** Per lambda class: its header, made from its first instance. */
    private static final ClassValue<java.util.concurrent.atomic.AtomicReference<Header>> HEADERS = new ClassValue<>() {
        @Override
        protected java.util.concurrent.atomic.AtomicReference<Header> computeValue(Class<?> type) {
            return new java.util.concurrent.atomic.AtomicReference<>();
        }
    };

    /** The longest call site a reader accepts (the real ones take about 150 bytes). */
    private static final int MAX_HEADER_BYTES = 64 * 1024;

    private static Header header(Object lambda) {
        java.util.concurrent.atomic.AtomicReference<Header> ref = HEADERS.get(lambda.getClass());
        Header h = ref.get();
        if (h == null) {
            Form form = form(lambda);
            SerializedLambda sl = form.lambda();
            Output o = new Output(256, -1);
            o.writeBoolean(form.serializable());
            o.writeString(sl.getCapturingClass());
            o.writeString(sl.getFunctionalInterfaceClass());
            o.writeString(sl.getFunctionalInterfaceMethodName());
            o.writeString(sl.getFunctionalInterfaceMethodSignature());
            o.writeVarInt(sl.getImplMethodKind(), true);
            o.writeString(sl.getImplClass());
            o.writeString(sl.getImplMethodName());
            o.writeString(sl.getImplMethodSignature());
            o.writeString(sl.getInstantiatedMethodType());
            o.writeVarInt(sl.getCapturedArgCount(), true);
            LambdaRecipe recipe = null;
            if (!form.serializable()) {
                try {
                    recipe = LambdaRecipe.of(lambda);
                } catch (LambdaRecipe.NotShippable e) {
                    throw new TravelException(e.getMessage(), null);
                }
            }
            if (o.position() > MAX_HEADER_BYTES) {
                throw new TravelException(form.site() + " cannot be sent to a worker: its call site takes "
                        + o.position() + " bytes, more than the " + MAX_HEADER_BYTES + " a worker reads", null);
            }
            h = new Header(o.toBytes(), form.site(), recipe);
            h = ref.compareAndSet(null, h) ? h : ref.get();
        }
        return h;
    }

    /** The header every instance of {@code lambda}'s class writes (for tests). */
    static byte[] headerOf(Object lambda) {
        return header(lambda).bytes().clone();
    }

    /** The values {@code lambda} captured, in order. */
    static Object[] capturedValues(Object lambda) {
        return capturedValues(lambda, header(lambda));
    }

    private static Object[] capturedValues(Object lambda, Header h) {
        if (h.recipe() != null) {
            return h.recipe().capturedValues(lambda);
        }
        SerializedLambda sl;
        try {
            sl = (SerializedLambda) WRITE_REPLACE.get(lambda.getClass()).invoke(lambda);
        } catch (Throwable e) {
            throw new KryoException("could not take the serialized form of lambda " + lambda.getClass().getName(), e);
        }
        Object[] out = new Object[sl.getCapturedArgCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = sl.getCapturedArg(i);
        }
        return out;
    }

    /**
     * Writes the lambda's call site (its class's header: its length, then its bytes) and its captured values. The
     * header is the same for every instance, so a reader that has seen it looks up its factory by those bytes
     * without reading the names again.
     */
    @Override
    public void write(Kryo kryo, Output out, Object lambda) {
        Header h = header(lambda);
        Object[] values = capturedValues(lambda, h);
        out.writeVarInt(h.bytes().length, true);
        out.writeBytes(h.bytes());
        for (Object value : values) {
            try {
                kryo.writeClassAndObject(out, value);
            } catch (TravelException e) {
                throw new TravelException(h.site() + " captures " + e.getMessage(), e);
            } catch (RuntimeException | StackOverflowError e) {
                throw new TravelException(h.site() + " captures " + Untravelable.article(value.getClass())
                        + ", which " + Untravelable.why(e) + ". Capture only the data the task needs (or make the"
                        + " fields the worker does not need transient)", e);
            }
        }
    }

    /** A header read before, with the factory it named in a class loader, and its count of captured values. */
    private record Known(byte[] header, int hash, ClassLoader loader, MethodHandle factory, int count) {
    }

    /**
     * Each thread's last headers, by hash (a bulk of tasks repeats one lambda). At most 8 a thread, each holding
     * its class loader and factory until another header takes its slot: a worker's task threads use one loader.
     */
    private static final ThreadLocal<Known[]> KNOWN = ThreadLocal.withInitial(() -> new Known[8]);

    @Override
    public Object read(Kryo kryo, Input in, Class<? extends Object> type) {
        int length = in.readVarInt(true);
        if (length <= 0 || length > MAX_HEADER_BYTES
                || in.getInputStream() == null && length > in.limit() - in.position()) {
            throw new KryoException("a lambda's call site of " + length + " bytes announced (at most "
                    + MAX_HEADER_BYTES + ", and no more than the bytes left)");
        }
        byte[] header = in.readBytes(length);
        ClassLoader loader = kryo.getClassLoader();
        int hash = java.util.Arrays.hashCode(header);
        Known[] known = KNOWN.get();
        int slot = hash & (known.length - 1);
        Known k = known[slot];
        if (k == null || k.hash() != hash || k.loader() != loader || !java.util.Arrays.equals(k.header(), header)) {
            k = known(header, hash, loader);
            known[slot] = k;
        }
        Object[] captured = new Object[k.count()];
        for (int i = 0; i < captured.length; i++) {
            captured[i] = kryo.readClassAndObject(in);
        }
        try {
            return k.factory().invokeExact(captured);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new KryoException(t);
        }
    }

    /** Reads a header's names and finds (or makes) the factory of its lambda. */
    private static Known known(byte[] header, int hash, ClassLoader loader) {
        Input in = new Input(header);
        boolean serializable;
        String capturing;
        String fi;
        String fiName;
        String fiSig;
        int implKind;
        String implClass;
        String implName;
        String implSig;
        String instantiated;
        int count;
        try {
            serializable = in.readBoolean();
            capturing = string(in, header);
            fi = string(in, header);
            fiName = string(in, header);
            fiSig = string(in, header);
            implKind = in.readVarInt(true);
            implClass = string(in, header);
            implName = string(in, header);
            implSig = string(in, header);
            instantiated = string(in, header);
            count = in.readVarInt(true);
        } catch (KryoException e) {
            throw new KryoException("a lambda's call site is malformed: " + e.getMessage(), e);
        }
        if (count < 0 || count > 255) {
            throw new KryoException("a lambda cannot capture " + count + " values (the JVM's limit is 255)");
        }
        if (implKind < MethodHandleInfo.REF_invokeVirtual || implKind > MethodHandleInfo.REF_invokeInterface) {
            throw new KryoException("a lambda's call site is malformed: method handle kind " + implKind);
        }
        if (in.position() != header.length || capturing == null || fi == null || fiName == null || fiSig == null
                || implClass == null || implName == null || implSig == null || instantiated == null) {
            throw new KryoException("a lambda's call site is malformed");
        }
        Class<?> capturingClass = load(capturing, loader);
        String key = String.join(" ", fi, fiName, fiSig, Integer.toString(implKind), implClass, implName, implSig,
                instantiated, Integer.toString(count), Boolean.toString(serializable));
        MethodHandle factory = FACTORIES.get(capturingClass).get(key);
        if (factory == null) {
            try {
                factory = factory(capturingClass, load(fi, loader), fiName, fiSig, implKind, load(implClass, loader),
                        implName, implSig, instantiated, count, serializable);
            } catch (ReflectiveOperationException | RuntimeException | Error e) {
                throw new KryoException("could not re-create the lambda " + implClass.replace('/', '.') + "."
                        + implName + implSig + " of " + capturing.replace('/', '.') + ": " + e, e);
            } catch (Throwable t) {
                throw new KryoException(t);
            }
            MethodHandle first = FACTORIES.get(capturingClass).putIfAbsent(key, factory);
            if (first != null) {
                factory = first; // another thread made it at the same time: one factory per call site
            }
        }
        return new Known(header, hash, loader, factory, count);
    }

    /**
     * Reads one of Kryo's strings from a header, refusing first a length that the header's bytes cannot hold:
     * Kryo allocates the characters a length announces before it reads them. Kryo writes a string either as ASCII
     * bytes whose last has its top bit set, or as a flag byte (top bit set) whose low 6 bits, then 7-bit groups
     * while bit 6 (then bit 7) says more follow, give the character count + 1.
     */
    private static String string(Input in, byte[] header) {
        int p = in.position();
        if (p >= header.length) {
            throw new KryoException("a name is missing");
        }
        int b = header[p];
        if ((b & 0x80) != 0) {
            long n = b & 0x3F;
            boolean more = (b & 0x40) != 0;
            int q = p + 1;
            int shift = 6;
            while (more) {
                if (q >= header.length || shift > 34) {
                    throw new KryoException("a name's length is cut short");
                }
                int c = header[q++];
                n |= (long) (c & 0x7F) << shift;
                shift += 7;
                more = (c & 0x80) != 0;
            }
            if (n - 1 > header.length - q) {
                throw new KryoException("a name of " + (n - 1) + " characters announced, with " + (header.length - q)
                        + " bytes left");
            }
        }
        return in.readString();
    }

    private static MethodHandle factory(Class<?> capturing, Class<?> fi, String fiName, String fiSig, int implKind,
            Class<?> implClass, String implName, String implSig, String instantiated, int captured,
            boolean serializable) throws Throwable {
        MethodHandles.Lookup caller = JdkInternals.privateLookup(capturing);
        ClassLoader loader = capturing.getClassLoader();
        MethodType implType = MethodType.fromMethodDescriptorString(implSig, loader);
        MethodHandle impl = switch (implKind) {
            case MethodHandleInfo.REF_invokeStatic -> caller.findStatic(implClass, implName, implType);
            case MethodHandleInfo.REF_newInvokeSpecial -> caller.findConstructor(implClass, implType);
            case MethodHandleInfo.REF_invokeSpecial -> implClass == capturing
                    ? caller.findVirtual(implClass, implName, implType)
                    : caller.findSpecial(implClass, implName, implType, capturing);
            default -> caller.findVirtual(implClass, implName, implType);
        };
        MethodType factoryType = MethodType.methodType(fi, impl.type().parameterList().subList(0, captured));
        MethodType samType = MethodType.fromMethodDescriptorString(fiSig, loader);
        MethodType instantiatedType = MethodType.fromMethodDescriptorString(instantiated, loader);
        CallSite site = serializable
                ? LambdaMetafactory.altMetafactory(caller, fiName, factoryType, samType, impl, instantiatedType,
                        LambdaMetafactory.FLAG_SERIALIZABLE)
                : LambdaMetafactory.metafactory(caller, fiName, factoryType, samType, impl, instantiatedType);
        // One shape for every factory, (Object[])Object, so that each task's call is an invokeExact.
        return site.getTarget().asType(MethodType.genericMethodType(captured)).asSpreader(Object[].class, captured);
    }

    private static Class<?> load(String internalName, ClassLoader loader) {
        try {
            return Class.forName(internalName.replace('/', '.'), false, loader);
        } catch (ClassNotFoundException e) {
            throw new KryoException("Unable to find class: " + internalName.replace('/', '.'), e);
        }
    }
}
