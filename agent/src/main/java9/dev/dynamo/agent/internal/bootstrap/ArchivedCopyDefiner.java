package dev.dynamo.agent.internal.bootstrap;

import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.security.ProtectionDomain;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Completes the copy of the API that a class data sharing archive gives the JDK's application class
 * loader ({@link BootstrapApi#archivedApiEntry}): each API class the archive does not hold for it is
 * defined in it from its own class path, so that the copy is whole there and connects to the agent like
 * any copy of an application's own. Compiled for Java 9 and loaded by the same isolated class loader as
 * {@link ModuleDefiner}: {@code java.lang} is opened to that loader's module alone, not to the
 * application's classes.
 *
 * <p>Argument: {@code {loader, classes, protectionDomain}}, the classes as (name, class file) entries
 * with each class after its supertypes. Answers how many classes it defined.
 */
public final class ArchivedCopyDefiner implements BiFunction<Instrumentation, Object[], Integer> {
    @Override
    @SuppressWarnings("unchecked")
    public Integer apply(Instrumentation instrumentation, Object[] arguments) {
        ClassLoader loader = (ClassLoader) arguments[0];
        List<Map.Entry<String, byte[]>> classes = (List<Map.Entry<String, byte[]>>) arguments[1];
        ProtectionDomain domain = (ProtectionDomain) arguments[2];
        instrumentation.redefineModule(Object.class.getModule(), Collections.emptySet(), Collections.emptyMap(),
                Collections.singletonMap("java.lang", Collections.singleton(getClass().getModule())),
                Collections.emptySet(), Collections.emptyMap());
        try {
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(ClassLoader.class, MethodHandles.lookup());
            // For the JDK's application loader, findLoadedClass also loads the class from the archive if it
            // holds it, without asking a parent: null means the archive has no such class for this loader.
            MethodHandle findLoaded = lookup.findVirtual(ClassLoader.class, "findLoadedClass",
                    MethodType.methodType(Class.class, String.class));
            MethodHandle define = lookup.findVirtual(ClassLoader.class, "defineClass", MethodType.methodType(
                    Class.class, String.class, byte[].class, int.class, int.class, ProtectionDomain.class));
            int defined = 0;
            for (Map.Entry<String, byte[]> type : classes) {
                if ((Class<?>) findLoaded.invoke(loader, type.getKey()) == null) {
                    byte[] classFile = type.getValue();
                    Class<?> unused = (Class<?>) define.invoke(loader, type.getKey(), classFile, 0, classFile.length, domain);
                    defined++;
                }
            }
            return defined;
        } catch (RuntimeException | Error failed) {
            throw failed;
        } catch (Throwable failed) {
            throw new IllegalStateException(failed);
        }
    }
}
