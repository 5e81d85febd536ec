package dev.dynamo.agent.internal.bootstrap;

import dev.dynamo.agent.internal.ByteStreams;
import dev.dynamo.runtime.internal.instrumentation.WovenCalls;
import dev.dynamo.runtime.metrics.PrometheusNames;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
