package io.scoop.wire;

import io.scoop.internal.JdkInternals;
import java.io.IOException;
import java.lang.invoke.SerializedLambda;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How to make a lambda again in another JVM: its call site (the class that created it, the functional
 * interface and its method, the implementation method and the types javac handed the metafactory) and the
 * fields that hold its captured values. One per lambda class, computed on first use.
 *
 * <p>A serializable lambda says all this itself ({@code writeReplace}); this is for the others. A plain
 * lambda is a hidden class of
 * the JDK's metafactory: its fields are its captured values, in order, and its one method calls the
 * implementation method. We find the call site in the defining class's class file by its shape (interface,
 * method, captured types); where that class has several call sites of the same shape, the lambda class's own
 * constant pool, which names the implementation method, tells them apart.
 */
record LambdaRecipe(String capturingClass, String interfaceClass, String interfaceMethod, String interfaceDescriptor,
        int implKind, String implClass, String implName, String implDescriptor, String instantiatedDescriptor,
        String site, MethodHandle[] captured) {

    private static final ClassValue<Object> RECIPES = new ClassValue<>() {
        @Override
        protected Object computeValue(Class<?> type) {
            try {
                return of(type);
            } catch (NotShippable e) {
                return e;
            }
        }
    };

    private static final ClassValue<LambdaSites> SITES = new ClassValue<>() {
        @Override
        protected LambdaSites computeValue(Class<?> type) {
            try {
                return LambdaSites.of(type);
            } catch (IOException e) {
                return null;
            }
        }
    };

    /** Why a lambda cannot be made again elsewhere; the message is for the user as it stands. */
    static final class NotShippable extends Exception {
        NotShippable(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The class whose code created a lambda: the JDK names the lambda class after it ({@code Main$1$$Lambda$14/0x…},
     * {@code Main$1$$Lambda/0x…} from Java 21). Its nest host is not it when it is a nested, inner or anonymous
     * class: the call site is in the class file of the class itself.
     */
    static Class<?> definingClass(Class<?> lambdaClass) {
        String name = lambdaClass.getName();
        int cut = name.indexOf("$$Lambda");
        if (cut > 0) {
            try {
                return Class.forName(name.substring(0, cut), false, lambdaClass.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                // fall back to the nest host
            }
        }
        return lambdaClass.getNestHost();
    }

    static boolean isLambda(Class<?> type) {
        return type.isSynthetic() && type.isHidden() && type.getName().contains("$$Lambda");
    }

    /** The recipe of a lambda object's class (cached per class). */
    static LambdaRecipe of(Object lambda) throws NotShippable {
        Object r = RECIPES.get(lambda.getClass());
        if (r instanceof NotShippable e) {
            throw new NotShippable(e.getMessage());
        }
        return (LambdaRecipe) r;
    }

    private static LambdaRecipe of(Class<?> type) throws NotShippable {
        Class<?> host = definingClass(type);
        List<Field> fields = capturedFields(type);
        LambdaSites sites = SITES.get(host);
        String where = "a lambda created in " + host.getName();
        if (sites == null) {
            throw new NotShippable(where + " cannot be sent to a worker: the class file of " + host.getName()
                    + " cannot be read through its class loader, so its call site cannot be found. Make the task a"
                    + " named class, or cast the lambda as (Callable<T> & Serializable)");
        }
        Set<String> methods = new HashSet<>();
        for (Method m : type.getDeclaredMethods()) {
            if (!m.isBridge() && !Modifier.isStatic(m.getModifiers())) {
                methods.add(m.getName() + descriptor(m));
            }
        }
        Set<String> interfaces = new HashSet<>();
        for (Class<?> i : type.getInterfaces()) {
            interfaces.add(internal(i));
        }
        StringBuilder capturedTypes = new StringBuilder("(");
        for (Field f : fields) {
            capturedTypes.append(descriptor(f.getType()));
        }
        String captured = capturedTypes.append(')').toString();
        Map<String, LambdaSites.Site> byImpl = new LinkedHashMap<>();
        for (LambdaSites.Site s : sites.sites()) {
            if (interfaces.contains(s.interfaceType()) && methods.contains(s.samName() + s.samDescriptor())
                    && s.factoryDescriptor().startsWith(captured)) {
                byImpl.putIfAbsent(s.implKey(), s);
            }
        }
        if (byImpl.size() > 1) {
            List<String> refs;
            try {
                refs = JdkInternals.methodRefs(type);
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new NotShippable(where + " cannot be sent to a worker: " + host.getName() + " has "
                        + byImpl.size() + " lambdas of its shape and this JVM does not let Scoop read which one it is ("
                        + e + "). Start the JVM with " + String.join(" ", JdkInternals.FLAGS)
                        + ", or cast the lambda as (Callable<T> & Serializable)");
            }
            byImpl.keySet().retainAll(refs);
        }
        if (byImpl.size() != 1) {
            throw new NotShippable(where + " cannot be sent to a worker: " + (byImpl.isEmpty()
                    ? "no call site of its shape was found in the class file of " + host.getName()
                    + " (was the class changed or generated at run time?)"
                    : "it matches " + byImpl.size() + " call sites " + byImpl.keySet())
                    + ". Make the task a named class, or cast the lambda as (Callable<T> & Serializable)");
        }
        LambdaSites.Site s = byImpl.values().iterator().next();
        return new LambdaRecipe(internal(host), s.interfaceType(), s.samName(), s.samDescriptor(), s.implKind(),
                s.implOwner(), s.implName(), s.implDescriptor(), s.instantiatedDescriptor(),
                site(host, s.implOwner(), s.implName(), s.implDescriptor()), getters(type, fields));
    }

    /** The values {@code lambda} (an instance of this recipe's class) captured, in order. */
    Object[] capturedValues(Object lambda) {
        Object[] values = new Object[captured.length];
        for (int i = 0; i < values.length; i++) {
            try {
                values[i] = captured[i].invoke(lambda);
            } catch (Throwable e) {
                throw new IllegalStateException("could not read a captured value of " + site, e);
            }
        }
        return values;
    }

    /** The lambda's serialized form, with its captured values. */
    SerializedLambda form(Object lambda) {
        return new SerializedLambda(definingClass(lambda.getClass()), interfaceClass, interfaceMethod,
                interfaceDescriptor, implKind, implClass, implName, implDescriptor, instantiatedDescriptor,
                capturedValues(lambda));
    }

    /** "the lambda at Main.main(Main.java:42)" or "the method reference Main::work". */
    static String site(Class<?> host, String implOwner, String implName, String implDescriptor) {
        if (!implName.startsWith("lambda$")) {
            return "the method reference " + implOwner.replace('/', '.') + "::"
                    + (implName.equals("<init>") ? "new" : implName) + " (in " + host.getName() + ")";
        }
        String enclosing = implName.substring("lambda$".length());
        int cut = enclosing.lastIndexOf('$');
        enclosing = cut > 0 ? enclosing.substring(0, cut) : enclosing;
        LambdaSites sites = implOwner.equals(internal(host)) ? SITES.get(host) : null;
        int line = sites == null ? -1 : sites.firstLine(implName, implDescriptor);
        String topLevel = host.getName().replaceAll("\\$.*", "");
        String file = topLevel.substring(topLevel.lastIndexOf('.') + 1) + ".java";
        return "the lambda at " + host.getName() + "." + (enclosing.equals("new") ? "<init>" : enclosing)
                + "(" + (line > 0 ? file + ":" + line : file) + ")";
    }

    private static List<Field> capturedFields(Class<?> type) {
        List<Field> fields = new ArrayList<>();
        for (Field f : type.getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers())) {
                fields.add(f);
            }
        }
        fields.sort(Comparator.comparingInt(f -> argIndex(f.getName())));
        return fields;
    }

    private static MethodHandle[] getters(Class<?> type, List<Field> fields) throws NotShippable {
        MethodHandle[] getters = new MethodHandle[fields.size()];
        try {
            MethodHandles.Lookup lookup = getters.length == 0 ? null : JdkInternals.privateLookup(type);
            for (int i = 0; i < getters.length; i++) {
                getters[i] = lookup.unreflectGetter(fields.get(i)).asType(MethodType.methodType(Object.class,
                        Object.class));
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new NotShippable("a lambda created in " + definingClass(type).getName() + " cannot be sent to"
                    + " a worker: its captured values cannot be read (" + e + "); open the package of "
                    + definingClass(type).getName() + " to Scoop (module-info 'opens') or make the task a named class");
        }
        return getters;
    }

    private static int argIndex(String name) {
        try {
            return Integer.parseInt(name.substring(name.lastIndexOf('$') + 1));
        } catch (RuntimeException e) {
            return Integer.MAX_VALUE;
        }
    }

    static String internal(Class<?> c) {
        return c.getName().replace('.', '/');
    }

    static String descriptor(Method m) {
        StringBuilder sb = new StringBuilder("(");
        for (Class<?> p : m.getParameterTypes()) {
            sb.append(descriptor(p));
        }
        return sb.append(')').append(descriptor(m.getReturnType())).toString();
    }

    static String descriptor(Class<?> c) {
        return c.descriptorString();
    }

    @Override
    public String toString() {
        return site + ", " + captured.length + " captured values";
    }
}
