package dev.dynamo.agent.internal.instrumentation;

import com.example.endpoints.Handlers;
import com.example.endpoints.PreloadedHandler;
import dev.dynamo.agent.internal.ByteStreams;
import dev.dynamo.agent.internal.log.AgentLog;
import dev.dynamo.agent.internal.log.LogSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * After a dynamic attach the annotated classes loaded already are retransformed: all in one call,
 * because the JVM stops the application and walks every loaded class for each call; one at a time
 * only when that fails, so that one class that cannot be retransformed does not stop the others.
 * The JVM here is a stand-in that records the calls, so that no class of this JVM is changed.
 */
class RetransformOnAttachTest {
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    /** Each call of {@code retransformClasses}, with its classes. */
    private final List<List<Class<?>>> calls = new ArrayList<List<Class<?>>>();

    @AfterEach
    void restoreLog() {
        AgentLog.redirect(null);
        AgentLog.configure(LogSettings.DEFAULT);
    }

    @Test
    void theAnnotatedClassesAreRetransformedInOneCall() {
        install(null);

        assertEquals(1, calls.size(), "calls: " + calls);
        assertEquals(Arrays.<Class<?>>asList(Handlers.class, PreloadedHandler.class), calls.get(0),
                "the annotated classes only, not " + RetransformOnAttachTest.class.getSimpleName());
    }

    @Test
    void aClassThatCannotBeRetransformedDoesNotStopTheOthers() {
        install(Handlers.class);

        assertEquals(3, calls.size(), "one call for all, which fails, then one for each: " + calls);
        assertEquals(Arrays.<Class<?>>asList(Handlers.class), calls.get(1));
        assertEquals(Arrays.<Class<?>>asList(PreloadedHandler.class), calls.get(2));
        String warnings = new String(log.toByteArray(), StandardCharsets.UTF_8);
        assertTrue(warnings.contains("cannot instrument already loaded " + Handlers.class.getName()), warnings);
        assertEquals(1, warnings.split("\n").length, "one line: " + warnings);
    }

    /**
     * A class whose loader serves no class file for it, defined from bytes kept in memory, is looked at
     * by reflection; and a loader whose lookup throws (an error, here) stops neither the look at its
     * class nor that at the others. Before, the first was taken for a class without annotations, and
     * the second's error ended the attach's instrumentation of every class loaded already.
     */
    @Test
    void classesWithoutAClassFileToReadAreLookedAtByReflection() throws IOException {
        Class<?> annotatedInMemory = new NoClassFileLoader(false).define(PreloadedHandler.class);
        Class<?> plainInMemory = new NoClassFileLoader(false).define(Plain.class);
        Class<?> annotatedOfABrokenLoader = new NoClassFileLoader(true).define(PreloadedHandler.class);
        Class<?> plainOfABrokenLoader = new NoClassFileLoader(true).define(Plain.class);

        install(null, plainOfABrokenLoader, Handlers.class, annotatedInMemory, plainInMemory, annotatedOfABrokenLoader,
                RetransformOnAttachTest.class);

        assertEquals(1, calls.size(), "calls: " + calls);
        assertEquals(Arrays.<Class<?>>asList(Handlers.class, annotatedInMemory, annotatedOfABrokenLoader), calls.get(0));
    }

    /** Installs the instrumentation in a stand-in JVM whose retransformation fails for any call with {@code refused}. */
    private void install(final Class<?> refused) {
        install(refused, Handlers.class, RetransformOnAttachTest.class, PreloadedHandler.class);
    }

    /** The same, in a JVM with the classes {@code loaded}. */
    private void install(final Class<?> refused, final Class<?>... loaded) {
        AgentLog.redirect(new PrintStream(log, true));
        AgentLog.configure(LogSettings.DEFAULT);
        Instrumentation jvm = (Instrumentation) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Instrumentation.class}, (proxy, method, arguments) -> {
                    switch (method.getName()) {
                        case "getAllLoadedClasses":
                            return loaded.clone();
                        case "isModifiableClass":
                        case "isRetransformClassesSupported":
                            return true;
                        case "retransformClasses":
                            List<Class<?>> classes = Arrays.asList((Class<?>[]) arguments[0]);
                            calls.add(classes);
                            if (classes.contains(refused)) {
                                throw new UnmodifiableClassException(refused.getName());
                            }
                            return null;
                        default:
                            return null;
                    }
                });

        EndpointInstrumentation.install(jvm, "dynamo", true);
    }

    /** A class without annotations. */
    public static final class Plain {
        public int twice(int value) {
            return 2 * value;
        }
    }

    /**
     * Defines classes from their class files in memory, linked to the test's classes, and serves no
     * resource: none, or, where {@code lookupsThrow}, an error for each lookup, as a loader stopped half way.
     */
    private static final class NoClassFileLoader extends ClassLoader {
        private final boolean lookupsThrow;

        NoClassFileLoader(boolean lookupsThrow) {
            super(RetransformOnAttachTest.class.getClassLoader());
            this.lookupsThrow = lookupsThrow;
        }

        /** A class of this loader's, made from the class file of {@code type}. */
        Class<?> define(Class<?> type) throws IOException {
            byte[] classFile;
            try (InputStream in = type.getResourceAsStream("/" + type.getName().replace('.', '/') + ".class")) {
                classFile = ByteStreams.readAll(in, 4096);
            }
            return defineClass(type.getName(), classFile, 0, classFile.length);
        }

        @Override
        public URL getResource(String name) {
            return noResource();
        }

        @Override
        public InputStream getResourceAsStream(String name) {
            return noResource();
        }

        @Override
        protected URL findResource(String name) {
            return noResource();
        }

        private <T> T noResource() {
            if (lookupsThrow) {
                throw new NoClassDefFoundError("a class of a loader stopped half way");
            }
            return null;
        }
    }
}
