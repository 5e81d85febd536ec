package dev.dynamo.agent.internal.instrumentation;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

import java.util.ArrayList;
import java.util.List;

/**
 * Rewrites the gRPC classes that see the end of a server call, so that a gRPC handler measured as
 * {@link MethodShape#STREAM_OBSERVER} is timed to its real end: the response observer's
 * {@code onCompleted}/{@code onError}, and the call listeners' {@code onCancel}. Matched by name;
 * the agent does not depend on gRPC. Each of these methods first reports to
 * {@code StreamObserverCalls} — on entry, so that the call ends even when gRPC then throws (an
 * observer used after cancellation) — inside a catch-all, so that gRPC runs on whatever happens.
 * They report only calls that a measured handler started, and cost one emptiness check otherwise.
 */
final class GrpcServerCalls {
    static final String OBSERVER = "io/grpc/stub/ServerCalls$ServerCallStreamObserverImpl";
    static final String UNARY_LISTENER = "io/grpc/stub/ServerCalls$UnaryServerCallHandler$UnaryServerCallListener";
    static final String STREAMING_LISTENER =
            "io/grpc/stub/ServerCalls$StreamingServerCallHandler$StreamingServerCallListener";
    private static final String CALLS = "dev/dynamo/runtime/internal/instrumentation/StreamObserverCalls";
    private static final String OBJECT = "java/lang/Object";

    private GrpcServerCalls() {
    }

    static boolean isTarget(String internalName) {
        return internalName.startsWith("io/grpc/stub/ServerCalls$") && (internalName.equals(OBSERVER)
                || internalName.equals(UNARY_LISTENER) || internalName.equals(STREAMING_LISTENER));
    }

    /** Whether target {@code internalName} is a call listener (it reports cancellations). */
    static boolean isListener(String internalName) {
        return !internalName.equals(OBSERVER);
    }

    /**
     * Whether both call listeners exist in {@code loader}'s gRPC, looked up as resources without
     * loading them: the streaming listener is loaded only after the first bidi handler has run, yet
     * that handler's call must already be known to end at a cancellation.
     */
    static boolean listenersPresent(ClassLoader loader) {
        return loader.getResource(UNARY_LISTENER + ".class") != null
                && loader.getResource(STREAMING_LISTENER + ".class") != null;
    }

    /** The rewritten class file of {@code internalName}, one of the {@link #isTarget targets}. */
    static byte[] weave(final String internalName, byte[] classFile) {
        final boolean[] reported = new boolean[1];
        byte[] woven = new ClassRewrite() {
            @Override
            MethodVisitor rewrite(MethodVisitor target, String owner, int access, String name, String descriptor,
                    boolean writeFrames) {
                String report = report(internalName, name, descriptor);
                if (report == null || (access & Opcodes.ACC_STATIC) != 0) {
                    return null;
                }
                reported[0] = true;
                return new Reporter(target, internalName, descriptor, report, writeFrames);
            }
        }.apply(new ClassReader(classFile));
        if (!reported[0]) {
            throw new IllegalStateException("no method to watch in " + internalName.replace('/', '.')
                    + ": another gRPC version");
        }
        return woven;
    }

    /** The {@code StreamObserverCalls} method that method {@code name} of {@code owner} reports to, or null. */
    private static String report(String owner, String name, String descriptor) {
        if (owner.equals(OBSERVER)) {
            if (name.equals("onCompleted") && descriptor.equals("()V")) {
                return "completed";
            }
            if (name.equals("onError") && descriptor.equals("(Ljava/lang/Throwable;)V")) {
                return "failed";
            }
            return null;
        }
        return name.equals("onCancel") && descriptor.equals("()V") ? "cancelled" : null;
    }

    /**
     * Puts {@code try { StreamObserverCalls.<report>(...); } catch (Throwable ignored) { }} before the
     * method's first instruction.
     */
    private static final class Reporter extends MethodVisitor {
        private final String owner;
        private final String descriptor;
        private final String report;
        private final boolean writeFrames;

        Reporter(MethodVisitor target, String owner, String descriptor, String report, boolean writeFrames) {
            super(Opcodes.ASM9, target);
            this.owner = owner;
            this.descriptor = descriptor;
            this.report = report;
            this.writeFrames = writeFrames;
        }

        @Override
        public void visitCode() {
            super.visitCode();
            Label start = new Label();
            Label end = new Label();
            Label failed = new Label();
            Label body = new Label();
            super.visitTryCatchBlock(start, end, failed, null);
            super.visitLabel(start);
            super.visitVarInsn(Opcodes.ALOAD, 0);
            if (report.equals("cancelled")) {
                // The listener's response observer: the key of the call.
                super.visitFieldInsn(Opcodes.GETFIELD, owner, "responseObserver", "L" + OBSERVER + ";");
                super.visitMethodInsn(Opcodes.INVOKESTATIC, CALLS, report, "(Ljava/lang/Object;)V", false);
            } else if (report.equals("failed")) {
                super.visitVarInsn(Opcodes.ALOAD, 1);
                super.visitMethodInsn(Opcodes.INVOKESTATIC, CALLS, report, "(Ljava/lang/Object;Ljava/lang/Throwable;)V",
                        false);
            } else {
                super.visitMethodInsn(Opcodes.INVOKESTATIC, CALLS, report, "(Ljava/lang/Object;)V", false);
            }
            super.visitLabel(end);
            super.visitJumpInsn(Opcodes.GOTO, body);
            super.visitLabel(failed);
            frame(new Object[] {"java/lang/Throwable"});
            super.visitInsn(Opcodes.POP);
            super.visitLabel(body);
            frame(new Object[0]);
            // Keeps this frame apart from one the method may have at its first instruction.
            super.visitInsn(Opcodes.NOP);
        }

        /** A full frame with the method's parameters as it receives them, and {@code stack}. */
        private void frame(Object[] stack) {
            if (!writeFrames) {
                return;
            }
            List<Object> locals = new ArrayList<Object>();
            locals.add(owner);
            for (Type parameter : Type.getArgumentTypes(descriptor)) {
                locals.add(parameter.getSort() == Type.OBJECT ? parameter.getInternalName() : OBJECT);
            }
            super.visitFrame(Opcodes.F_NEW, locals.size(), locals.toArray(), stack.length, stack);
        }
    }
}
