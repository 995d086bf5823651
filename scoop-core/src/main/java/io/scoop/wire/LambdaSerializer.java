package io.scoop.wire;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.io.Serializable;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Method;

/**
 * Ships serializable lambdas without {@code --add-opens java.base/java.lang.invoke}.
 *
 * <p>Kryo's own closure serializer calls {@code SerializedLambda.readResolve}, a private method of
 * {@code java.base}, which the module system forbids unless the JVM was started with an add-opens flag.
 * We take the same two steps through methods of the <em>user's</em> classes instead, which live in the
 * unnamed module and can be made accessible: the lambda's synthetic {@code writeReplace} gives the
 * {@link SerializedLambda}, and the capturing class's synthetic {@code $deserializeLambda$} turns one back
 * into a lambda. Captured values are written with Kryo, so they need not be {@link Serializable}.
 */
final class LambdaSerializer extends Serializer<Object> {
    private static final ClassValue<Method> WRITE_REPLACE = new ClassValue<>() {
        @Override
        protected Method computeValue(Class<?> type) {
            try {
                Method m = type.getDeclaredMethod("writeReplace");
                m.setAccessible(true);
                return m;
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
    };

    private static final ClassValue<Method> DESERIALIZE = new ClassValue<>() {
        @Override
        protected Method computeValue(Class<?> type) {
            try {
                Method m = type.getDeclaredMethod("$deserializeLambda$", SerializedLambda.class);
                m.setAccessible(true);
                return m;
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new KryoException("class " + type.getName() + " declares no serializable lambda ($deserializeLambda$ is missing): "
                        + e, e);
            }
        }
    };

    @Override
    public void write(Kryo kryo, Output out, Object lambda) {
        SerializedLambda sl = serializedForm(lambda);
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
            kryo.writeClassAndObject(out, sl.getCapturedArg(i));
        }
    }

    @Override
    public Object read(Kryo kryo, Input in, Class<? extends Object> type) {
        String capturing = in.readString();
        String fi = in.readString();
        String fiName = in.readString();
        String fiSig = in.readString();
        int implKind = in.readVarInt(true);
        String implClass = in.readString();
        String implName = in.readString();
        String implSig = in.readString();
        String instantiated = in.readString();
        Object[] captured = new Object[in.readVarInt(true)];
        for (int i = 0; i < captured.length; i++) {
            captured[i] = kryo.readClassAndObject(in);
        }
        Class<?> capturingClass;
        try {
            capturingClass = Class.forName(capturing.replace('/', '.'), false, kryo.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new KryoException("Unable to find class: " + capturing.replace('/', '.'), e);
        }
        SerializedLambda sl = new SerializedLambda(capturingClass, fi, fiName, fiSig, implKind, implClass,
                implName, implSig, instantiated, captured);
        try {
            return DESERIALIZE.get(capturingClass).invoke(null, sl);
        } catch (ReflectiveOperationException e) {
            throw new KryoException("could not re-create lambda " + implClass + "." + implName + ": " + e.getCause(), e);
        }
    }

    static SerializedLambda serializedForm(Object lambda) {
        Method m = lambda instanceof Serializable ? WRITE_REPLACE.get(lambda.getClass()) : null;
        if (m == null) {
            throw new KryoException("lambda " + lambda.getClass().getName() + " is not serializable");
        }
        try {
            return (SerializedLambda) m.invoke(lambda);
        } catch (ReflectiveOperationException e) {
            throw new KryoException("could not take the serialized form of lambda " + lambda.getClass().getName(), e);
        }
    }
}
