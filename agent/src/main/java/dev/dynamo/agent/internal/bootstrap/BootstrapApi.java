package dev.dynamo.agent.internal.bootstrap;

import dev.dynamo.agent.internal.ByteStreams;
import dev.dynamo.runtime.internal.bridge.ReflectiveCall;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Field;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Puts the API jar that travels inside the agent jar into the bootstrap class loader. Class loaders
 * delegate to the bootstrap loader first, so the application, the agent and the instrumented
 * classes of every class loader share one copy of the API and its metrics.
 *
 * <p>The classes are defined into the bootstrap loader directly. Appending a jar to the bootstrap
 * search path would do the same, but then the JVM turns class data sharing off for all non-JDK
 * class loaders and prints a warning on every start; it is only the fallback. On Java 9+ the
 * definer runs in a class loader of its own, and only that loader's module is given access to
 * {@code jdk.internal.misc}: the application's class path gains nothing.
 *
 * <p>Links to no API class itself: it runs before the API can be found. (The class name below is a
 * compile-time constant, copied into this class by the compiler.)
 */
public final class BootstrapApi {
    static final String RESOURCE = "/dev/dynamo/agent/bootstrap/dynamo-api.jar";
    /** Compiled for Java 9 (from {@code src/main/java9}); named, not linked, so that Java 8 never loads it. */
    private static final String MODULE_DEFINER = "dev.dynamo.agent.internal.bootstrap.ModuleDefiner";
    /** Compiled for Java 9 too: completes a copy of the API that a class data sharing archive split. */
    private static final String ARCHIVED_COPY_DEFINER = "dev.dynamo.agent.internal.bootstrap.ArchivedCopyDefiner";
    private static final String PROBE_CLASS = ReflectiveCall.ClassNames.EXPORT_BRIDGE;
    /** The class an application that uses the API loads first, and so one a class data sharing archive holds. */
    private static final String ENTRY_CLASS = "dev.dynamo.runtime.DistributedRuntime";
    /** The JDK's application class loader (9+, 8): it delegates to the bootstrap loader first, but for CDS. */
    private static final String[] JDK_APPLICATION_LOADERS = {
        "jdk.internal.loader.ClassLoaders$AppClassLoader", "sun.misc.Launcher$AppClassLoader",
    };

    /** Why the copy of the API that a class data sharing archive split could not be completed, or null. */
    private static volatile String archivedCopyFailure;

    private BootstrapApi() {
    }

    /**
     * Makes the embedded API visible to the bootstrap loader, unless an earlier attach did.
     *
     * @param dynamic  whether the agent is attached to a running JVM, whose class loaders may hold
     *                 part of an API copy already
     * @param agentJar the path of the agent's jar, or null when the agent does not run from a jar
     * @return a note on how it was done, for the agent's log, or null when there was nothing to do
     */
    public static String install(Instrumentation instrumentation, boolean dynamic, String agentJar)
            throws IOException {
        if (isOnBootstrapPath()) {
            return null;
        }
        byte[] jar = readFromAgent(agentJar, RESOURCE);
        if (jar == null) {
            // Running from a build directory (the agent's own tests): the API is on the class path.
            return null;
        }
        Map<String, byte[]> classes = NestedJar.classes(jar);
        if (dynamic) {
            completeLoadedCopies(instrumentation, classes.keySet());
        }
        try {
            defineInBootstrap(instrumentation, classes, agentJar);
            String note = "defined " + classes.size() + " API classes in the bootstrap class loader";
            String completed = dynamic ? null : completeArchivedCopy(instrumentation, classes.keySet(), agentJar);
            return completed == null ? note : note + "; " + completed;
        } catch (Throwable unsupported) {
            Path file = Files.createTempFile("dynamo-api-", ".jar");
            file.toFile().deleteOnExit();
            Files.write(file, jar);
            instrumentation.appendToBootstrapClassLoaderSearch(new JarFile(file.toFile()));
            return "appended the API jar to the bootstrap class path (direct definition failed: " + unsupported + ")";
        }
    }

    /**
     * Why the copy of the API that a class data sharing archive gave the application class loader could
     * not be completed ({@link #archivedApiEntry}), or null when there was no such copy or it is whole.
     */
    public static String archivedCopyFailure() {
        return archivedCopyFailure;
    }

    /**
     * Where {@link #archivedApiEntry} finds a copy split by an archive, defines in that loader, from its own
     * class path, each API class the archive does not hold for it, so that the copy is whole and connects to
     * the agent, its metrics and health exported. Before, its metrics were not exported, and {@code /health}
     * ignored the application's {@code setReady} and checks (a re-tester: ready while the application said
     * it was not). Each class is defined after its supertypes, which would come from the bootstrap loader
     * otherwise.
     *
     * @return a note for the log, or null where no archive split the copy
     */
    private static String completeArchivedCopy(Instrumentation instrumentation, Set<String> apiClasses,
            String agentJar) {
        Class<?> entry = archivedApiEntry();
        if (entry == null) {
            return null;
        }
        ClassLoader loader = entry.getClassLoader();
        try {
            Map<String, byte[]> own = new HashMap<String, byte[]>();
            for (String name : apiClasses) {
                byte[] classFile = ownClassFile(loader, name);
                if (classFile != null) {
                    own.put(name, classFile);
                }
            }
            List<Map.Entry<String, byte[]>> ordered =
                    new ArrayList<Map.Entry<String, byte[]>>(BootstrapDefiner.supertypesFirst(own).entrySet());
            ProtectionDomain domain = entry.getProtectionDomain();
            Class<?> definer = new IsolatedLoader().define(ARCHIVED_COPY_DEFINER,
                    readFromAgent(agentJar, "/" + ARCHIVED_COPY_DEFINER.replace('.', '/') + ".class"));
            @SuppressWarnings("unchecked")
            BiFunction<Instrumentation, Object[], Integer> defineMissing =
                    (BiFunction<Instrumentation, Object[], Integer>) definer.getConstructor().newInstance();
            int defined = defineMissing.apply(instrumentation, new Object[] {loader, ordered, domain});
            return "defined the " + defined + " API classes a class data sharing archive does not hold in the"
                    + " application class loader, whose copy of the API it split";
        } catch (Throwable failed) {
            archivedCopyFailure = failed.toString();
            return null;
        }
    }

    /** The class file of {@code name} as {@code loader} serves it (the application's API jar), or null. */
    private static byte[] ownClassFile(ClassLoader loader, String name) throws IOException {
        URL resource = loader.getResource(name.replace('.', '/') + ".class");
        if (resource == null) {
            return null;
        }
        try (InputStream in = resource.openStream()) {
            return ByteStreams.readAll(in, 4096);
        }
    }

    /**
     * The API's entry class ({@code DistributedRuntime}) where the JDK's application class loader answers for
     * it with a class of its own although the bootstrap loader has the agent's copy, or null. It delegates to the bootstrap loader first,
     * except for the classes a class data sharing archive holds for it (an archive made without the
     * agent, with the API jar on the class path: {@code -XX:ArchiveClassesAtExit},
     * {@code -XX:+AutoCreateSharedArchive}): the JVM gives it those at once. Its copy is then split
     * between the archive's classes and the bootstrap loader's, until {@link #install} completes it.
     * Not so for an API jar on the module path, a named module of that loader's: it defines the whole
     * module itself, archived or not, and that copy connects to the agent like any other (before, it
     * was taken for an archive's, with a warning that its metrics were not exported; a tester).
     * Call only after the API is defined in the bootstrap loader.
     */
    static Class<?> archivedApiEntry() {
        ClassLoader system = ClassLoader.getSystemClassLoader();
        if (system == null || !isJdkApplicationLoader(system)) {
            return null;
        }
        try {
            Class<?> entry = Class.forName(ENTRY_CLASS, false, system);
            return entry.getClassLoader() == system && !inNamedModule(entry) ? entry : null;
        } catch (ClassNotFoundException | LinkageError | RuntimeException unknown) {
            return null;
        }
    }

    /** Whether {@code type} belongs to a named module (Java 9+), asked by reflection: this class runs on Java 8 too. */
    private static boolean inNamedModule(Class<?> type) {
        try {
            Object module = Class.class.getMethod("getModule").invoke(type);
            return Boolean.TRUE.equals(module.getClass().getMethod("isNamed").invoke(module));
        } catch (ReflectiveOperationException java8) {
            return false;
        }
    }

    private static boolean isJdkApplicationLoader(ClassLoader loader) {
        for (String name : JDK_APPLICATION_LOADERS) {
            if (loader.getClass().getName().equals(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A class loader that loaded some API classes from the application's own jar before the agent
     * came would, once the bootstrap loader has the API, find the rest there (parents first) and end
     * up with a copy split across two loaders. So each such loader loads the rest of its own copy
     * now; the agent then connects it as a copy of its own.
     */
    private static void completeLoadedCopies(Instrumentation instrumentation, Iterable<String> apiClasses) {
        Set<ClassLoader> holders = Collections.newSetFromMap(new IdentityHashMap<ClassLoader, Boolean>());
        for (Class<?> loaded : instrumentation.getAllLoadedClasses()) {
            if (loaded.getClassLoader() != null && loaded.getName().startsWith("dev.dynamo.runtime.")) {
                holders.add(loaded.getClassLoader());
            }
        }
        for (ClassLoader holder : holders) {
            for (String name : apiClasses) {
                try {
                    Class.forName(name, false, holder);
                } catch (ClassNotFoundException | LinkageError notInThatCopy) {
                    // An older copy may lack a class; it never refers to it either.
                }
            }
        }
    }

    private static void defineInBootstrap(Instrumentation instrumentation, Map<String, byte[]> classes, String agentJar)
            throws Throwable {
        if (!hasModules()) {
            Class<?> unsafeType = Class.forName("sun.misc.Unsafe");
            Field theUnsafe = unsafeType.getDeclaredField("theUnsafe");
            theUnsafe.setAccessible(true);
            BootstrapDefiner.defineAll(theUnsafe.get(null), unsafeType, classes);
            return;
        }
        // A loader of its own, whose unnamed module alone is allowed into jdk.internal.misc. The definer
        // is compiled for Java 9 and calls the module API and Unsafe directly (see ModuleDefiner); it
        // is reached through a JDK interface, with one reflective call, to its constructor.
        IsolatedLoader isolated = new IsolatedLoader();
        String orderName = BootstrapDefiner.class.getName();
        isolated.define(orderName, readFromAgent(agentJar, "/" + orderName.replace('.', '/') + ".class"));
        Class<?> definer = isolated.define(MODULE_DEFINER,
                readFromAgent(agentJar, "/" + MODULE_DEFINER.replace('.', '/') + ".class"));
        @SuppressWarnings("unchecked")
        BiConsumer<Instrumentation, Map<String, byte[]>> defineAll =
                (BiConsumer<Instrumentation, Map<String, byte[]>>) definer.getConstructor().newInstance();
        defineAll.accept(instrumentation, classes);
    }

    /** Java 9 or later: whether classes have modules. */
    private static boolean hasModules() {
        try {
            Class.class.getMethod("getModule");
            return true;
        } catch (NoSuchMethodException java8) {
            return false;
        }
    }

    /**
     * Resource {@code name} of the agent, or null when there is none. Read from the agent's own jar
     * file, which the JVM has opened already (the open file and its directory are shared), not as a
     * class loader resource: that lookup asks the bootstrap loader first, which loads the JDK's
     * runtime-image reader (a dozen classes) only to find nothing there. Without a jar (the agent's
     * own tests) the class path has the resource.
     */
    private static byte[] readFromAgent(String agentJar, String name) throws IOException {
        if (agentJar == null || !new File(agentJar).isFile()) {
            try (InputStream in = BootstrapApi.class.getResourceAsStream(name)) {
                return in == null ? null : ByteStreams.readAll(in, 4096);
            }
        }
        try (JarFile jar = new JarFile(new File(agentJar), false)) {
            JarEntry entry = jar.getJarEntry(name.substring(1));
            if (entry == null) {
                return null;
            }
            try (InputStream in = jar.getInputStream(entry)) {
                return ByteStreams.readAll(in, (int) Math.max(entry.getSize(), 4096));
            }
        }
    }

    private static boolean isOnBootstrapPath() {
        try {
            Class.forName(PROBE_CLASS, false, null);
            return true;
        } catch (ClassNotFoundException notYet) {
            return false;
        }
    }

    /** Loads one class from the agent jar's bytes, with the bootstrap loader as its only parent. */
    private static final class IsolatedLoader extends ClassLoader {
        IsolatedLoader() {
            super(null);
        }

        Class<?> define(String name, byte[] classFile) throws IOException {
            if (classFile == null) {
                throw new IOException("the agent jar has no class " + name);
            }
            return defineClass(name, classFile, 0, classFile.length, agentDomain());
        }

        /**
         * The agent jar's protection domain, which the definer's classes share: under a SecurityManager a
         * class of no domain may do nothing, and the definer's use of {@code jdk.internal.misc} was refused
         * although the policy granted the agent's jar every permission; the API jar was then appended to
         * the bootstrap class path, and the JVM printed that class data sharing was off (a tester, JDK 17).
         */
        private static ProtectionDomain agentDomain() {
            try {
                return BootstrapApi.class.getProtectionDomain();
            } catch (SecurityException refused) {
                return null;
            }
        }
    }
}
