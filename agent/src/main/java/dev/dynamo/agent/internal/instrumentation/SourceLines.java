package dev.dynamo.agent.internal.instrumentation;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * Where in the source a method's code begins, as its class file's line numbers say. Scala 2 gives a
 * class that mixes in a trait a forwarder for each of the trait's concrete methods, with the line of
 * the class's declaration, as its constructor has; a method the application wrote there has a line
 * of its own, even when it is compiled to the same call (an override that calls {@code super}).
 */
final class SourceLines {
    private SourceLines() {
    }

    /**
     * Whether method {@code name}{@code descriptor} of {@code classFile} begins on the line where a
     * constructor of its class does (the class's declaration), or its class file has no line numbers
     * to tell.
     */
    static boolean ofClassDeclaration(byte[] classFile, final String name, final String descriptor) {
        final int[] lines = {-1, -1}; // the method's first line, the constructors' first line
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String method, String methodDescriptor, String signature,
                    String[] exceptions) {
                final int slot = method.equals("<init>") ? 1 : method.equals(name) && methodDescriptor.equals(descriptor)
                        ? 0 : -1;
                if (slot < 0) {
                    return null;
                }
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitLineNumber(int line, Label start) {
                        if (lines[slot] < 0 || line < lines[slot]) {
                            lines[slot] = line;
                        }
                    }
                };
            }
        }, ClassReader.SKIP_FRAMES);
        return lines[0] < 0 || lines[1] < 0 || lines[0] == lines[1];
    }
}
