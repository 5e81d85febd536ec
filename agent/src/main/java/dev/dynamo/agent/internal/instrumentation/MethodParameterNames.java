package dev.dynamo.agent.internal.instrumentation;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Puts the parameter names of a class file ({@code MethodParameters}, compiled with
 * {@code javac -parameters}) back into a retransformed class. Before Java 19 the JVM leaves that
 * attribute out of the class file it gives transformers at a retransformation (JDK-8240908), so a
 * class the agent retransforms (every annotated class already loaded at a dynamic attach) loses its
 * parameter names for good, whatever the agent does to it: {@code Parameter.getName()} then says
 * {@code arg0}, and Spring 6, which binds {@code @RequestParam} and {@code @PathVariable} without a
 * name by the parameter's, failed every request of an attached application on JDK 17 with a 500 (a
 * tester). The names are read from the class file that the class's loader serves.
 */
final class MethodParameterNames {
    /** Whether this JVM loses the names at a retransformation: before Java 19. */
    static final boolean LOST_ON_RETRANSFORMATION = javaFeatureVersion() < 19;

    private MethodParameterNames() {
    }

    /**
     * {@code woven} with the parameter names of {@code original}'s methods, or {@code woven} itself
     * when {@code original} has none.
     */
    static byte[] restore(byte[] woven, byte[] original) {
        final Map<String, List<Object[]>> names = read(original);
        if (names.isEmpty()) {
            return woven;
        }
        ClassReader reader = new ClassReader(woven);
        ClassWriter writer = new ClassWriter(reader, 0);
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                    String[] exceptions) {
                MethodVisitor target = super.visitMethod(access, name, descriptor, signature, exceptions);
                List<Object[]> parameters = names.get(name + descriptor);
                if (parameters == null) {
                    // Copied as it is.
                    return target;
                }
                for (Object[] parameter : parameters) {
                    target.visitParameter((String) parameter[0], (Integer) parameter[1]);
                }
                return new MethodVisitor(Opcodes.ASM9, target) {
                    @Override
                    public void visitParameter(String parameterName, int parameterAccess) {
                        // The original's are in already; a JVM that kept them gives them again.
                    }
                };
            }
        }, 0);
        return writer.toByteArray();
    }

    /** By method name and descriptor, each parameter's (name, access) in order; empty when none is named. */
    private static Map<String, List<Object[]>> read(byte[] classFile) {
        final Map<String, List<Object[]>> names = new HashMap<String, List<Object[]>>();
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, final String name, final String descriptor, String signature,
                    String[] exceptions) {
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitParameter(String parameterName, int parameterAccess) {
                        List<Object[]> parameters = names.get(name + descriptor);
                        if (parameters == null) {
                            parameters = new ArrayList<Object[]>(4);
                            names.put(name + descriptor, parameters);
                        }
                        parameters.add(new Object[] {parameterName, parameterAccess});
                    }
                };
            }
        }, ClassReader.SKIP_CODE | ClassReader.SKIP_FRAMES);
        return names;
    }

    private static int javaFeatureVersion() {
        String version = System.getProperty("java.specification.version", "1.8");
        try {
            return version.startsWith("1.") ? Integer.parseInt(version.substring(2)) : Integer.parseInt(version);
        } catch (NumberFormatException unknown) {
            return 8;
        }
    }
}
