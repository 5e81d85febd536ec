package dev.dynamo.agent.internal.instrumentation;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collections;
import java.util.Enumeration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Handlers returning a {@code Uni} of Mutiny 1 (Quarkus 2's) and of Mutiny 0.10, each loaded with
 * {@code com.example.endpoints.OlderMutinyHandlers} by a class loader of its own, the API from the
 * test class path as an application server's shared library would give it. Mutiny 1 publishes through
 * Reactive Streams' publisher, not the JDK's {@code Flow.Publisher}: its {@code Uni} is made again from
 * the agent's source, as a newer Mutiny's is, so a subscription that overflows the stack ends the call
 * with what it throws. Mutiny 0.10 has no converter to a publisher: its {@code Uni} is counted in the
 * supplier of {@code deferred}. Both count one request per call at the first subscription.
 *
 * <p>The jars are copied into {@code target/older-mutiny} by the build ({@code maven-dependency-plugin}).
 */
class OlderMutinyTest {
    private static final String HANDLERS = "com.example.endpoints.OlderMutinyHandlers";
    /** A constant, which the compiler copies here: the test class loader never loads the handlers' class. */
    private static final String NS = com.example.endpoints.OlderMutinyHandlers.NS;
    private static final Path JARS = Paths.get("target", "older-mutiny");
    private static final String MUTINY_SERVICES = "META-INF/services/io.smallrye.mutiny.";

    private static EndpointTransformer transformer;

    @BeforeAll
    static void installAgent() {
        transformer = EndpointMetrics.install();
    }

    @AfterAll
    static void removeAgent() {
        EndpointMetrics.uninstall(transformer);
    }

    @Test
    void aMutiny1UniIsMadeAgainFromTheAgentsSourceAndCountedAtItsFirstSubscription() throws Exception {
        ClassLoader loader = loaderWith("mutiny-1.");
        assertEquals("io.smallrye.mutiny.operators.uni.builders.UniCreateFromPublisher",
                call(loader, "returnedClass"), "made again with createFrom().publisher(..) of Reactive Streams'");
        assertCountsExactly(loader);
    }

    /**
     * Each level of a recursion awaits the {@code Uni} of the level below, to the end of the stack: every
     * call counted ends, and the application sees the overflow, which it catches, not a failure that
     * Mutiny's {@code deferred} made of it.
     */
    @Test
    void aMutiny1UniSubscribedAtTheTopOfTheStackStaysExact() throws Exception {
        ClassLoader loader = loaderWith("mutiny-1.");
        ExhaustedStackTest.descend(new EndpointMetrics(NS, "uni", "subscribed"), "subscribed",
                () -> unchecked(loader, "descend"), ExhaustedStackTest.LAZY_DESCENTS, false,
                () -> (Integer) unchecked(loader, "caught"));
    }

    @Test
    void aMutiny1MultiIsCountedOncePerCallToItsEnd() throws Exception {
        ClassLoader loader = loaderWith("mutiny-1.");
        EndpointMetrics items = new EndpointMetrics(NS, "multi", "items");
        long requests = items.requests();
        assertEquals(6 * 40, call(loader, "sumItems", 40));
        assertEquals(requests + 40, items.requests());
        assertEquals(requests + 40, items.durations());
        assertEquals(0, items.inflight());
    }

    @Test
    void aMutiny1MultiSubscribedAtTheTopOfTheStackStaysExact() throws Exception {
        ClassLoader loader = loaderWith("mutiny-1.");
        ExhaustedStackTest.descend(new EndpointMetrics(NS, "multi", "subscribed"), "subscribed",
                () -> unchecked(loader, "descendMulti"), ExhaustedStackTest.LAZY_DESCENTS, false,
                () -> (Integer) unchecked(loader, "caught"));
    }

    @Test
    void aMutiny0UniWithoutAConverterIsCountedInDeferredsSupplier() throws Exception {
        ClassLoader loader = loaderWith("mutiny-0.");
        assertEquals("io.smallrye.mutiny.operators.UniCreateFromDeferredSupplier", call(loader, "returnedClass"));
        assertCountsExactly(loader);
    }

    /** One request per call at its first subscription; its failure an error; its cancellation one. */
    private static void assertCountsExactly(ClassLoader loader) throws Exception {
        EndpointMetrics ready = new EndpointMetrics(NS, "uni", "ready");
        EndpointMetrics failing = new EndpointMetrics(NS, "uni", "failing");
        EndpointMetrics never = new EndpointMetrics(NS, "uni", "never");
        long requests = ready.requests();
        long durations = ready.durations();

        call(loader, "callOnly");
        assertEquals(requests, ready.requests(), "a value never subscribed is no request");

        assertEquals("ready", call(loader, "awaitReady", 50, 2));
        assertEquals(requests + 50, ready.requests(), "one request per call, not per subscription");
        assertEquals(durations + 50, ready.durations());
        assertEquals(0, ready.inflight());

        long failures = failing.errors("IllegalStateException");
        long failingRequests = failing.requests();
        assertEquals("no stock", call(loader, "awaitFailing"), "the caller sees the handler's own failure");
        assertEquals(failingRequests + 1, failing.requests());
        assertEquals(failures + 1, failing.errors("IllegalStateException"));
        assertEquals(0, failing.inflight());

        long cancellations = never.cancellations();
        call(loader, "cancelNever");
        assertEquals(cancellations + 1, never.cancellations());
        assertEquals(0, never.inflight());
    }

    /** {@link #call}, for a lambda: what the method throws, unchecked or wrapped in a {@link RuntimeException}. */
    private static Object unchecked(ClassLoader loader, String name) {
        try {
            return call(loader, name);
        } catch (RuntimeException thrown) {
            throw thrown;
        } catch (Exception thrown) {
            throw new RuntimeException(thrown);
        }
    }

    private static Object call(ClassLoader loader, String name, Object... arguments) throws Exception {
        Class<?>[] types = new Class<?>[arguments.length];
        for (int i = 0; i < arguments.length; i++) {
            types[i] = int.class;
        }
        // Mutiny finds its interceptors with the context class loader: this loader, which serves only its own.
        Thread thread = Thread.currentThread();
        ClassLoader context = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            Method method = Class.forName(HANDLERS, true, loader).getMethod(name, types);
            return method.invoke(null, arguments);
        } catch (InvocationTargetException thrown) {
            Throwable cause = thrown.getCause();
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw cause instanceof Exception ? (Exception) cause : thrown;
        } finally {
            thread.setContextClassLoader(context);
        }
    }

    /**
     * A loader that serves Mutiny from the jar whose name starts with {@code prefix}, and the handlers'
     * class from the test classes, both before its parent; everything else from its parent, but the
     * test classes' Mutiny services, which implement the newer Mutiny's interfaces.
     */
    private static ClassLoader loaderWith(String prefix) throws IOException {
        Path jar;
        try (java.util.stream.Stream<Path> jars = Files.list(JARS)) {
            jar = jars.filter(p -> p.getFileName().toString().startsWith(prefix)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no " + prefix + "*.jar in " + JARS.toAbsolutePath()
                            + ": the build copies it there (mvn test-compile)"));
        }
        URL testClasses = OlderMutinyTest.class.getProtectionDomain().getCodeSource().getLocation();
        return new URLClassLoader(new URL[] {jar.toUri().toURL(), testClasses}, OlderMutinyTest.class.getClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (!name.startsWith("io.smallrye.mutiny.") && !name.equals(HANDLERS)) {
                    return super.loadClass(name, resolve);
                }
                synchronized (getClassLoadingLock(name)) {
                    Class<?> loaded = findLoadedClass(name);
                    if (loaded == null) {
                        loaded = findClass(name);
                    }
                    return loaded;
                }
            }

            @Override
            public Enumeration<URL> getResources(String name) throws IOException {
                return name.startsWith(MUTINY_SERVICES) ? Collections.<URL>emptyEnumeration() : super.getResources(name);
            }
        };
    }
}
