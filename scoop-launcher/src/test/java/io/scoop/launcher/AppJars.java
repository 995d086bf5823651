package io.scoop.launcher;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Builds app jars for the tests from the compiled test classes: the manifest (with or without a
 * {@code Main-Class}) and the class files of the main class, its nested classes and lambdas.
 */
final class AppJars {
    private AppJars() {
    }

    /** A jar whose manifest names {@code main} as its Main-Class and that holds {@code main}'s class files. */
    static Path withMainClass(Path dir, Class<?> main) throws IOException {
        return build(dir.resolve(main.getSimpleName() + ".jar"), main, main.getName());
    }

    /** A jar that holds {@code main}'s class files but whose manifest has no Main-Class. */
    static Path withoutMainClass(Path dir, Class<?> main) throws IOException {
        return build(dir.resolve(main.getSimpleName() + "-no-main.jar"), main, null);
    }

    private static Path build(Path jar, Class<?> main, String mainClassAttribute) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (mainClassAttribute != null) {
            manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, mainClassAttribute);
        }
        Path classes = classesRoot(main);
        String packageDir = main.getPackageName().replace('.', '/');
        List<Path> files;
        try (Stream<Path> s = Files.list(classes.resolve(packageDir))) {
            files = s.filter(p -> {
                String f = p.getFileName().toString();
                return f.equals(main.getSimpleName() + ".class") || f.startsWith(main.getSimpleName() + "$");
            }).sorted().toList();
        }
        try (OutputStream os = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(os, manifest)) {
            for (Path f : files) {
                out.putNextEntry(new JarEntry(packageDir + "/" + f.getFileName()));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
        return jar;
    }

    private static Path classesRoot(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the compiled classes of " + c.getName(), e);
        }
    }
}
