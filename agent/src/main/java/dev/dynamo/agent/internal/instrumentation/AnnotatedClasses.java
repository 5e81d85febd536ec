package dev.dynamo.agent.internal.instrumentation;

import java.lang.instrument.Instrumentation;
import java.nio.charset.StandardCharsets;

/**
 * Which classes may have {@code @DynamoEndpoint} methods, told from their names and class files without
 * loading the weaving machinery: the transformer's first filter, and the count of such classes a running JVM
 * has loaded, which an attach needs before it loads anything ({@code MetaspaceHeadroom}).
 */
public final class AnnotatedClasses {
    /** The annotation's descriptor, as any class file that uses it holds it in its constant pool. */
    static final BytePattern DESCRIPTOR = new BytePattern(
            ("L" + EndpointTransformer.ANNOTATION.replace('.', '/') + ";").getBytes(StandardCharsets.UTF_8));
    private static final String[] IGNORED_PREFIXES = {
        "java/", "javax/", "jdk/", "sun/", "com/sun/", "dev/dynamo/agent/", "dev/dynamo/runtime/", "net/bytebuddy/",
    };

    private AnnotatedClasses() {
    }

    /** Whether classes of this internal name are never instrumented: the JDK's, the agent's and its API's. */
    static boolean isIgnored(String internalName) {
        for (String prefix : IGNORED_PREFIXES) {
            if (internalName.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /**
     * How many loaded classes an attach would weave: those whose class file holds the annotation's descriptor,
     * and those whose loader serves no class file (counted, as they may). Reads class files; loads no class.
     */
    public static int countLoaded(Instrumentation instrumentation) {
        ClassFileLookup classFiles = new ClassFileLookup();
        int count = 0;
        for (Class<?> loaded : instrumentation.getAllLoadedClasses()) {
            if (loaded.getClassLoader() == null || loaded.isArray()) {
                continue;
            }
            String internalName = loaded.getName().replace('.', '/');
            if (isIgnored(internalName) || !instrumentation.isModifiableClass(loaded)) {
                continue;
            }
            if (!Boolean.FALSE.equals(classFileHoldsTheAnnotation(loaded, internalName, classFiles))) {
                count++;
            }
        }
        return count;
    }

    /**
     * Whether the class file of the loaded class {@code type} holds the annotation's descriptor; null when its
     * loader serves none, or its lookup fails (a re-tester's threw {@code NoClassDefFoundError}, which stopped an
     * attach's look at every other class): the class is then one without a class file.
     */
    static Boolean classFileHoldsTheAnnotation(Class<?> type, String internalName, ClassFileLookup classFiles) {
        byte[] classFile;
        try {
            classFile = classFiles.read(type.getClassLoader(), internalName);
        } catch (Throwable unreadable) {
            return null;
        }
        return classFile == null ? null : DESCRIPTOR.occursIn(classFile);
    }
}
