package dev.dynamo.agent.internal.instrumentation;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNull;

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
}
