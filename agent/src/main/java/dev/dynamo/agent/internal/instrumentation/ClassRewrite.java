package dev.dynamo.agent.internal.instrumentation;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * Rewrites chosen methods of one class file through the ASM that ByteBuddy ships, and copies the
 * others byte for byte: the endpoint weaving and the gRPC call ends both go through here. Reads with
 * expanded frames and writes with the original constant pool, computing only maximum stack sizes:
 * the rewriters write their frames themselves, so that no class is ever loaded to compute them.
 */
abstract class ClassRewrite {
    /**
     * The visitor that rewrites method {@code name}{@code descriptor} of {@code owner} into
     * {@code target}, or null to copy the method as it is.
     *
     * @param writeFrames whether the class file has stack map frames (version 50 and later)
     */
    abstract MethodVisitor rewrite(MethodVisitor target, String owner, int access, String name, String descriptor,
            boolean writeFrames);

    /** The class file of {@code reader} with the chosen methods rewritten. */
    final byte[] apply(ClassReader reader) {
        ClassWriter writer = new NoClassLoadingWriter(reader);
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            private String owner;
            private boolean writeFrames;

            @Override
            public void visit(int version, int access, String name, String signature, String superName,
                    String[] interfaces) {
                owner = name;
                writeFrames = (version & 0xFFFF) >= Opcodes.V1_6;
                super.visit(version, access, name, signature, superName, interfaces);
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                    String[] exceptions) {
                MethodVisitor target = super.visitMethod(access, name, descriptor, signature, exceptions);
                MethodVisitor rewriter = rewrite(target, owner, access, name, descriptor, writeFrames);
                return rewriter == null ? target : rewriter;
            }
        }, ClassReader.EXPAND_FRAMES);
        return writer.toByteArray();
    }

    /**
     * Writes with the original constant pool, so that unchanged methods are copied byte for byte,
     * and computes only maximum stack sizes. ASM asks for a common superclass only when it must
     * insert frames itself (a method grown past 32 KiB needs wide jumps); loading classes for that
     * here could deadlock class loading, so the class is then left as it is.
     */
    private static final class NoClassLoadingWriter extends ClassWriter {
        NoClassLoadingWriter(ClassReader reader) {
            super(reader, ClassWriter.COMPUTE_MAXS);
        }

        @Override
        protected String getCommonSuperClass(String type1, String type2) {
            throw new UnsupportedOperationException("a method grew past 32 KiB and would need frames computed from "
                    + "the class hierarchy (" + type1 + ", " + type2 + ")");
        }
    }
}
