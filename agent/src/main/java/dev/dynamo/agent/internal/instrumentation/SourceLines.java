package dev.dynamo.agent.internal.instrumentation;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

import java.util.HashMap;
import java.util.Map;

/**
 * Where in the source each method of a class begins, as its class file's line numbers say. Scala 2
 * gives a class that mixes in a trait a forwarder for each of the trait's concrete methods, with the
 * line of the class's declaration, as its constructor has; a method the application wrote there has
 * a line of its own, even when it is compiled to the same call (an override that calls {@code super}).
 */
final class SourceLines {
    private static final String CONSTRUCTORS = "<init>";

    /** The first line of each method, by name and descriptor; of the constructors together, under {@link #CONSTRUCTORS}. */
    private final Map<String, Integer> firstLines;

    private SourceLines(Map<String, Integer> firstLines) {
        this.firstLines = firstLines;
    }

    /** Reads the line numbers of {@code classFile}. */
    static SourceLines of(byte[] classFile) {
        final Map<String, Integer> firstLines = new HashMap<String, Integer>();
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String method, String descriptor, String signature,
                    String[] exceptions) {
                final String key = method.equals(CONSTRUCTORS) ? CONSTRUCTORS : method + descriptor;
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitLineNumber(int line, Label start) {
                        Integer first = firstLines.get(key);
                        if (first == null || line < first) {
                            firstLines.put(key, line);
                        }
                    }
                };
            }
        }, ClassReader.SKIP_FRAMES);
        return new SourceLines(firstLines);
    }

    /**
     * Whether method {@code name}{@code descriptor} begins on the line where a constructor of its class
     * does (the class's declaration), or the class file has no line numbers to tell.
     */
    boolean ofClassDeclaration(String name, String descriptor) {
        Integer method = firstLines.get(name + descriptor);
        Integer constructor = firstLines.get(CONSTRUCTORS);
        return method == null || constructor == null || method.equals(constructor);
    }
}
