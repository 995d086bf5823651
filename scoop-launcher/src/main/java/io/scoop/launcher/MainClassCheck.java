package io.scoop.launcher;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;

/**
 * Whether the program's main class is on its classpath and has a {@code main} method, checked in the
 * launcher before any worker starts: a misspelt {@code --main} is a usage error, not a root that dies after
 * the cluster came up.
 *
 * <p>The class is loaded without being initialized (no static initializer runs), from a class loader over the
 * program's jars and directories whose parent is the launcher's own (which holds scoop-core, as the root's
 * classpath does). A class that cannot be linked here (a dependency missing from the classpath) is not
 * reported: the check only refuses what is certainly wrong.
 */
final class MainClassCheck {
    private MainClassCheck() {
    }

    /** What is wrong with the main class. */
    enum Problem {
        /** No such class on the classpath. */
        NOT_FOUND,
        /** The class has no {@code main(String[])} (nor {@code main()}) method. */
        NO_MAIN
    }

    /**
     * @return what is wrong with {@code mainClass} on {@code classpath}, or null if nothing (or nothing certain)
     */
    static Problem check(List<Path> classpath, String mainClass) {
        URL[] urls = new URL[classpath.size()];
        try {
            for (int i = 0; i < urls.length; i++) {
                urls[i] = classpath.get(i).toUri().toURL();
            }
        } catch (MalformedURLException e) {
            return null;
        }
        try (URLClassLoader loader = new URLClassLoader(urls, MainClassCheck.class.getClassLoader())) {
            Class<?> c;
            try {
                c = Class.forName(mainClass, false, loader);
            } catch (ClassNotFoundException e) {
                return Problem.NOT_FOUND;
            }
            return hasMain(c) ? null : Problem.NO_MAIN;
        } catch (LinkageError | IOException | SecurityException e) {
            return null;
        }
    }

    /**
     * A method named {@code main} taking {@code String[]} (or, as newer JDKs also launch, nothing), declared in
     * the class or a superclass.
     */
    private static boolean hasMain(Class<?> c) {
        for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
            for (Method m : k.getDeclaredMethods()) {
                if (m.getName().equals("main") && (m.getParameterCount() == 0
                        || (m.getParameterCount() == 1 && m.getParameterTypes()[0] == String[].class))) {
                    return true;
                }
            }
        }
        return false;
    }
}
