package dev.dynamo.agent.internal.instrumentation;

import dev.dynamo.agent.internal.ByteStreams;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.function.BiFunction;

/**
 * Reads class files through a class loader without loading any class, looking on the loader's own
 * class path first and only then through the loader with its parents. The application class loader's
 * own class path is read straight from its jars and directories ({@link ApplicationClassPath}). Through
 * {@code ClassLoader.getResourceAsStream} alone the JDK's loaders come first, and each searches every
 * module of the runtime image for the name (and keeps the miss in its resource cache), which for a
 * class of the application costs more than weaving a small class. An application's classes are on
 * its own loader's class path; JDK types and types of a parent loader are still found by the
 * fallback. Where a class file is on the class path and in a parent too (an old jar that bundles
 * {@code org/w3c/dom}), the class path's copy is read: the weaver asks only for a type's annotations
 * and supertypes, which both copies share.
 */
final class ClassFileLookup {
    /** (loader, resource) to the resource on that loader's own class path, or null; null before Java 9. */
    private final BiFunction<ClassLoader, String, InputStream> ownClassPath;
    /** The application class loader's class path, or null to read it through that loader too. */
    private final ApplicationClassPath applicationClassPath;

    ClassFileLookup() {
        this(ownClassPathResources(), ApplicationClassPath.ofThisJvm());
    }

    /**
     * @param ownClassPath as {@link OwnClassPathResources} does; null: as before Java 9
     * @param applicationClassPath null: read through the application class loader as through others
     */
    ClassFileLookup(BiFunction<ClassLoader, String, InputStream> ownClassPath,
            ApplicationClassPath applicationClassPath) {
        this.ownClassPath = ownClassPath;
        this.applicationClassPath = applicationClassPath;
    }

    /**
     * As {@link #read(ClassLoader, String)}, but where {@code loaderLocked}, without calling into
     * {@code loader} itself: another thread holds its lock (a loader that is not parallel-capable,
     * locked while it loads the class being woven, and which may lock itself to serve resources too),
     * and waits for this one. Its parents are asked instead; a class file only it serves is not found.
     */
    byte[] read(ClassLoader loader, String internalName, boolean loaderLocked) throws IOException {
        if (!loaderLocked) {
            return read(loader, internalName);
        }
        ClassLoader parent = loader.getParent();
        return parent == null ? null : read(parent, internalName);
    }

    /** The class file of {@code internalName} as {@code loader} sees it, or null when there is none. */
    byte[] read(ClassLoader loader, String internalName) throws IOException {
        String resource = internalName + ".class";
        if (applicationClassPath != null && ApplicationClassPath.isApplicationLoader(loader)) {
            byte[] classFile = null;
            try {
                classFile = applicationClassPath.read(resource);
            } catch (IOException | RuntimeException unreadable) {
                // A jar that cannot be read now: the loader may still serve the class file.
            }
            if (classFile != null) {
                return classFile;
            }
        }
        try (InputStream in = open(loader, resource)) {
            return in == null ? null : ByteStreams.readAll(in, 4096);
        }
    }

    private InputStream open(ClassLoader loader, String resource) throws IOException {
        InputStream own = null;
        try {
            if (ownClassPath != null) {
                own = ownClassPath.apply(loader, resource);
            } else if (loader instanceof URLClassLoader) {
                URL url = ((URLClassLoader) loader).findResource(resource);
                own = url == null ? null : url.openStream();
            }
        } catch (IOException | RuntimeException ownLookupFailed) {
            // An application's loader may fail in a lookup of its own; the full lookup may still succeed.
            own = null;
        }
        return own != null ? own : loader.getResourceAsStream(resource);
    }

    /** On Java 9 and later {@link OwnClassPathResources}, compiled for Java 9; null before. */
    @SuppressWarnings("unchecked")
    private static BiFunction<ClassLoader, String, InputStream> ownClassPathResources() {
        try {
            return (BiFunction<ClassLoader, String, InputStream>) Class.forName(
                    ClassFileLookup.class.getPackage().getName() + ".OwnClassPathResources")
                    .getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError java8) {
            return null;
        }
    }
}
