package dev.dynamo.agent.internal.instrumentation;

import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The weaver's warning for a method that also carries OpenTelemetry's {@code @WithSpan} and returns a
 * {@code CompletableFuture}, woven before the OpenTelemetry agent (which {@code OtherAgentsIT} runs
 * for real): given only when that agent runs in the JVM and has not rewritten the class yet.
 */
class OpenTelemetryAgentTest {
    private static final String WITH_SPAN = "Lio/opentelemetry/instrumentation/annotations/WithSpan;";

    @Test
    void warnsOnceWhenTheOpenTelemetryAgentRunsAndWillRewriteTheClassAfterThisOne() {
        List<String> warnings = weave("gen/otel/WovenFirst", false, openTelemetryStarted());

        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("@DynamoEndpoint on gen.otel.WovenFirst.stage()"
                + "Ljava/util/concurrent/CompletableFuture; is measured inside OpenTelemetry's @WithSpan")
                && warnings.get(0).contains("Put -javaagent:dynamo-agent.jar after the OpenTelemetry agent's"),
                warnings.get(0));
    }

    @Test
    void saysNothingWhenTheOpenTelemetryAgentRewroteTheClassFirst() {
        assertEquals(Collections.emptyList(), weave("gen/otel/WovenSecond", true, openTelemetryStarted()));
    }

    @Test
    void saysNothingWithoutTheOpenTelemetryAgent() {
        assertEquals(Collections.emptyList(), weave("gen/otel/NoAgent", false, getClass().getClassLoader()));
    }

    /**
     * Weaves a class whose {@code stage()} and {@code plain()} carry both annotations; returns the
     * weaver's warnings.
     *
     * @param rewrittenByOpenTelemetry whether the class file holds a reference into that agent's classes
     */
    private static List<String> weave(String internalName, boolean rewrittenByOpenTelemetry, ClassLoader agents) {
        List<String> warnings = new ArrayList<>();
        byte[] woven = new EndpointWeaver("otel_order_test", (key, message) -> warnings.add(message), agents, null)
                .weave(OpenTelemetryAgentTest.class.getClassLoader(), internalName,
                        tracedClass(internalName, rewrittenByOpenTelemetry));
        assertNotNull(woven, "both methods were woven");
        return warnings;
    }

    private static byte[] tracedClass(String internalName, boolean rewrittenByOpenTelemetry) {
        ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        writer.visit(Opcodes.V11, Opcodes.ACC_PUBLIC, internalName, null, "java/lang/Object", null);
        MethodVisitor stage = annotated(writer, "stage", "()Ljava/util/concurrent/CompletableFuture;");
        if (rewrittenByOpenTelemetry) {
            stage.visitLdcInsn("io/opentelemetry/javaagent/bootstrap/Java8BytecodeBridge");
            stage.visitInsn(Opcodes.POP);
        }
        stage.visitTypeInsn(Opcodes.NEW, "java/util/concurrent/CompletableFuture");
        stage.visitInsn(Opcodes.DUP);
        stage.visitMethodInsn(Opcodes.INVOKESPECIAL, "java/util/concurrent/CompletableFuture", "<init>", "()V", false);
        stage.visitInsn(Opcodes.ARETURN);
        stage.visitMaxs(0, 0);
        stage.visitEnd();
        MethodVisitor plain = annotated(writer, "plain", "()I");
        plain.visitInsn(Opcodes.ICONST_1);
        plain.visitInsn(Opcodes.IRETURN);
        plain.visitMaxs(0, 0);
        plain.visitEnd();
        writer.visitEnd();
        return writer.toByteArray();
    }

    private static MethodVisitor annotated(ClassWriter writer, String name, String descriptor) {
        MethodVisitor method = writer.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, name, descriptor, null, null);
        method.visitAnnotation(WITH_SPAN, true).visitEnd();
        method.visitAnnotation("Ldev/dynamo/runtime/DynamoEndpoint;", true).visitEnd();
        method.visitCode();
        return method;
    }

    /** A class loader that has the OpenTelemetry agent's {@code Premain-Class}, as the system loader has once it started. */
    private static ClassLoader openTelemetryStarted() {
        ClassWriter writer = new ClassWriter(0);
        String premainClass = OpenTelemetryAgent.PREMAIN_CLASS.replace('.', '/');
        writer.visit(Opcodes.V1_8, Opcodes.ACC_PUBLIC, premainClass, null, "java/lang/Object", null);
        writer.visitEnd();
        byte[] classFile = writer.toByteArray();
        return new ClassLoader(OpenTelemetryAgentTest.class.getClassLoader()) {
            @Override
            protected Class<?> findClass(String name) throws ClassNotFoundException {
                if (!name.equals(OpenTelemetryAgent.PREMAIN_CLASS)) {
                    throw new ClassNotFoundException(name);
                }
                return defineClass(name, classFile, 0, classFile.length);
            }
        };
    }
}
