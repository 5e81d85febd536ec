package dev.dynamo.agent.internal.instrumentation;

import dev.dynamo.agent.internal.ByteStreams;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads class files of the JVM's application class path ({@code -cp}, {@code -jar}) straight from its
 * jars and directories. The application class loader serves a resource only as a URL, and opening
 * that URL parses it and goes through a {@code JarURLConnection}: cold, as during start-up, about four
 * times the cost of a {@code ZipFile} lookup (2,002 class files of a generated application: 190–310
 * ms against 59–76 ms), and the weaver reads the return type of each annotated method it has not seen.
 *
 * <p>Only the application class loader's class path is known this way: it is
 * {@code java.class.path} as the JVM started, and that loader never closes its jars. A jar opened
 * here shares the JDK's open file with that loader's own copy ({@code ZipFile} keeps one per file),
 * so it costs no file descriptor, and it stays open for the life of the JVM, as the loader's does.
 * A class path entry that is neither a readable jar nor a directory is skipped. What is not found
 * here (a jar named by a manifest's {@code Class-Path}, a type of the JDK) is left to the loader. A
 * multi-release jar is read as the loader reads it, for this JVM's version (before, the base entry
 * of a class was read, and a re-tester's attach missed the annotated methods of its Java 17 version).
 */
final class ApplicationClassPath {
    /** The application class loader's class on Java 9 and later, and on Java 8. */
    private static final String[] LOADER_CLASSES = {
            "jdk.internal.loader.ClassLoaders$AppClassLoader", "sun.misc.Launcher$AppClassLoader"};
    /** In {@link #opened}: an entry read as a directory, and one that is neither (missing, not a jar). */
    private static final Object DIRECTORY = new Object();
    private static final Object UNUSABLE = new Object();

    /** {@code JarFile(File, boolean, int, Runtime.Version)}, Java 9 and later; null on Java 8, which has no multi-release jars. */
    private static final Constructor<?> VERSIONED_JAR;
    /** {@code Runtime.version()}, the version a multi-release jar is read for; null on Java 8. */
    private static final Object RUNTIME_VERSION;

    static {
        Constructor<?> versionedJar;
        Object runtimeVersion;
        try {
            Class<?> version = Class.forName("java.lang.Runtime$Version");
            versionedJar = JarFile.class.getConstructor(File.class, boolean.class, int.class, version);
            runtimeVersion = Runtime.class.getMethod("version").invoke(null);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException java8) {
            versionedJar = null;
            runtimeVersion = null;
        }
        VERSIONED_JAR = versionedJar;
        RUNTIME_VERSION = runtimeVersion;
    }

    private final File[] entries;
    /** Per entry: its {@code ZipFile}, {@link #DIRECTORY}, {@link #UNUSABLE}, or null before its first use. */
    private final AtomicReferenceArray<Object> opened;

    ApplicationClassPath(String classPath) {
        List<File> files = new ArrayList<File>();
        // The JDK's own reading: an empty entry (and an empty class path) is the working directory.
        for (String entry : (classPath == null ? "" : classPath).split(File.pathSeparator, -1)) {
            files.add(new File(entry.isEmpty() ? "." : entry));
        }
        entries = files.toArray(new File[0]);
        opened = new AtomicReferenceArray<Object>(entries.length);
    }

    /** The application class path of this JVM, as its loader read it at start. */
    static ApplicationClassPath ofThisJvm() {
        return new ApplicationClassPath(System.getProperty("java.class.path"));
    }

    /** Whether {@code loader} is the application class loader, whose class path this is. */
    static boolean isApplicationLoader(ClassLoader loader) {
        if (loader == null) {
            return false;
        }
        String name = loader.getClass().getName();
        return name.equals(LOADER_CLASSES[0]) || name.equals(LOADER_CLASSES[1]);
    }

    /**
     * The resource {@code name} (a class file's path, such as {@code app/Type.class}) from the first
     * entry that has it, or null when none has it.
     */
    byte[] read(String name) throws IOException {
        if (name.startsWith("/") || name.contains("..")) {
            return null;
        }
        for (int i = 0; i < entries.length; i++) {
            Object entry = open(i);
            if (entry instanceof ZipFile) {
                ZipFile jar = (ZipFile) entry;
                ZipEntry found = jar.getEntry(name);
                if (found != null && !found.isDirectory()) {
                    try (InputStream in = jar.getInputStream(found)) {
                        return ByteStreams.readAll(in, (int) Math.max(found.getSize(), 0));
                    }
                }
            } else if (entry == DIRECTORY) {
                File file = new File(entries[i], name);
                if (file.isFile()) {
                    try (InputStream in = new FileInputStream(file)) {
                        return ByteStreams.readAll(in, (int) file.length());
                    }
                }
            }
        }
        return null;
    }

    private Object open(int i) {
        Object entry = opened.get(i);
        return entry != null ? entry : openFirst(i);
    }

    private synchronized Object openFirst(int i) {
        Object entry = opened.get(i);
        if (entry == null) {
            File file = entries[i];
            if (file.isDirectory()) {
                entry = DIRECTORY;
            } else {
                try {
                    entry = VERSIONED_JAR == null ? new ZipFile(file)
                            : VERSIONED_JAR.newInstance(file, false, ZipFile.OPEN_READ, RUNTIME_VERSION);
                } catch (IOException | RuntimeException | ReflectiveOperationException notAJar) {
                    entry = UNUSABLE;
                }
            }
            opened.set(i, entry);
        }
        return entry;
    }
}
