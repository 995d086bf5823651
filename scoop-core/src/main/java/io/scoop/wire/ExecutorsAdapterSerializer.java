package io.scoop.wire;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.scoop.internal.JdkInternals;
import java.security.PrivilegedAction;
import java.security.PrivilegedExceptionAction;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;

/**
 * The callables of {@link Executors#callable(Runnable, Object)}, {@code callable(PrivilegedAction)} and
 * {@code callable(PrivilegedExceptionAction)}: private JDK classes, so what travels is what they wrap, and the
 * receiving JVM calls the same public factory again.
 */
final class ExecutorsAdapterSerializer extends Serializer<Callable<?>> {
    private static final int RUNNABLE = 0, ACTION = 1, EXCEPTION_ACTION = 2;

    static boolean handles(Class<?> type) {
        return type.getEnclosingClass() == Executors.class && Callable.class.isAssignableFrom(type);
    }

    @Override
    public void write(Kryo kryo, Output out, Callable<?> adapter) {
        Class<?> type = adapter.getClass();
        try {
            if (has(type, "task")) {
                out.writeByte(RUNNABLE);
                kryo.writeClassAndObject(out, JdkInternals.field(adapter, type, "task"));
                kryo.writeClassAndObject(out, JdkInternals.field(adapter, type, "result"));
            } else if (has(type, "val$action")) {
                Object action = JdkInternals.field(adapter, type, "val$action");
                out.writeByte(action instanceof PrivilegedExceptionAction ? EXCEPTION_ACTION : ACTION);
                kryo.writeClassAndObject(out, action);
            } else {
                throw new TravelException("the JDK adapter " + type.getName() + " cannot be sent to a worker: this"
                        + " Java version lays it out in a way Scoop does not know. Submit what it wraps instead", null);
            }
        } catch (ReflectiveOperationException e) {
            throw new TravelException("the JDK adapter " + type.getName() + " cannot be read (" + e + "); start"
                    + " the JVM with " + String.join(" ", JdkInternals.FLAGS), e);
        }
    }

    private static boolean has(Class<?> type, String field) {
        try {
            type.getDeclaredField(field);
            return true;
        } catch (NoSuchFieldException e) {
            return false;
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public Callable<?> read(Kryo kryo, Input in, Class<? extends Callable<?>> type) {
        int kind = in.readByte();
        return switch (kind) {
            case RUNNABLE -> Executors.callable((Runnable) kryo.readClassAndObject(in), kryo.readClassAndObject(in));
            case ACTION -> Executors.callable((PrivilegedAction<?>) kryo.readClassAndObject(in));
            case EXCEPTION_ACTION -> Executors.callable((PrivilegedExceptionAction<?>) kryo.readClassAndObject(in));
            default -> throw new KryoException("unknown Executors adapter kind " + kind);
        };
    }
}
