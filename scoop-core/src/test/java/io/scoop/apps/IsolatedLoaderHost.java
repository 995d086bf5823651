package io.scoop.apps;

import java.io.File;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Runs a program the way {@code mvn exec:java} does: in a {@link URLClassLoader} of its own (child of the
 * system class loader), set as the thread's context class loader, while this JVM's {@code java.class.path}
 * holds only this class. Uses the JDK only, since the test copies this class alone onto the JVM's classpath.
 *
 * <p>Arguments: the program's classpath ({@code :}-separated), its main class, its arguments.
 */
public final class IsolatedLoaderHost {
    private IsolatedLoaderHost() {
    }

    public static void main(String[] args) throws Exception {
        String[] entries = args[0].split(File.pathSeparator);
        URL[] urls = new URL[entries.length];
        for (int i = 0; i < entries.length; i++) {
            urls[i] = Path.of(entries[i]).toUri().toURL();
        }
        URLClassLoader loader = new URLClassLoader(urls, ClassLoader.getSystemClassLoader());
        Thread.currentThread().setContextClassLoader(loader);
        Class<?> main = Class.forName(args[1], true, loader);
        Method m = main.getMethod("main", String[].class);
        m.invoke(null, (Object) Arrays.copyOfRange(args, 2, args.length));
    }
}
