package dev.dynamo.runtime.internal.instrumentation;

import dev.dynamo.runtime.internal.IsolatedApi;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issues 8 and 10: the proxies and reflective calls that only the handler shapes' exits make are
 * readied before the first endpoint of such a shape is called (a JDK class whose initialisation
 * fails at the top of an exhausted stack stays broken), and not at all for an application of plain
 * methods, whose first annotated class would otherwise pay for them. Each test runs in a fresh
 * copy of the API, whose static state has not been warmed by other tests.
 */
class HandlerShapeWarmUpTest {
    private static final String WOVEN_CALLS = WovenCalls.class.getName();

    @Test
    void plainEndpointsLeaveTheHandlerShapesMachineryAlone() throws Exception {
        try (IsolatedApi api = new IsolatedApi()) {
            activate(api, "plain", false);
            activate(api, "stage", false);

            assertTrue(flag(api, "warm"), "what every shape's exits use is readied");
            assertFalse(flag(api, "handlerShapesWarm"), "no proxy or reflective call made for plain endpoints");
        }
    }

    @Test
    void aHandlerShapeEndpointAfterPlainOnesIsReadiedBeforeItsFirstCall() throws Exception {
        try (IsolatedApi api = new IsolatedApi()) {
            activate(api, "plain", false);
            activate(api, "publisher", true);

            assertTrue(flag(api, "handlerShapesWarm"));
        }
    }

    @Test
    void aHandlerShapeSharingTheEndpointOfAPlainMethodIsReadiedToo() throws Exception {
        try (IsolatedApi api = new IsolatedApi()) {
            activate(api, "shared", false);
            activate(api, "shared", true);

            assertTrue(flag(api, "handlerShapesWarm"), "the second activation of one endpoint still readies its shape");
        }
    }

    @Test
    void anActivationThatDoesNotNameTheShapeReadiesEveryShape() throws Exception {
        try (IsolatedApi api = new IsolatedApi()) {
            int id = (Integer) api.callStatic(WOVEN_CALLS, "reserve", "ns", "comp", "unknown");
            api.callStatic(WOVEN_CALLS, "activate", id);

            assertTrue(flag(api, "handlerShapesWarm"), "activate(int), which older agents call, readies everything");
        }
    }

    /**
     * Every class of this package is loaded before the first call of a handler shape: a class first
     * loaded in an exit at the top of an exhausted stack fails to load, and its initialisation fails
     * for the life of the JVM. Catches a class added to the package (a split of a handler shape)
     * but not to the warm-up's list; on JDKs whose {@code sun.misc.Unsafe} still tells, each is
     * initialised too.
     */
    @Test
    void aHandlerShapesFirstActivationLoadsEveryClassOfItsPackage() throws Exception {
        try (IsolatedApi api = new IsolatedApi()) {
            activate(api, "publisher", true);

            Set<String> notLoaded = new TreeSet<>();
            Set<String> notInitialised = new TreeSet<>();
            Path dir = Paths.get(IsolatedApi.apiClasses().toURI()).resolve(getClass().getPackage().getName().replace('.', '/'));
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    String fileName = file.getFileName().toString();
                    // Anonymous classes (and javac's access tags) are left out: the exits use named classes, which
                    // the warm-up finds among each shape's nested classes; ClassCache's PrivilegedAction runs only
                    // once ClassCache made sure of its stack.
                    if (!fileName.endsWith(".class") || fileName.equals("package-info.class")
                            || fileName.matches(".*\\$[0-9]+\\.class")) {
                        continue;
                    }
                    String name = getClass().getPackage().getName() + "." + fileName.substring(0, fileName.length() - 6);
                    if (!api.definedClasses().contains(name)) {
                        notLoaded.add(name);
                    } else if (!isInitialised(api.type(name, false))) {
                        notInitialised.add(name);
                    }
                }
            }
            assertTrue(api.definedClasses().size() > 40, "the package was read: " + api.definedClasses().size());
            assertEquals(Collections.emptySet(), notLoaded, "classes of the package not loaded by the warm-up");
            assertEquals(Collections.emptySet(), notInitialised, "classes of the package not initialised by the warm-up");
        }
    }

    /** Whether {@code type} is initialised; true where the JDK no longer says ({@code shouldBeInitialized} is gone in 22). */
    private static boolean isInitialised(Class<?> type) throws ReflectiveOperationException {
        Class<?> unsafeType = Class.forName("sun.misc.Unsafe");
        Method shouldBeInitialized;
        try {
            shouldBeInitialized = unsafeType.getMethod("shouldBeInitialized", Class.class);
        } catch (NoSuchMethodException removed) {
            return true;
        }
        Field theUnsafe = unsafeType.getDeclaredField("theUnsafe");
        theUnsafe.setAccessible(true);
        return !(Boolean) shouldBeInitialized.invoke(theUnsafe.get(null), type);
    }

    private static void activate(IsolatedApi api, String endpoint, boolean handlerShape) {
        int id = (Integer) api.callStatic(WOVEN_CALLS, "reserve", "ns", "comp", endpoint);
        api.callStatic(WOVEN_CALLS, "activate", id, handlerShape);
    }

    private static boolean flag(IsolatedApi api, String name) throws ReflectiveOperationException {
        Field field = api.type(WOVEN_CALLS).getDeclaredField(name);
        field.setAccessible(true);
        return field.getBoolean(null);
    }
}
