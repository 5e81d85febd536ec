package dev.dynamo.agent.internal.bootstrap;

import dev.dynamo.agent.internal.ByteStreams;
import dev.dynamo.runtime.internal.instrumentation.WovenCalls;
import dev.dynamo.runtime.metrics.PrometheusNames;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BootstrapDefinerTest {
    private static byte[] classFile(Class<?> type) throws IOException {
        try (InputStream in = type.getResourceAsStream("/" + type.getName().replace('.', '/') + ".class")) {
            return ByteStreams.readAll(in, 4096);
        }
    }

    private static List<String> declaredSupertypes(Class<?> type) {
        List<String> names = new ArrayList<String>();
        if (type.getSuperclass() != null) {
            names.add(type.getSuperclass().getName());
        } else if (type.isInterface()) {
            names.add(Object.class.getName()); // the class file of an interface names Object as its superclass
        }
        for (Class<?> implemented : type.getInterfaces()) {
            names.add(implemented.getName());
        }
        return names;
    }

    /** Classes whose constant pools hold every kind of entry, long and double ones included. */
    @Test
    void readsTheSuperclassAndInterfacesFromTheClassFileHeader() throws IOException {
        Class<?>[] types = {java.util.ArrayList.class, Long.class, Double.class, java.util.concurrent.ConcurrentHashMap.class,
            Runnable.class, Object.class, WovenCalls.class, PrometheusNames.class, PrometheusNames.WorkHandler.class,
            java.util.stream.Collectors.class, BootstrapDefinerTest.class};
        for (Class<?> type : types) {
            assertEquals(declaredSupertypes(type), BootstrapDefiner.supertypes(classFile(type)), type.getName());
        }
    }

    /** What the definers define: a class, its superclass and an interface the superclass implements. */
    interface Shape {
    }

    static class Base implements Shape {
    }

    static class Sub extends Base {
    }

    /** A loader with no parent: a class whose supertype it has not defined yet fails, as in the bootstrap loader. */
    private static final class EmptyLoader extends ClassLoader {
        EmptyLoader() {
            super(null);
        }

        Class<?> define(Map.Entry<String, byte[]> entry) {
            return defineClass(entry.getKey(), entry.getValue(), 0, entry.getValue().length);
        }
    }

    private static Map<String, byte[]> subtypesFirst() throws IOException {
        Map<String, byte[]> classes = new LinkedHashMap<String, byte[]>();
        for (Class<?> type : new Class<?>[] {Sub.class, Base.class, Shape.class}) {
            classes.put(type.getName(), classFile(type));
        }
        return classes;
    }

    @Test
    void definesEachClassAfterItsSupertypesWhateverTheOrderGiven() throws IOException {
        EmptyLoader loader = new EmptyLoader();
        List<String> attempts = new ArrayList<String>();

        BootstrapDefiner.defineAll(subtypesFirst(), entry -> {
            attempts.add(entry.getKey());
            return loader.define(entry);
        });

        assertEquals(Arrays.asList(Shape.class.getName(), Base.class.getName(), Sub.class.getName()), attempts,
                "one attempt each, none failing for a missing supertype");
    }

    @Test
    void triesAClassAgainInTheNextRoundWhenItsDefinitionFailedForAMissingType() throws IOException {
        EmptyLoader loader = new EmptyLoader();
        List<String> attempts = new ArrayList<String>();

        BootstrapDefiner.defineAll(subtypesFirst(), entry -> {
            attempts.add(entry.getKey());
            if (entry.getKey().equals(Base.class.getName()) && Collections.frequency(attempts, entry.getKey()) == 1) {
                throw new NoClassDefFoundError("a supertype the header reader missed");
            }
            return loader.define(entry);
        });

        assertEquals(Arrays.asList(Shape.class.getName(), Base.class.getName(), Sub.class.getName(),
                Base.class.getName(), Sub.class.getName()), attempts);
    }

    @Test
    void failsWithTheClassesLeftWhenARoundDefinesNothing() throws IOException {
        IllegalStateException failure = assertThrows(IllegalStateException.class,
                () -> BootstrapDefiner.defineAll(subtypesFirst(), entry -> {
                    throw new NoClassDefFoundError("never definable");
                }));

        assertTrue(failure.getMessage().contains(Sub.class.getName()), failure.getMessage());
        assertEquals("never definable", failure.getCause().getMessage());
    }
}
