package io.scoop.root;

import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Warns, once per task class, about a Runnable that captures an array, collection or map: programs written
 * for a thread pool often have tasks write their results into such a shared container. On a worker the
 * task writes into a copy, and the root's container stays as it was. There is no result to carry the
 * writes back, so the warning is the only place this can be seen.
 */
public final class SharedStateCheck {
    private static final Map<Class<?>, Boolean> WARNED = new ConcurrentHashMap<>();

    private SharedStateCheck() {
    }

    /** Checks a task submitted as a Runnable; calls {@code warn} with a sentence the first time. */
    public static void checkRunnable(Object task, Consumer<String> warn) {
        Class<?> type = task.getClass();
        if (WARNED.putIfAbsent(type, Boolean.TRUE) != null) {
            return;
        }
        String container = capturedContainer(task);
        if (container != null) {
            warn.accept("scoop: warning: task " + type.getName() + " is a Runnable that captures " + container
                    + ". It runs on a copy in a worker JVM, so what it writes there is not seen in this JVM;"
                    + " return the value from a Callable (submit/invokeAll/map) instead");
        }
    }

    private static String capturedContainer(Object task) {
        Class<?> type = task.getClass();
        if (type.isSynthetic() && type.getName().contains("$$Lambda")) {
            try {
                Method wr = type.getDeclaredMethod("writeReplace");
                wr.setAccessible(true);
                SerializedLambda sl = (SerializedLambda) wr.invoke(task);
                for (int i = 0; i < sl.getCapturedArgCount(); i++) {
                    Object arg = sl.getCapturedArg(i);
                    if (isContainer(arg)) {
                        return "a " + arg.getClass().getSimpleName() + " (captured variable " + (i + 1) + ")";
                    }
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
            return null;
        }
        if (type.getModule().isNamed()) {
            return null;
        }
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) {
                    continue;
                }
                try {
                    f.setAccessible(true);
                    Object v = f.get(task);
                    if (isContainer(v)) {
                        String name = f.getName().startsWith("val$") ? f.getName().substring(4) : f.getName();
                        return "'" + name + "' (" + v.getClass().getSimpleName() + ")";
                    }
                } catch (ReflectiveOperationException | RuntimeException e) {
                    // not readable: nothing to say
                }
            }
        }
        return null;
    }

    private static boolean isContainer(Object v) {
        return v != null && (v.getClass().isArray() || v instanceof Collection || v instanceof Map);
    }
}
