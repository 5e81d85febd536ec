package dev.dynamo.agent.internal.instrumentation;

import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.jar.asm.AnnotationVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A class the agent retransforms (every annotated class already loaded at a dynamic attach) keeps the
 * parameter names it was compiled with ({@code javac -parameters}). Before Java 19 the JVM leaves them
 * out of the class file it gives transformers (JDK-8240908): before, an attached application lost
 * them for good, and Spring 6, which binds {@code @RequestParam} by the parameter's name, answered
 * every request with a 500 (a tester, JDK 17). Meaningful on Java 17, where this suite runs.
 */
class RetransformedParameterNamesTest {
    private static final String NAME = "gen.NamedParameters";
    static final String NS = "parameter_names_test";

    @Test
    void aRetransformedClassKeepsItsParameterNamesAndIsMeasured() throws Exception {
        Class<?> type = Class.forName(NAME, true, loaderServing(NAME, namedParametersClass()));
        Method handle = type.getMethod("handle", int.class, String.class);
        assertEquals("count", handle.getParameters()[0].getName(), "compiled with its names");

        retransform(type);

        Parameter[] parameters = type.getMethod("handle", int.class, String.class).getParameters();
        assertTrue(parameters[0].isNamePresent(), "the names are kept");
        assertEquals("count", parameters[0].getName());
        assertEquals("label", parameters[1].getName());
        EndpointMetrics metrics = new EndpointMetrics(NS, "named", "handle");
        long before = metrics.requests();
        assertEquals(3, handle.invoke(null, 3, "x"));
        assertEquals(before + 1, metrics.requests(), "the retransformed class is measured");
    }

    /**
     * An interface whose annotated method is abstract has nothing woven, yet the JVM's retransformation dropped
     * its names all the same: a re-tester's attach on JDK 17 turned {@code price(String sku, int quantity)} into
     * {@code arg0, arg1}, which declarative HTTP clients and Spring Data repositories bind by.
     */
    @Test
    void aRetransformedInterfaceWhoseAnnotatedMethodIsAbstractKeepsItsParameterNames() throws Exception {
        String name = "gen.NamedClient";
        Class<?> type = Class.forName(name, true, loaderServing(name, clientInterface(name)));
        assertEquals("sku", type.getMethod("price", String.class, int.class).getParameters()[0].getName());

        retransform(type);

        Parameter[] parameters = type.getMethod("price", String.class, int.class).getParameters();
        assertTrue(parameters[0].isNamePresent(), "the names are kept");
        assertEquals("sku", parameters[0].getName());
        assertEquals("quantity", parameters[1].getName());
    }

    private static void retransform(Class<?> type) throws Exception {
        Instrumentation instrumentation = ByteBuddyAgent.install();
        EndpointTransformer transformer = new EndpointTransformer("unused", instrumentation);
        instrumentation.addTransformer(transformer, true);
        try {
            instrumentation.retransformClasses(type);
        } finally {
            instrumentation.removeTransformer(transformer);
        }
    }

    /** A loader that defines {@code className} from {@code classFile}, and serves that as its class file. */
    private ClassLoader loaderServing(String className, byte[] classFile) {
        return new ClassLoader(getClass().getClassLoader()) {
            @Override
            protected Class<?> findClass(String name) throws ClassNotFoundException {
                if (!name.equals(className)) {
                    throw new ClassNotFoundException(name);
                }
                return defineClass(name, classFile, 0, classFile.length);
            }

            @Override
            public InputStream getResourceAsStream(String name) {
                return name.equals(className.replace('.', '/') + ".class") ? new ByteArrayInputStream(classFile)
                        : super.getResourceAsStream(name);
            }
        };
    }

    /** {@code public interface <name> { @DynamoEndpoint int price(String sku, int quantity); } }, with its names. */
    private static byte[] clientInterface(String name) {
        ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        writer.visit(Opcodes.V11, Opcodes.ACC_PUBLIC | Opcodes.ACC_INTERFACE | Opcodes.ACC_ABSTRACT,
                name.replace('.', '/'), null, "java/lang/Object", null);
        MethodVisitor price = writer.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_ABSTRACT, "price",
                "(Ljava/lang/String;I)I", null, null);
        price.visitParameter("sku", 0);
        price.visitParameter("quantity", 0);
        AnnotationVisitor endpoint = price.visitAnnotation("Ldev/dynamo/runtime/DynamoEndpoint;", true);
        endpoint.visit("namespace", NS);
        endpoint.visitEnd();
        price.visitEnd();
        writer.visitEnd();
        return writer.toByteArray();
    }

    /** {@code public class NamedParameters { @DynamoEndpoint static int handle(int count, String label) } }, with its names. */
    private static byte[] namedParametersClass() {
        return annotatedClass(NAME, "named", false);
    }

    /**
     * {@code public class <name> { @DynamoEndpoint static int handle(int count, String label) } }, with
     * its parameter names, endpoint {@code component/handle} of namespace {@link #NS}; where
     * {@code unverifiable}, with a method that fails verification too.
     */
    static byte[] annotatedClass(String name, String component, boolean unverifiable) {
        ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        writer.visit(Opcodes.V11, Opcodes.ACC_PUBLIC | Opcodes.ACC_SUPER, name.replace('.', '/'), null,
                "java/lang/Object", null);
        if (unverifiable) {
            // Returns an int as an object: the verifier refuses the class.
            MethodVisitor broken = writer.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "broken",
                    "()Ljava/lang/Object;", null, null);
            broken.visitCode();
            broken.visitInsn(Opcodes.ICONST_1);
            broken.visitInsn(Opcodes.ARETURN);
            broken.visitMaxs(0, 0);
            broken.visitEnd();
        }
        MethodVisitor init = writer.visitMethod(Opcodes.ACC_PUBLIC, "<init>", "()V", null, null);
        init.visitCode();
        init.visitVarInsn(Opcodes.ALOAD, 0);
        init.visitMethodInsn(Opcodes.INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
        init.visitInsn(Opcodes.RETURN);
        init.visitMaxs(0, 0);
        init.visitEnd();
        MethodVisitor handle = writer.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "handle",
                "(ILjava/lang/String;)I", null, null);
        handle.visitParameter("count", 0);
        handle.visitParameter("label", 0);
        AnnotationVisitor endpoint = handle.visitAnnotation("Ldev/dynamo/runtime/DynamoEndpoint;", true);
        endpoint.visit("namespace", NS);
        endpoint.visit("component", component);
        endpoint.visit("endpoint", "handle");
        endpoint.visitEnd();
        handle.visitCode();
        handle.visitVarInsn(Opcodes.ILOAD, 0);
        handle.visitInsn(Opcodes.IRETURN);
        handle.visitMaxs(0, 0);
        handle.visitEnd();
        writer.visitEnd();
        return writer.toByteArray();
    }
}
