package io.scoop.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

/**
 * The few reads of the JDK's own internals that shipping plain lambdas and {@code java.util.concurrent}'s
 * private task wrappers needs, and nothing else: the method references in a lambda class's constant pool, and
 * the fields of a JDK object.
 *
 * <p>Where the JVM was started with the packages opened to us ({@link #FLAGS}, which the launcher and the
 * embedded default give the JVMs they start), plain reflection does it. A JVM the user started without them
 * (the root of the embedded default) reaches them through {@code sun.misc.Unsafe}, as a JDK agent would through
 * {@code Instrumentation}: on Java 24 and later that prints the JVM's one-time "terminally deprecated method"
 * warning, which {@link #FLAGS} silence.
 */
public final class JdkInternals {
    /** JVM options that open what this class reads; with them no {@code sun.misc.Unsafe} is used. */
    public static final List<String> FLAGS = List.of(
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED");

    private static volatile MethodHandles.Lookup trusted;

    private JdkInternals() {
    }

    /** A lookup with private access to {@code type}: through opened packages if we may, else the JVM's own. */
    public static MethodHandles.Lookup privateLookup(Class<?> type) throws ReflectiveOperationException {
        Module ours = JdkInternals.class.getModule();
        if (type.getModule().isOpen(type.getPackageName(), ours)) {
            return MethodHandles.privateLookupIn(type, MethodHandles.lookup());
        }
        return trustedLookup().in(type);
    }

    /** Reads field {@code name} of {@code target}, declared by {@code declaring}. */
    public static Object field(Object target, Class<?> declaring, String name) throws ReflectiveOperationException {
        Field f = declaring.getDeclaredField(name);
        return invoke(privateLookup(declaring).unreflectGetter(f), target);
    }

    /**
     * The method references ({@code owner.name descriptor}, owner in internal form) in the constant pool of
     * {@code type}: for a lambda class, its implementation method is one of them.
     */
    public static List<String> methodRefs(Class<?> type) throws ReflectiveOperationException {
        Class<?> poolType = Class.forName("jdk.internal.reflect.ConstantPool");
        MethodHandles.Lookup onClass = privateLookup(Class.class);
        MethodHandles.Lookup onPool = privateLookup(poolType);
        Object pool = invoke(onClass.findVirtual(Class.class, "getConstantPool", MethodType.methodType(poolType)), type);
        int size = (int) invoke(onPool.findVirtual(poolType, "getSize", MethodType.methodType(int.class)), pool);
        Class<?> tagType = Class.forName("jdk.internal.reflect.ConstantPool$Tag");
        MethodHandle tagAt = onPool.findVirtual(poolType, "getTagAt", MethodType.methodType(tagType, int.class));
        MethodHandle refAt = onPool.findVirtual(poolType, "getMemberRefInfoAt", MethodType.methodType(String[].class,
                int.class));
        List<String> refs = new ArrayList<>();
        for (int i = 1; i < size; i++) {
            String tag = String.valueOf(invoke(tagAt, pool, i));
            if (tag.equals("METHODREF") || tag.equals("INTERFACEMETHODREF")) {
                String[] ref = (String[]) invoke(refAt, pool, i);
                refs.add(ref[0] + "." + ref[1] + ref[2]);
            }
        }
        return refs;
    }

    private static Object invoke(MethodHandle h, Object... args) throws ReflectiveOperationException {
        try {
            return h.invokeWithArguments(args);
        } catch (ReflectiveOperationException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new ReflectiveOperationException(t);
        }
    }

    private static MethodHandles.Lookup trustedLookup() throws ReflectiveOperationException {
        MethodHandles.Lookup l = trusted;
        if (l == null) {
            Class<?> unsafeType = Class.forName("sun.misc.Unsafe");
            Field theUnsafe = unsafeType.getDeclaredField("theUnsafe");
            theUnsafe.setAccessible(true);
            Object unsafe = theUnsafe.get(null);
            Field implLookup = MethodHandles.Lookup.class.getDeclaredField("IMPL_LOOKUP");
            Method base = unsafeType.getMethod("staticFieldBase", Field.class);
            Method offset = unsafeType.getMethod("staticFieldOffset", Field.class);
            Method get = unsafeType.getMethod("getObject", Object.class, long.class);
            try {
                l = (MethodHandles.Lookup) get.invoke(unsafe, base.invoke(unsafe, implLookup),
                        offset.invoke(unsafe, implLookup));
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw new ReflectiveOperationException("this JVM refuses sun.misc.Unsafe (" + e.getCause()
                        + "); start it with " + String.join(" ", FLAGS), e.getCause());
            }
            trusted = l;
        }
        return l;
    }
}
