package dev.dynamo.agent.internal.instrumentation;

import dev.dynamo.agent.internal.ByteStreams;
import net.bytebuddy.jar.asm.ClassReader;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.Set;

/**
 * Answers whether one type is a subtype of another by reading class files through a class loader,
 * without loading any class: the weaver runs while the application's classes are being loaded. A
 * type whose class file cannot be found is taken to be nothing more than itself. Lives for one
 * woven class only, so it keeps nothing per class loader.
 */
final class TypeHierarchy {
    /** JDK types that are completion stages; other {@code java.*} types are not read, for speed. */
    private static final String[][] JDK_SUBTYPES = {
        {"java/util/concurrent/CompletableFuture", "java/util/concurrent/CompletionStage"},
    };
    private static final int MAX_TYPES_READ = 64;

    private final ClassLoader loader;
    private int typesRead;

    TypeHierarchy(ClassLoader loader) {
        this.loader = loader;
    }

    /** Whether {@code type} is {@code supertype} or extends or implements it (internal names). */
    boolean isSubtype(String type, String supertype) {
        return isSubtype(type, supertype, new HashSet<String>());
    }

    private boolean isSubtype(String type, String supertype, Set<String> visited) {
        if (type.equals(supertype)) {
            return true;
        }
        if (type.startsWith("java/")) {
            for (String[] pair : JDK_SUBTYPES) {
                if (pair[0].equals(type) && pair[1].equals(supertype)) {
                    return true;
                }
            }
            return false;
        }
        if (!visited.add(type) || typesRead >= MAX_TYPES_READ) {
            return false;
        }
        ClassReader reader = read(type);
        if (reader == null) {
            return false;
        }
        String superName = reader.getSuperName();
        if (superName != null && isSubtype(superName, supertype, visited)) {
            return true;
        }
        for (String implemented : reader.getInterfaces()) {
            if (isSubtype(implemented, supertype, visited)) {
                return true;
            }
        }
        return false;
    }

    private ClassReader read(String type) {
        typesRead++;
        try (InputStream in = loader.getResourceAsStream(type + ".class")) {
            return in == null ? null : new ClassReader(ByteStreams.readAll(in, 4096));
        } catch (IOException | RuntimeException unreadable) {
            return null;
        }
    }
}
