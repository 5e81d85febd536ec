package dev.dynamo.agent.internal.instrumentation;

import dev.dynamo.agent.internal.ByteStreams;
import kotlin.jvm.functions.Function1;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An annotated Kotlin inline function is left as it is, with one warning, and has no series: Kotlin
 * copies its body into its Kotlin callers, which never call it, so its series read 0 however often it
 * ran. A function that is not inline is measured, also where it calls an inline function of its own name.
 */
class KotlinInlineFunctionTest {
    private static final String PACKAGE = "com.example.endpoints.";
    private static final String HANDLERS = PACKAGE + "InlineHandlers";
    private static final String COMPANION = PACKAGE + "InlineHandlers$Companion";
    private static final String FACADE = PACKAGE + "InlineHandlersKt";
    private static final String NS = "inline_test";

    @Test
    void inlineFunctionsAreLeftAsTheyAreWithOneWarningEachAndNoSeries() throws Exception {
        List<String> warnings = new ArrayList<>();
        Map<String, byte[]> woven = weave(warnings);

        List<String> inline = Arrays.asList(
                HANDLERS + ".quote(Ljava/lang/String;Lkotlin/jvm/functions/Function1;)I",
                HANDLERS + ".plain(I)I",
                HANDLERS + ".reified(Ljava/lang/Object;)Z",
                HANDLERS + ".suspended(ILkotlin/coroutines/Continuation;)Ljava/lang/Object;",
                COMPANION + ".quote(Ljava/lang/String;I)I",
                FACADE + ".topQuote(Ljava/lang/String;)I");
        assertEquals(inline.size(), warnings.size(), warnings::toString);
        for (String where : inline) {
            long count = warnings.stream().filter(warning -> warning.startsWith("@DynamoEndpoint on " + where
                    + " is not instrumented: it is a Kotlin inline function, whose body the Kotlin compiler copies"
                    + " into its Kotlin callers, which then never call it")).count();
            assertEquals(1, count, where + ": " + warnings);
        }
        assertTrue(warnings.get(0).endsWith("Annotate a function that is not inline: the one it calls, or a wrapper"
                + " around it"), warnings.get(0));

        Set<String> measured = measuredMethods(woven);
        assertEquals(new HashSet<>(Arrays.asList(
                HANDLERS + ".quote(Ljava/lang/String;)I",
                HANDLERS + ".caller(Ljava/lang/String;)I",
                FACADE + ".topCaller(Ljava/lang/String;)I")), measured,
                "neither the inline functions, nor suspended's $$forInline copy, nor the companion's static bridge");

        List<String> endpoints = InstrumentedEndpoints.endpoints();
        for (String endpoint : Arrays.asList("kotlin/quote", "kotlin/plain", "kotlin/reified", "kotlin/suspended",
                "companion/quote", "top/quote")) {
            assertFalse(endpoints.contains(NS + "/" + endpoint), endpoint + " has no series: " + endpoints);
        }
    }

    @Test
    void functionsThatAreNotInlineAreMeasuredExactlyAlsoWhereTheyCallInlineFunctions() throws Exception {
        Map<String, byte[]> woven = weave(new ArrayList<>());
        ClassLoader loader = new WovenFirst(getClass().getClassLoader(), woven);
        Class<?> handlersType = loader.loadClass(HANDLERS);
        Object handlers = handlersType.getConstructor().newInstance();
        Class<?> facade = loader.loadClass(FACADE);
        Function1<String, Integer> length = String::length;

        for (int i = 0; i < 3; i++) {
            assertEquals(4, handlersType.getMethod("quote", String.class).invoke(handlers, "abc"));
        }
        for (int i = 0; i < 2; i++) {
            assertEquals(8, handlersType.getMethod("caller", String.class).invoke(handlers, "abc"));
        }
        for (int i = 0; i < 4; i++) {
            assertEquals(15, facade.getMethod("topCaller", String.class).invoke(null, "ab"));
        }
        // Java calls the inline functions themselves: still no series claims them.
        assertEquals(6, handlersType.getMethod("quote", String.class, Function1.class).invoke(handlers, "abc", length));
        assertEquals(6, handlersType.getMethod("quote", String.class, int.class).invoke(null, "abc", 2));
        assertEquals(14, facade.getMethod("topQuote", String.class).invoke(null, "ab"));

        assertEquals(3, new EndpointMetrics(NS, "kotlin", "quote_caller").requests());
        assertEquals(3, new EndpointMetrics(NS, "kotlin", "quote_caller").durations());
        assertEquals(2, new EndpointMetrics(NS, "kotlin", "caller").requests());
        assertEquals(4, new EndpointMetrics(NS, "top", "caller").requests());
        List<String> endpoints = InstrumentedEndpoints.endpoints();
        assertFalse(endpoints.contains(NS + "/kotlin/quote"), endpoints::toString);
        assertFalse(endpoints.contains(NS + "/companion/quote"), endpoints::toString);
        assertFalse(endpoints.contains(NS + "/top/quote"), endpoints::toString);
    }

    /**
     * A property's accessor that shares its JVM name and number of parameters with an inline function, whose
     * metadata gives no descriptor, matched that function: it was left unmeasured with the inline function's
     * warning (a re-tester: an extension getter getLabel(String) beside inline fun getLabel(x: Int)).
     */
    @Test
    void anAccessorOfTheJvmNameOfAnInlineFunctionIsMeasured() throws Exception {
        String accessors = PACKAGE + "InlineAccessors";
        List<String> warnings = new ArrayList<>();
        Map<String, byte[]> woven = weave(warnings, accessors);

        assertEquals(Arrays.asList(accessors + ".getLabel(I)I", accessors + ".setSize(Ljava/lang/String;)V"),
                warnings.stream().map(warning -> warning.substring("@DynamoEndpoint on ".length(),
                        warning.indexOf(" is not instrumented"))).sorted().collect(java.util.stream.Collectors.toList()),
                warnings::toString);
        assertEquals(new HashSet<>(Arrays.asList(accessors + ".getLabel(Ljava/lang/String;)I",
                accessors + ".setSize(I)V")), measuredMethods(woven));

        ClassLoader loader = new WovenFirst(getClass().getClassLoader(), woven);
        Class<?> type = loader.loadClass(accessors);
        Object instance = type.getConstructor().newInstance();
        for (int i = 0; i < 3; i++) {
            assertEquals(3, type.getMethod("label", String.class).invoke(instance, "abc"));
            type.getMethod("setSize", int.class).invoke(instance, i);
        }
        assertEquals(3, new EndpointMetrics(NS, "accessor", "label").requests());
        assertEquals(3, new EndpointMetrics(NS, "accessor", "size").requests());
    }

    /**
     * An inline property's getter is copied into its Kotlin callers as an inline function is; it is no function
     * of the metadata, and was measured, reading 0 however often Kotlin read the property (a re-tester).
     */
    @Test
    void anInlinePropertysAccessorIsLeftAsItIsAndAPlainOneMeasured() throws Exception {
        String properties = PACKAGE + "InlineProperties";
        List<String> warnings = new ArrayList<>();
        Map<String, byte[]> woven = weave(warnings, properties);

        assertEquals(1, warnings.size(), warnings::toString);
        assertTrue(warnings.get(0).startsWith("@DynamoEndpoint on " + properties + ".getDoubled()I is not"
                + " instrumented: it is a Kotlin inline function"), warnings.get(0));
        assertEquals(Collections.singleton(properties + ".getPlain()I"), measuredMethods(woven));

        ClassLoader loader = new WovenFirst(getClass().getClassLoader(), woven);
        Class<?> type = loader.loadClass(properties);
        Object instance = type.getConstructor().newInstance();
        for (int i = 0; i < 2; i++) {
            assertEquals(10, type.getMethod("sum").invoke(instance));
        }
        assertEquals(2, new EndpointMetrics(NS, "property", "plain").requests());
        assertFalse(InstrumentedEndpoints.endpoints().contains(NS + "/property/doubled"));
    }

    /** The three classes, woven (or as they are where nothing was), by binary name. */
    private static Map<String, byte[]> weave(List<String> warnings) throws Exception {
        return weave(warnings, HANDLERS, COMPANION, FACADE);
    }

    /** The classes {@code names}, woven (or as they are where nothing was), by binary name. */
    private static Map<String, byte[]> weave(List<String> warnings, String... names) throws Exception {
        EndpointWeaver weaver = new EndpointWeaver("unused", (key, message) -> warnings.add(message));
        Map<String, byte[]> classes = new HashMap<>();
        for (String name : names) {
            byte[] original = classFile(name);
            byte[] woven = weaver.weave(KotlinInlineFunctionTest.class.getClassLoader(), name.replace('.', '/'),
                    original);
            classes.put(name, woven == null ? original : woven);
        }
        return classes;
    }

    /** The methods (as warnings name them) whose code calls into the dynamo runtime, as woven code does. */
    private static Set<String> measuredMethods(Map<String, byte[]> classes) {
        Set<String> measured = new HashSet<>();
        for (Map.Entry<String, byte[]> type : classes.entrySet()) {
            new ClassReader(type.getValue()).accept(new ClassVisitor(Opcodes.ASM9) {
                @Override
                public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                        String[] exceptions) {
                    String where = type.getKey() + "." + name + descriptor;
                    return new MethodVisitor(Opcodes.ASM9) {
                        @Override
                        public void visitMethodInsn(int opcode, String owner, String method, String methodDescriptor,
                                boolean isInterface) {
                            if (owner.startsWith("dev/dynamo/")) {
                                measured.add(where);
                            }
                        }
                    };
                }
            }, 0);
        }
        return measured;
    }

    private static byte[] classFile(String name) throws Exception {
        try (InputStream in = KotlinInlineFunctionTest.class.getClassLoader()
                .getResourceAsStream(name.replace('.', '/') + ".class")) {
            return ByteStreams.readAll(in, 4096);
        }
    }

    /** Defines the woven classes itself, so that they link to each other, and leaves the rest to its parent. */
    private static final class WovenFirst extends ClassLoader {
        private final Map<String, byte[]> classes;

        WovenFirst(ClassLoader parent, Map<String, byte[]> classes) {
            super(parent);
            this.classes = classes;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            byte[] classFile = classes.get(name);
            if (classFile == null) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                return loaded != null ? loaded : defineClass(name, classFile, 0, classFile.length);
            }
        }
    }
}
