package dev.dynamo.agent.internal.instrumentation;

import com.example.endpoints.BridgedHandler;
import com.example.endpoints.Handlers;
import com.example.endpoints.SuspendHandlers;
import dev.dynamo.agent.internal.ByteStreams;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

import java.io.InputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

    /**
     * The JVM ignores the annotations of a class file older than Java 5 (version 49): reflection sees none, and a
     * retransformation gives a class file without them. Read from the bytes at a first load, they were measured
     * with -javaagent and not after an attach (a re-tester); now in neither.
     */
    @Test
    void aClassFileOlderThanJava5HasNoAnnotatedMethod() {
        for (int version : new int[] {Opcodes.V1_1, Opcodes.V1_4, Opcodes.V1_5}) {
            ClassWriter writer = new ClassWriter(0);
            writer.visit(version, Opcodes.ACC_PUBLIC, "gen/Old", null, "java/lang/Object", null);
            MethodVisitor method = writer.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "f", "()V", null, null);
            method.visitAnnotation(EndpointScan.ANNOTATION_DESCRIPTOR, true).visitEnd();
            method.visitCode();
            method.visitInsn(Opcodes.RETURN);
            method.visitMaxs(0, 0);
            method.visitEnd();
            writer.visitEnd();

            EndpointScan scan = EndpointScan.of(new ClassReader(writer.toByteArray()));

            assertEquals((version & 0xFFFF) >= 49 ? 1 : 0, scan.methods().size(), "version " + (version & 0xFFFF));
        }
    }
}
