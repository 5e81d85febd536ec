package dev.dynamo.agent.internal.bootstrap;

import jdk.internal.misc.Unsafe;

import java.lang.instrument.Instrumentation;
import java.util.Collections;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * {@link BootstrapDefiner} for Java 9 and later, compiled for Java 9 and loaded only there (by the
 * same isolated class loader): opens {@code jdk.internal.misc} to its own module and defines the
 * classes with direct calls. The Java 8 classes reach these methods only by reflection, and on JDK
 * 18 and later every first reflective call of a method builds method handles for it: done that way,
 * defining the API took 33 ms of a start on JDK 25, against 15 ms now.
 */
public final class ModuleDefiner implements BiConsumer<Instrumentation, Map<String, byte[]>>,
        Function<Map.Entry<String, byte[]>, Class<?>> {
    private Unsafe unsafe;

    @Override
    public void accept(Instrumentation instrumentation, Map<String, byte[]> classes) {
        instrumentation.redefineModule(Object.class.getModule(), Collections.emptySet(),
                Collections.singletonMap("jdk.internal.misc", Collections.singleton(getClass().getModule())),
                Collections.emptyMap(), Collections.emptySet(), Collections.emptyMap());
        // Resolved only now, after the export above: the constant pool entry links at its first use.
        unsafe = Unsafe.getUnsafe();
        BootstrapDefiner.defineAll(classes, this);
    }

    /** Defines one class in the bootstrap loader (not a lambda: the first lambda of a JVM costs milliseconds). */
    @Override
    public Class<?> apply(Map.Entry<String, byte[]> entry) {
        byte[] bytes = entry.getValue();
        return unsafe.defineClass(entry.getKey(), bytes, 0, bytes.length, null, null);
    }
}
