package dev.dynamo.agent.internal.instrumentation;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.BiFunction;

/**
 * Opens a resource of a class loader's own class path, without asking its parents (Java 9 and
 * later, compiled for Java 9): the resources of the loader's unnamed module are those of its class
 * path, and the JDK's loaders look there alone. Through {@code ClassLoader.getResourceAsStream} the
 * JDK's loaders come first, and each searches every module of the runtime image for the name,
 * which for an application's class file costs more than weaving a small class. Returns null where
 * the loader's own class path has no such resource.
 */
final class OwnClassPathResources implements BiFunction<ClassLoader, String, InputStream> {
    @Override
    public InputStream apply(ClassLoader loader, String resource) {
        try {
            return loader.getUnnamedModule().getResourceAsStream(resource);
        } catch (IOException unreadable) {
            return null;
        }
    }
}
