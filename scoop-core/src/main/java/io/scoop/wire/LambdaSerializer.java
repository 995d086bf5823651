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

    @Override
    public void write(Kryo kryo, Output out, Object lambda) {
        Form form = form(lambda);
        SerializedLambda sl = form.lambda();
        String site = form.site();
        out.writeBoolean(form.serializable());
        out.writeString(sl.getCapturingClass());
        out.writeString(sl.getFunctionalInterfaceClass());
        out.writeString(sl.getFunctionalInterfaceMethodName());
        out.writeString(sl.getFunctionalInterfaceMethodSignature());
        out.writeVarInt(sl.getImplMethodKind(), true);
        out.writeString(sl.getImplClass());
        out.writeString(sl.getImplMethodName());
        out.writeString(sl.getImplMethodSignature());
        out.writeString(sl.getInstantiatedMethodType());
        out.writeVarInt(sl.getCapturedArgCount(), true);
        for (int i = 0; i < sl.getCapturedArgCount(); i++) {
            Object value = sl.getCapturedArg(i);
            try {
                kryo.writeClassAndObject(out, value);
            } catch (TravelException e) {
                throw new TravelException(site + " captures " + e.getMessage(), e);
            } catch (RuntimeException | StackOverflowError e) {
                throw new TravelException(site + " captures " + Untravelable.article(value.getClass()) + ", which "
                        + Untravelable.why(e) + ". Capture only the data the task needs (or make the fields the"
                        + " worker does not need transient)", e);
            }
        }
    }

    @Override
    public Object read(Kryo kryo, Input in, Class<? extends Object> type) {
        boolean serializable = in.readBoolean();
        String capturing = in.readString();
        String fi = in.readString();
        String fiName = in.readString();
        String fiSig = in.readString();
        int implKind = in.readVarInt(true);
        String implClass = in.readString();
        String implName = in.readString();
        String implSig = in.readString();
        String instantiated = in.readString();
        int count = in.readVarInt(true);
        if (count > 255) {
            throw new KryoException("a lambda cannot capture " + count + " values (the JVM's limit is 255)");
        }
        Object[] captured = new Object[count];
        for (int i = 0; i < captured.length; i++) {
            captured[i] = kryo.readClassAndObject(in);
        }
        ClassLoader loader = kryo.getClassLoader();
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
            FACTORIES.get(capturingClass).putIfAbsent(key, factory);
        }
        try {
            return factory.invokeExact(captured);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new KryoException(t);
        }
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
