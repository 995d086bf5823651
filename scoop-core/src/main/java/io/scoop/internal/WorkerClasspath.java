package io.scoop.internal;

import java.io.File;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The classpath the embedded default forks its worker JVMs with.
 *
 * <p>In order: the builder's {@code classpath(...)}; the system property {@value #PROPERTY}; this JVM's
 * {@code java.class.path} when the system class loader loaded Scoop (a program started with {@code java -cp},
 * {@code java -jar}, Gradle's {@code run} or an IDE's run button); else the URLs of the class loaders that
 * loaded Scoop and the calling thread's context class loader (their chains up to the system class loader,
 * which adds {@code java.class.path}). That last case is a tool that runs the program in a class loader of its
 * own: {@code mvn exec:java}, whose {@code java.class.path} is Maven's launcher, not the program. If one of
 * those class loaders does not tell its URLs, the embedded default cannot guess, and says what to set.
 */
public final class WorkerClasspath {
    /** The system property that gives the workers' classpath, as {@code java -cp} takes it. */
    public static final String PROPERTY = "scoop.workerClasspath";

    private WorkerClasspath() {
    }

    /**
     * @param explicit the builder's classpath, or null
     * @return the workers' classpath
     * @throws IllegalStateException if it cannot be found out; the message says what to set
     */
    public static String resolve(String explicit) {
        if (explicit != null) {
            return explicit;
        }
        String property = System.getProperty(PROPERTY);
        if (property != null && !property.isBlank()) {
            return property.strip();
        }
        return derive(WorkerClasspath.class.getClassLoader(), Thread.currentThread().getContextClassLoader(),
                System.getProperty("java.class.path", ""));
    }

    /**
     * The classpath that holds what {@code scoopLoader} (the loader of Scoop) and {@code contextLoader} (the
     * program's, or null) see, as {@code java -cp} takes it.
     *
     * @throws IllegalStateException if a loader in Scoop's chain does not tell its URLs
     */
    static String derive(ClassLoader scoopLoader, ClassLoader contextLoader, String javaClassPath) {
        ClassLoader system = ClassLoader.getSystemClassLoader();
        if (scoopLoader == system) {
            return javaClassPath;
        }
        Set<String> entries = new LinkedHashSet<>();
        boolean reachesSystem = false;
        // The program's loader first (its classes win, as they do for it), then Scoop's.
        List<ClassLoader> starts = new ArrayList<>();
        if (contextLoader != null && contextLoader != system) {
            starts.add(contextLoader);
        }
        starts.add(scoopLoader);
        for (ClassLoader start : starts) {
            for (ClassLoader l = start; l != null; l = l.getParent()) {
                if (l == system) {
                    reachesSystem = true;
                    break;
                }
                if (l == ClassLoader.getPlatformClassLoader()) {
                    break;
                }
                if (!(l instanceof URLClassLoader u) || !addFiles(u.getURLs(), entries)) {
                    if (start == scoopLoader) {
                        throw cannotTell(l, javaClassPath);
                    }
                    break; // the program's loader: what it adds beyond Scoop's is unknown, Scoop's chain still counts
                }
            }
        }
        if (reachesSystem) {
            for (String e : javaClassPath.split(File.pathSeparator)) {
                if (!e.isEmpty()) {
                    entries.add(Path.of(e).toAbsolutePath().toString());
                }
            }
        }
        String scoop = location(WorkerClasspath.class);
        if (scoop != null && !entries.contains(scoop)) {
            throw cannotTell(scoopLoader, javaClassPath);
        }
        return String.join(File.pathSeparator, entries);
    }

    /** Adds the file URLs as paths; false if one is not a file (a jar over HTTP, a nested jar). */
    private static boolean addFiles(URL[] urls, Set<String> entries) {
        for (URL url : urls) {
            if (!"file".equals(url.getProtocol())) {
                return false;
            }
            try {
                entries.add(Path.of(url.toURI()).toAbsolutePath().toString());
            } catch (URISyntaxException | IllegalArgumentException e) {
                return false;
            }
        }
        return true;
    }

    /** Where {@code c} was loaded from, as a path; null if unknown. */
    private static String location(Class<?> c) {
        CodeSource source = c.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null || !"file".equals(source.getLocation().getProtocol())) {
            return null;
        }
        try {
            URI uri = source.getLocation().toURI();
            return Path.of(uri).toAbsolutePath().toString();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }

    private static IllegalStateException cannotTell(ClassLoader loader, String javaClassPath) {
        return new IllegalStateException("the embedded default cannot tell which classpath to start its worker JVMs"
                + " with: Scoop was loaded by " + loader + " (" + loader.getClass().getName() + "), a class loader"
                + " that does not list its jars, and this JVM's java.class.path (" + javaClassPath + ") is not the"
                + " program's, as when a tool or an IDE runs the program in a class loader of its own. Give the"
                + " workers' classpath (your classes, scoop-core and its dependencies, as for java -cp):"
                + " DistributedExecutor.builder().classpath(\"app.jar" + File.pathSeparator + "scoop-core.jar"
                + File.pathSeparator + "...\").build(), or -D" + PROPERTY + "=...; or run the program with java -cp,"
                + " or under scoop-launcher");
    }
}
