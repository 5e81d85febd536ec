package dev.dynamo.agent.internal.instrumentation;

import com.example.endpoints.BridgedHandler;
import com.example.endpoints.JavaOverloads;
import com.example.endpoints.KotlinOverloads;
import com.example.endpoints.KotlinOverloadsOverridden;
import dev.dynamo.runtime.DynamoEndpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Methods a compiler generates around an annotated method never count the call a second time. */
class CompilerWrapperTest {
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
    void callThroughAJavacBridgeMethodCountsOnce() throws Exception {
        Method bridge = BridgedHandler.class.getMethod("apply", Object.class);
        assertTrue(bridge.isBridge() && bridge.isAnnotationPresent(DynamoEndpoint.class),
                "javac copied the annotation onto the bridge, so the bridge would be measured too");
        Function<String, String> handler = new BridgedHandler();

        assertEquals("a!", handler.apply("a"));

        assertEquals(1, new EndpointMetrics("bridge_test", "bridged", "apply").requests());
    }

    @Test
    void javaCallsOfAScalaObjectsMethodsThroughTheirStaticForwardersCountOnce() throws Exception {
        Class<?> forwarders = Class.forName("com.example.endpoints.ScalaObjectHandlers");
        Method triple = forwarders.getMethod("triple", int.class);
        assertTrue(Modifier.isStatic(triple.getModifiers()) && triple.isAnnotationPresent(DynamoEndpoint.class)
                && !triple.isSynthetic() && !triple.isBridge(),
                "Scala copied the annotation onto a static forwarder that is neither synthetic nor a bridge");
        EndpointMetrics metrics = new EndpointMetrics("scala_test", "object", "triple");

        assertEquals(6, triple.invoke(null, 2));
        assertEquals(1, metrics.requests());
        assertEquals(1, metrics.durations());

        Object module = Class.forName("com.example.endpoints.ScalaObjectHandlers$").getField("MODULE$").get(null);
        assertEquals(9, module.getClass().getMethod("callFromScala", int.class).invoke(module, 3));
        assertEquals(2, metrics.requests(), "a Scala caller, through the object itself, counts once too");
        assertEquals(0, metrics.inflight());
    }

    @Test
    void anErrorThroughAScalaForwarderCountsOnce() throws Exception {
        Method fail = Class.forName("com.example.endpoints.ScalaObjectHandlers").getMethod("fail", int.class);
        EndpointMetrics metrics = new EndpointMetrics("scala_test", "object", "fail");

        InvocationTargetException thrown = assertThrows(InvocationTargetException.class, () -> fail.invoke(null, 1));

        assertInstanceOf(IOException.class, thrown.getCause());
        assertEquals(1, metrics.requests());
        assertEquals(1, metrics.errors("IOException"));
    }

    @Test
    void aScalaObjectsMethodIsNamedAfterTheObjectAndOnlyOnce() throws Exception {
        Method defaultNames = Class.forName("com.example.endpoints.ScalaObjectHandlers").getMethod("defaultNames", int.class);

        assertEquals(8, defaultNames.invoke(null, 2));

        assertEquals(1, new EndpointMetrics("scala_test", "ScalaObjectHandlers", "defaultNames").requests());
        List<String> endpoints = InstrumentedEndpoints.endpoints();
        assertTrue(endpoints.contains("scala_test/ScalaObjectHandlers/defaultNames"), endpoints::toString);
        assertFalse(endpoints.contains("scala_test/ScalaObjectHandlers_/defaultNames"),
                "the object's class ScalaObjectHandlers$ is the object ScalaObjectHandlers: " + endpoints);
    }

    @Test
    void aScalaExtensionMethodCalledFromJavaCountsOnce() throws Exception {
        Method shout = Class.forName("com.example.endpoints.ScalaExtensions").getMethod("shout", String.class);

        assertEquals("HI", shout.invoke(null, "hi"));

        assertEquals(1, new EndpointMetrics("scala_test", "extension", "shout").requests());
    }

    @Test
    void aScala2TraitsMethodCalledThroughTheForwardersOfTheClassesThatMixItInCountsOnce() throws Exception {
        Object greeter = Class.forName("com.example.endpoints.Scala2Greeter").getConstructor().newInstance();
        Method mixedIn = greeter.getClass().getMethod("greet", String.class);
        assertTrue(mixedIn.getDeclaringClass() == greeter.getClass() && mixedIn.isAnnotationPresent(DynamoEndpoint.class)
                && !mixedIn.isSynthetic(), "Scala 2 copied the annotation onto the class's mixin forwarder");
        EndpointMetrics greet = new EndpointMetrics("scala2_test", "trait", "greet");

        assertEquals("hello a", mixedIn.invoke(greeter, "a"));
        assertEquals("hello b", Class.forName("com.example.endpoints.Scala2GreeterObject")
                .getMethod("greet", String.class).invoke(null, "b"));
        assertEquals("bye c", greeter.getClass().getMethod("wave", String.class).invoke(greeter, "c"));

        assertEquals(2, greet.requests(), "one request per call, through the class and through the object");
        assertEquals(1, new EndpointMetrics("scala2_test", "Scala2Greeting", "wave").requests());
        List<String> endpoints = InstrumentedEndpoints.endpoints();
        assertFalse(endpoints.contains("scala2_test/Scala2Greeter/wave"), endpoints::toString);
    }

    /** Compiled like a mixin forwarder, but with an annotation of its own: it counts, and so does the trait's method. */
    @Test
    void aScala2OverrideOfTheApplicationsOwnThatCallsSuperCountsOnItsOwnEndpoint() throws Exception {
        Object overrider = Class.forName("com.example.endpoints.Scala2Overrider").getConstructor().newInstance();
        EndpointMetrics own = new EndpointMetrics("scala2_test", "overrider", "greet");
        long traitBefore = new EndpointMetrics("scala2_test", "trait", "greet").requests();

        assertEquals("hello d", overrider.getClass().getMethod("greet", String.class).invoke(overrider, "d"));

        assertEquals(1, own.requests());
        assertEquals(traitBefore + 1, new EndpointMetrics("scala2_test", "trait", "greet").requests());
    }

    /**
     * Annotated exactly like the trait's method, and compiled to the same call as a forwarder: told
     * apart by its line, which is its own, not the class's declaration.
     */
    @Test
    void aScala2OverrideAnnotatedLikeTheTraitsMethodCountsOnItsOwnEndpoint() throws Exception {
        Object overrider = Class.forName("com.example.endpoints.Scala2DefaultNamedOverrider").getConstructor()
                .newInstance();
        long traitBefore = new EndpointMetrics("scala2_test", "Scala2Greeting", "wave").requests();

        assertEquals("bye e", overrider.getClass().getMethod("wave", String.class).invoke(overrider, "e"));

        assertEquals(1, new EndpointMetrics("scala2_test", "Scala2DefaultNamedOverrider", "wave").requests());
        assertEquals(traitBefore + 1, new EndpointMetrics("scala2_test", "Scala2Greeting", "wave").requests());
    }

    @Test
    void groovysOverloadsForDefaultArgumentsCountOnce() throws Exception {
        Class<?> type = Class.forName("com.example.endpoints.GroovyDefaults");
        Method overload = type.getMethod("withDefault", int.class);
        assertTrue(overload.isAnnotationPresent(DynamoEndpoint.class) && !overload.isSynthetic(),
                "Groovy copied the annotation onto the overload it wrote for the default argument");
        Object handlers = type.getConstructor().newInstance();
        EndpointMetrics constant = new EndpointMetrics("groovy_test", "dynamic", "constant_default");
        EndpointMetrics computed = new EndpointMetrics("groovy_test", "dynamic", "computed_default");

        assertEquals(6, overload.invoke(handlers, 1));
        assertEquals(3, type.getMethod("withDefault", int.class, int.class).invoke(handlers, 1, 2));
        assertEquals("ab [2] 0", type.getMethod("stamped", String.class).invoke(handlers, "ab"));
        assertEquals("ab [7] 0", type.getMethod("stamped", String.class, List.class).invoke(handlers, "ab", List.of(7)));

        assertEquals(2, constant.requests());
        assertEquals(2, constant.durations());
        assertEquals(2, computed.requests(), "the overloads that compute their defaults before the call count no call of their own");
    }

    @Test
    void anErrorThroughAGroovyOverloadCountsOnce() throws Exception {
        Class<?> type = Class.forName("com.example.endpoints.GroovyDefaults");
        Object handlers = type.getConstructor().newInstance();
        EndpointMetrics metrics = new EndpointMetrics("groovy_test", "dynamic", "throwing_default");

        InvocationTargetException thrown = assertThrows(InvocationTargetException.class,
                () -> type.getMethod("throwing", int.class).invoke(handlers, 1));

        assertInstanceOf(IOException.class, thrown.getCause());
        assertEquals(1, metrics.requests());
        assertEquals(1, metrics.errors("IOException"));
    }

    @Test
    void staticallyCompiledGroovyOverloadsOfTwoDefaultsCountOnceEach() throws Exception {
        Class<?> type = Class.forName("com.example.endpoints.GroovyStaticDefaults");
        Object handlers = type.getConstructor().newInstance();
        EndpointMetrics metrics = new EndpointMetrics("groovy_test", "static", "two_defaults");

        assertEquals(4, type.getMethod("twoDefaults", int.class).invoke(handlers, 1));
        assertEquals(4, type.getMethod("twoDefaults", int.class, int.class).invoke(handlers, 1, 1));
        assertEquals(3, type.getMethod("twoDefaults", int.class, int.class, int.class).invoke(handlers, 1, 1, 1));

        assertEquals(3, metrics.requests());
    }

    @Test
    void aGroovyTraitsMethodIsMeasuredInTheClassThatImplementsIt() throws Exception {
        Object greeter = Class.forName("com.example.endpoints.GroovyGreeter").getConstructor().newInstance();

        assertEquals("hello you", greeter.getClass().getMethod("greet", String.class).invoke(greeter, "you"));

        assertEquals(1, new EndpointMetrics("groovy_test", "trait", "greet").requests());
    }

    /**
     * Groovy's {@code @Memoized} copies the annotation onto the private method it moves the body into: a miss
     * counted twice, an error twice, under the endpoint of the copy too (a re-tester: 13 calls, 17 counted).
     */
    @Test
    void aGroovyMemoizedMethodCountsEachCallOnceHitOrMiss() throws Exception {
        Class<?> type = Class.forName("com.example.endpoints.GroovyMemoized");
        Object catalog = type.getConstructor().newInstance();
        Method price = type.getMethod("price", String.class);
        EndpointMetrics metrics = new EndpointMetrics("groovy_test", "memoized", "price");

        for (int i = 0; i < 3; i++) {
            assertEquals(500, price.invoke(catalog, "apple"));
        }
        for (int i = 0; i < 2; i++) {
            InvocationTargetException failed = assertThrows(InvocationTargetException.class,
                    () -> price.invoke(catalog, "bad"));
            assertInstanceOf(IllegalArgumentException.class, failed.getCause());
        }

        assertEquals(3, type.getMethod("getLoads").invoke(catalog), "one miss for apple, two for the errors");
        assertEquals(5, metrics.requests());
        assertEquals(2, metrics.errors("IllegalArgumentException"));
        assertEquals(0, metrics.inflight());
    }

    /** Only a Groovy class's method of that name is Groovy's copy: a re-tester's Java method lost its counts. */
    @Test
    void aJavaMethodNamedLikeGroovysMemoizedCopyIsMeasured() {
        com.example.endpoints.GroovyLikeNames named = new com.example.endpoints.GroovyLikeNames();

        assertEquals(300, named.memoizedMethodPriv$price(3));
        assertEquals(400, named.memoizedMethodPriv$price(4));

        assertEquals(2, new EndpointMetrics("groovy_test", "java", "named_like_a_copy").requests());
    }

    /**
     * A Scala companion object that extends its own class is named after that class plus {@code $}, and declared
     * nested in nothing, as a subclass Mockito generates at run time: it was taken for one, and its own handlers
     * counted nothing (a re-tester).
     */
    @Test
    void aScalaCompanionObjectThatExtendsItsClassIsMeasured() throws Exception {
        Method special = Class.forName("com.example.endpoints.ScalaCompanionGreeter").getMethod("special", String.class);
        Object module = Class.forName("com.example.endpoints.ScalaCompanionGreeter$").getField("MODULE$").get(null);
        EndpointMetrics metrics = new EndpointMetrics("scala_test", "companion", "special");

        assertEquals("special a", special.invoke(null, "a"));
        assertEquals("special b", module.getClass().getMethod("special", String.class).invoke(module, "b"));
        assertEquals("hello c", module.getClass().getMethod("greet", String.class).invoke(module, "c"));

        assertEquals(2, metrics.requests(), "through the static forwarder and the object itself, once each");
        assertEquals(1, new EndpointMetrics("scala_test", "companion", "greet").requests());
    }

    /**
     * Overloads written by hand are no compiler's wrappers: each annotated one counts, even where it
     * only forwards to another of the same endpoint. Otherwise a subclass that overrides the full
     * method without the annotation would leave the calls through the short one counted nowhere.
     */
    @Test
    void handWrittenJavaOverloadsCountEachAsWritten() {
        JavaOverloads overloads = new JavaOverloads();

        assertEquals(6, overloads.scale(3));
        assertEquals(30, overloads.scaleByTen(3));
        assertEquals(20, new JavaOverloads() {
            @Override
            public int scale(int value, int factor) {
                return value * factor * 10;
            }
        }.scale(1));

        assertEquals(3, new EndpointMetrics("overloads_test", "java", "scale").requests(),
                "each annotated method counts its calls: two for the first call, one for the subclass's");
        assertEquals(1, new EndpointMetrics("overloads_test", "java", "scale_by_ten").requests());
        assertEquals(1, new EndpointMetrics("overloads_test", "java", "scale_by").requests());
    }

    /** Kotlin's hand-written overloads too: before, the short one was taken for a wrapper, and a subclass's calls were lost. */
    @Test
    void handWrittenKotlinOverloadsCountEachAsWritten() {
        assertEquals(6, new KotlinOverloads().scale(3));
        assertEquals(20, new KotlinOverloadsOverridden().scale(1));

        assertEquals(3, new EndpointMetrics("overloads_test", "kotlin", "scale").requests());
    }
}
