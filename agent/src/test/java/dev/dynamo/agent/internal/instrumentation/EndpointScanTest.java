package dev.dynamo.agent.internal.instrumentation;

import com.example.endpoints.BridgedHandler;
import com.example.endpoints.Handlers;
import com.example.endpoints.SuspendHandlers;
import dev.dynamo.agent.internal.ByteStreams;
import net.bytebuddy.jar.asm.ClassReader;
import org.junit.jupiter.api.Test;

import java.io.InputStream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which classes the weaver reads all the code of ({@link MethodBodies}): only those that may have wrappers. */
class EndpointScanTest {
    private static EndpointScan scan(Class<?> type) throws Exception {
        try (InputStream in = type.getClassLoader().getResourceAsStream(type.getName().replace('.', '/') + ".class")) {
            return EndpointScan.of(new ClassReader(ByteStreams.readAll(in, 4096)));
        }
    }

    @Test
    void aJavaClassWithoutCompilerGeneratedAnnotatedMethodsNeedsNoPassOverItsCode() throws Exception {
        EndpointScan scan = scan(Handlers.class);

        assertFalse(scan.methods().isEmpty());
        assertFalse(scan.needsMethodBodies());
    }

    @Test
    void aJavaClassWhoseBridgeMethodJavacAnnotatedNeedsOne() throws Exception {
        assertTrue(scan(BridgedHandler.class).needsMethodBodies());
    }

    @Test
    void aKotlinClassNeedsOne() throws Exception {
        assertTrue(scan(SuspendHandlers.class).needsMethodBodies());
    }
}
