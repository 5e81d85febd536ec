package dev.dynamo.agent.internal.instrumentation;

import dev.dynamo.runtime.internal.FamilySnapshot;
import dev.dynamo.runtime.internal.MetricStore;
import dev.dynamo.runtime.internal.Sample;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An annotated class that the JVM refused to verify, loaded before a dynamic attach, does not keep the
 * attach from instrumenting the other loaded classes. Before, the JVM's {@code InternalError} from
 * retransforming them all in one call escaped the agent's one-at-a-time fallback, and no class loaded
 * before the attach was instrumented. The class left as it was serves no endpoint: before, {@code /health}
 * listed its endpoint as ready on JDK 17 (a re-tester).
 */
class AttachWithAnUnverifiableClassTest {
    private static final String GOOD = "gen.AttachedGood";
    private static final String BROKEN = "gen.AttachedBroken";

    @Test
    void theOtherLoadedClassesAreInstrumented() throws Exception {
        Map<String, byte[]> classFiles = new HashMap<String, byte[]>();
        classFiles.put(GOOD, RetransformedParameterNamesTest.annotatedClass(GOOD, "attached_good", false));
        classFiles.put(BROKEN, RetransformedParameterNamesTest.annotatedClass(BROKEN, "attached_broken", true));
        ClassLoader loader = new ClassLoader(getClass().getClassLoader()) {
            @Override
            protected Class<?> findClass(String name) throws ClassNotFoundException {
                byte[] classFile = classFiles.get(name);
                if (classFile == null) {
                    throw new ClassNotFoundException(name);
                }
                return defineClass(name, classFile, 0, classFile.length);
            }

            @Override
            public InputStream getResourceAsStream(String name) {
                byte[] classFile = classFiles.get(name.replace('/', '.').replaceAll("\\.class$", ""));
                return classFile != null ? new ByteArrayInputStream(classFile) : super.getResourceAsStream(name);
            }
        };
        Class<?> good = Class.forName(GOOD, true, loader);
        assertThrows(VerifyError.class, () -> Class.forName(BROKEN, true, loader));

        Instrumentation instrumentation = ByteBuddyAgent.install();
        EndpointTransformer transformer = EndpointInstrumentation.install(instrumentation, "unused", true);
        try {
            EndpointMetrics metrics = new EndpointMetrics(RetransformedParameterNamesTest.NS, "attached_good",
                    "handle");
            long before = metrics.requests();
            assertEquals(4, good.getMethod("handle", int.class, String.class).invoke(null, 4, "x"));
            assertEquals(before + 1, metrics.requests(), "the loaded class is instrumented");
            List<String> served = InstrumentedEndpoints.endpoints();
            assertTrue(served.contains(RetransformedParameterNamesTest.NS + "/attached_good/handle"), served::toString);
            assertFalse(served.contains(RetransformedParameterNamesTest.NS + "/attached_broken/handle"),
                    "the class left as it was serves no endpoint: " + served);
            // Nor has it a series that would claim zero calls (SPEC §7); before, its five series read 0.
            for (FamilySnapshot family : MetricStore.global().snapshot()) {
                for (Sample sample : family.samples()) {
                    assertFalse(sample.labelValues().contains("attached_broken"), sample.name() + sample.labelValues());
                }
            }
            assertTrue(new EndpointMetrics(RetransformedParameterNamesTest.NS, "attached_good", "handle").requests() > 0);
        } finally {
            instrumentation.removeTransformer(transformer);
        }
    }
}
