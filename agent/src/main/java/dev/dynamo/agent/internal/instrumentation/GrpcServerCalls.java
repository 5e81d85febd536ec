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
 * {@code onCompleted}/{@code onError}; the call listeners' {@code onCancel} (the client went away)
 * and {@code onComplete} (the server closed the call, perhaps without the handler's answer: an
 * interceptor closed it, or gRPC did after the application threw); and an exception of the
 * application's request observer or ready handler, which the listeners call and which gRPC turns
 * into a closed call. Matched by name; the agent does not depend on gRPC. The observer's answer is
 * reported to {@code StreamObserverCalls} when {@code onCompleted}/{@code onError} returns, so an
 * answer gRPC refuses (it throws: the call was closed or cancelled already) changes nothing, and the
 * listener's report of that close ends the call; the listeners' ends are reported on entry, and
 * exceptions from a catch-all that rethrows the same object. Each report sits inside a catch-all of
 * its own, so that gRPC runs on whatever happens.
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
                if ((access & Opcodes.ACC_STATIC) != 0) {
                    return null;
                }
                String report = report(internalName, name, descriptor);
                boolean reportsThrows = reportsThrows(internalName, name, descriptor);
                if (report == null && !reportsThrows) {
                    return null;
                }
                reported[0] |= report != null;
                return new Reporter(target, internalName, descriptor, report, reportsThrows, writeFrames);
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
        if (!descriptor.equals("()V")) {
            return null;
        }
        return name.equals("onCancel") ? "cancelled" : name.equals("onComplete") ? "closed" : null;
    }

    /**
     * Whether method {@code name} of {@code owner} runs the application's code for a call that a
     * measured handler started: the request observer of a streaming call ({@code onMessage},
     * {@code onHalfClose}) and the ready handler ({@code onReady}). The unary listener's
     * {@code onHalfClose} runs the handler itself, whose woven code sees what it throws.
     */
    private static boolean reportsThrows(String owner, String name, String descriptor) {
        if (owner.equals(OBSERVER)) {
            return false;
        }
        if (name.equals("onReady") && descriptor.equals("()V")) {
            return true;
        }
        return owner.equals(STREAMING_LISTENER) && (name.equals("onMessage") && descriptor.equals("(Ljava/lang/Object;)V")
                || name.equals("onHalfClose") && descriptor.equals("()V"));
    }

    /**
     * Puts {@code try { StreamObserverCalls.<report>(...); } catch (Throwable ignored) { }} before a
     * listener method's first instruction, or before each return of an observer method, when it
     * reports an end; and when it reports exceptions, wraps the
     * method in {@code catch (Throwable t) { try { StreamObserverCalls.failed(responseObserver, t); }
     * catch (Throwable ignored) { } throw t; }}, after the method's own handlers so that theirs come first.
     */
    private static final class Reporter extends MethodVisitor {
        private final String owner;
        private final String descriptor;
        private final String report;
        private final boolean reportsThrows;
        private final boolean writeFrames;
        private final Label bodyStart = new Label();

        Reporter(MethodVisitor target, String owner, String descriptor, String report, boolean reportsThrows,
                boolean writeFrames) {
            super(Opcodes.ASM9, target);
            this.owner = owner;
            this.descriptor = descriptor;
            this.report = report;
            this.reportsThrows = reportsThrows;
            this.writeFrames = writeFrames;
        }

        /** The handler of the reports made on return, written once after the method's code. */
        private Label reportOnReturnFailed;

        @Override
        public void visitCode() {
            super.visitCode();
            if (report != null && isListener(owner)) {
                reportOnEntry();
            }
            super.visitLabel(bodyStart);
        }

        @Override
        public void visitInsn(int opcode) {
            if (opcode == Opcodes.RETURN && report != null && !isListener(owner)) {
                reportOnReturn();
            }
            super.visitInsn(opcode);
        }

        /**
         * {@code try { StreamObserverCalls.<report>(this[, thrown]); } catch (Throwable ignored) { return; }}
         * before a return of the observer's method: its answer was taken.
         */
        private void reportOnReturn() {
            if (reportOnReturnFailed == null) {
                reportOnReturnFailed = new Label();
            }
            Label start = new Label();
            Label end = new Label();
            super.visitTryCatchBlock(start, end, reportOnReturnFailed, null);
            super.visitLabel(start);
            super.visitVarInsn(Opcodes.ALOAD, 0);
            if (report.equals("failed")) {
                super.visitVarInsn(Opcodes.ALOAD, 1);
                super.visitMethodInsn(Opcodes.INVOKESTATIC, CALLS, report, "(Ljava/lang/Object;Ljava/lang/Throwable;)V",
                        false);
            } else {
                super.visitMethodInsn(Opcodes.INVOKESTATIC, CALLS, report, "(Ljava/lang/Object;)V", false);
            }
            super.visitLabel(end);
        }

        /** {@code try { StreamObserverCalls.<report>(responseObserver); } catch (Throwable ignored) { }} first. */
        private void reportOnEntry() {
            Label start = new Label();
            Label end = new Label();
            Label failed = new Label();
            Label body = new Label();
            super.visitTryCatchBlock(start, end, failed, null);
            super.visitLabel(start);
            super.visitVarInsn(Opcodes.ALOAD, 0);
            // The listener's response observer: the key of the call.
            super.visitFieldInsn(Opcodes.GETFIELD, owner, "responseObserver", "L" + OBSERVER + ";");
            super.visitMethodInsn(Opcodes.INVOKESTATIC, CALLS, report, "(Ljava/lang/Object;)V", false);
            super.visitLabel(end);
            super.visitJumpInsn(Opcodes.GOTO, body);
            super.visitLabel(failed);
            frame(new Object[] {"java/lang/Throwable"}, null);
            super.visitInsn(Opcodes.POP);
            super.visitLabel(body);
            frame(new Object[0], null);
            // Keeps this frame apart from one the method may have at its first instruction.
            super.visitInsn(Opcodes.NOP);
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            if (reportOnReturnFailed != null) {
                // The report failed (no stack left, say): the method returns as it would have.
                super.visitLabel(reportOnReturnFailed);
                frame(new Object[] {"java/lang/Throwable"}, null);
                super.visitInsn(Opcodes.POP);
                super.visitInsn(Opcodes.RETURN);
            }
            if (reportsThrows) {
                reportThrows(maxLocals);
            }
            super.visitMaxs(maxStack, maxLocals);
        }

        /** The catch-all around the method, with the exception kept in slot {@code thrownSlot} (a new one). */
        private void reportThrows(int thrownSlot) {
            Label bodyEnd = new Label();
            Label thrown = new Label();
            Label reportStart = new Label();
            Label reportEnd = new Label();
            Label reportFailed = new Label();
            Label rethrow = new Label();
            super.visitLabel(bodyEnd);
            super.visitTryCatchBlock(bodyStart, bodyEnd, thrown, null);
            super.visitTryCatchBlock(reportStart, reportEnd, reportFailed, null);
            super.visitLabel(thrown);
            frame(new Object[] {"java/lang/Throwable"}, null);
            super.visitVarInsn(Opcodes.ASTORE, thrownSlot);
            super.visitLabel(reportStart);
            super.visitVarInsn(Opcodes.ALOAD, 0);
            super.visitFieldInsn(Opcodes.GETFIELD, owner, "responseObserver", "L" + OBSERVER + ";");
            super.visitVarInsn(Opcodes.ALOAD, thrownSlot);
            super.visitMethodInsn(Opcodes.INVOKESTATIC, CALLS, "failed", "(Ljava/lang/Object;Ljava/lang/Throwable;)V", false);
            super.visitLabel(reportEnd);
            super.visitJumpInsn(Opcodes.GOTO, rethrow);
            super.visitLabel(reportFailed);
            frame(new Object[] {"java/lang/Throwable"}, thrownSlot);
            super.visitInsn(Opcodes.POP);
            super.visitLabel(rethrow);
            frame(new Object[0], thrownSlot);
            super.visitVarInsn(Opcodes.ALOAD, thrownSlot);
            super.visitInsn(Opcodes.ATHROW);
        }

        /**
         * A full frame with the method's parameters as it receives them, then, when {@code thrownSlot}
         * is not null, nothing known up to a {@code Throwable} in that slot; and {@code stack}.
         */
        private void frame(Object[] stack, Integer thrownSlot) {
            if (!writeFrames) {
                return;
            }
            List<Object> locals = new ArrayList<Object>();
            locals.add(owner);
            int slots = 1;
            for (Type parameter : Type.getArgumentTypes(descriptor)) {
                locals.add(parameter.getSort() == Type.OBJECT ? parameter.getInternalName() : OBJECT);
                slots++;
            }
            if (thrownSlot != null) {
                for (; slots < thrownSlot; slots++) {
                    locals.add(Opcodes.TOP);
                }
                locals.add("java/lang/Throwable");
            }
            super.visitFrame(Opcodes.F_NEW, locals.size(), locals.toArray(), stack.length, stack);
        }
    }
}
