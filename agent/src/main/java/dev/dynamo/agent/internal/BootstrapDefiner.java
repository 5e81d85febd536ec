package dev.dynamo.agent.internal;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Defines classes in the bootstrap class loader through the JVM's internal {@code Unsafe}. Uses JDK
 * types only, because on Java 9+ it is loaded by an isolated class loader of its own (see
 * {@link BootstrapApi}).
 */
public final class BootstrapDefiner {
    private BootstrapDefiner() {
    }

    /** Java 9+: uses {@code jdk.internal.misc.Unsafe}, which the caller has exported to this class's module. */
    public static void defineAll(Map<String, byte[]> classes) throws Exception {
        Class<?> unsafeType = Class.forName("jdk.internal.misc.Unsafe");
        defineAll(unsafeType.getMethod("getUnsafe").invoke(null), unsafeType, classes);
    }

    /**
     * Defines every class, supertypes first: a class whose supertype is not defined yet fails with
     * {@link NoClassDefFoundError} and is tried again in the next round.
     */
    static void defineAll(Object unsafe, Class<?> unsafeType, Map<String, byte[]> classes) throws Exception {
        Method define = unsafeType.getMethod("defineClass", String.class, byte[].class, int.class, int.class,
                ClassLoader.class, ProtectionDomain.class);
        Map<String, byte[]> pending = new LinkedHashMap<String, byte[]>(classes);
        while (!pending.isEmpty()) {
            List<String> defined = new ArrayList<String>();
            Throwable lastFailure = null;
            for (Map.Entry<String, byte[]> entry : pending.entrySet()) {
                byte[] bytes = entry.getValue();
                try {
                    define.invoke(unsafe, entry.getKey(), bytes, 0, bytes.length, null, null);
                    defined.add(entry.getKey());
                } catch (InvocationTargetException failed) {
                    if (!(failed.getCause() instanceof NoClassDefFoundError)) {
                        throw failed;
                    }
                    lastFailure = failed.getCause();
                }
            }
            if (defined.isEmpty()) {
                throw new IllegalStateException("cannot define " + pending.keySet() + " in the bootstrap loader",
                        lastFailure);
            }
            for (String name : defined) {
                pending.remove(name);
            }
        }
    }
}
