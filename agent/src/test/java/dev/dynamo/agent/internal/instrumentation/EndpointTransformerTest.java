package dev.dynamo.agent.internal.instrumentation;

import com.example.endpoints.Handlers;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whatever escapes a {@code ClassFileTransformer}, the JVM prints to the application's stderr
 * ({@code *** java.lang.instrument ASSERTION FAILED ***}); at the top of an exhausted stack even
 * the transformer's first checks can throw. Nothing may escape: the class then loads unchanged.
 */
class EndpointTransformerTest {
    private final EndpointTransformer transformer = new EndpointTransformer("dynamo");

    @Test
    void aFailureInTheFirstChecksLeavesTheClassUnchanged() {
        // No class file at all: the byte scan fails, as it can where the stack is exhausted.
        assertNull(transformer.transform(getClass().getClassLoader(), "com/example/Absent", null, null, null));
    }

    @Test
    void aFailureWhileWeavingLeavesTheClassUnchanged() {
        byte[] truncated = {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE, 0, 0, 0, 52, 'L', 'd', 'e', 'v', '/',
            'd', 'y', 'n', 'a', 'm', 'o', '/', 'r', 'u', 'n', 't', 'i', 'm', 'e', '/', 'D', 'y', 'n', 'a', 'm', 'o',
            'E', 'n', 'd', 'p', 'o', 'i', 'n', 't', ';'};

        assertNull(transformer.transform(getClass().getClassLoader(), "com/example/Truncated", null, null, truncated));
    }

    @Test
    void countsEveryClassItIsGivenAndTheOnesItRewritesWithTheirTime() throws IOException {
        // Other tests of this JVM install the agent's transformer, so classes loaded meanwhile count too:
        // only classes with the annotation are counted exactly.
        long seen = InstrumentationCost.classesSeen();
        long instrumented = InstrumentationCost.classesInstrumented();
        long nanos = InstrumentationCost.nanos();

        assertNull(transformer.transform(getClass().getClassLoader(), "dev/dynamo/agent/internal/instrumentation/Plain",
                null, null, classFile(BytePattern.class)));
        assertEquals(instrumented, InstrumentationCost.classesInstrumented(), "a class without the annotation");
        assertNotNull(transformer.transform(getClass().getClassLoader(), "com/example/endpoints/Handlers", null, null,
                classFile(Handlers.class)));

        assertTrue(InstrumentationCost.classesSeen() >= seen + 2, "both classes seen");
        assertEquals(instrumented + 1, InstrumentationCost.classesInstrumented(), "the annotated class");
        assertTrue(InstrumentationCost.nanos() > nanos, "time spent");
    }

    /** {@code ClassLoader.defineClass(null, bytes, ...)} gives the transformer no name: the bytes have it. */
    @Test
    void weavesAClassDefinedWithoutANameUnderTheNameInItsBytes() throws IOException {
        long instrumented = InstrumentationCost.classesInstrumented();

        assertNotNull(transformer.transform(getClass().getClassLoader(), null, null, null, classFile(Handlers.class)));
        assertEquals(instrumented + 1, InstrumentationCost.classesInstrumented());
    }

    private static byte[] classFile(Class<?> type) throws IOException {
        try (InputStream in = type.getResourceAsStream(type.getSimpleName() + ".class")) {
            return in.readAllBytes();
        }
    }
}
