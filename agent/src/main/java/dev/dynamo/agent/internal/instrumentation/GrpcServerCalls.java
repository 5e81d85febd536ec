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
 * reported to {@code StreamObserverCalls} as pending when {@code onCompleted}/{@code onError} is
 * entered, as taken when it returns, and as refused when gRPC throws (the call was closed or
 * cancelled already), so that a refused answer changes nothing. A taken answer is the call's outcome
 * once the listener reports the close; a cancel reported instead makes it a cancellation (gRPC takes
 * the answer of a unary call the client has cancelled without complaint while the listener has not
 * been told). A close reported while an answer is pending ends the call with that answer on the
 * answering thread (a transport that finishes the call inside the answer), and on another thread
 * leaves the end to the answering thread, which learns whether gRPC took the answer. The listeners
 * report on entry, and exceptions from a catch-all that rethrows the same object. Each report sits
 * inside a catch-all of its own, so that gRPC runs on whatever happens.
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
                Reports reports = Reports.of(internalName, name, descriptor);
                if (reports == null) {
                    return null;
                }
                reported[0] |= reports.endsCalls;
                return new Reporter(target, internalName, descriptor, reports, writeFrames);
            }
        }.apply(new ClassReader(classFile));
        if (!reported[0]) {
            throw new IllegalStateException("no method to watch in " + internalName.replace('/', '.')
                    + ": another gRPC version");
        }
        return woven;
    }

    /**
     * What one gRPC method reports to {@code StreamObserverCalls}, each a method name or null: on
     * entry, before each return, and when it throws. A report passes the call's key (the response
     * observer), and for {@code failed}, {@code answeringError} and {@code answeredError} a
     * {@code Throwable}: the method's parameter ({@code onError}'s), or the exception thrown for
     * {@link #onThrow}.
     */
    private static final class Reports {
        final String onEntry;
        final String onReturn;
        final String onThrow;
        /** Whether the method ends calls (as opposed to only watching the application's code). */
        final boolean endsCalls;

        private Reports(String onEntry, String onReturn, String onThrow, boolean endsCalls) {
            this.onEntry = onEntry;
            this.onReturn = onReturn;
            this.onThrow = onThrow;
            this.endsCalls = endsCalls;
        }

        static Reports of(String owner, String name, String descriptor) {
            if (owner.equals(OBSERVER)) {
                // The answer is pending from the entry; it is the call's outcome once gRPC took it (the
                // method returns) and the listener reports the close, and no outcome when gRPC refuses it
                // (it throws: the call was closed or cancelled already).
                if (name.equals("onCompleted") && descriptor.equals("()V")) {
                    return new Reports("answering", "answered", "refused", true);
                }
                if (name.equals("onError") && descriptor.equals("(Ljava/lang/Throwable;)V")) {
                    return new Reports("answeringError", "answeredError", "refused", true);
                }
                return null;
            }
            if (descriptor.equals("()V") && name.equals("onCancel")) {
                return new Reports("cancelled", null, null, true);
            }
            if (descriptor.equals("()V") && name.equals("onComplete")) {
                return new Reports("closed", null, null, true);
            }
            // The application's code that the listeners run: the request observer of a streaming call
            // (onMessage, onHalfClose) and the ready handler (onReady). The unary listener's onHalfClose
            // runs the handler itself, whose woven code sees what it throws.
            boolean runsApplication = name.equals("onReady") && descriptor.equals("()V")
                    || owner.equals(STREAMING_LISTENER) && (name.equals("onMessage")
                    && descriptor.equals("(Ljava/lang/Object;)V") || name.equals("onHalfClose") && descriptor.equals("()V"));
            return runsApplication ? new Reports(null, null, "failed", false) : null;
        }
    }

    /**
     * Weaves a method's {@link Reports}: {@code try { StreamObserverCalls.<report>(key[, thrown]); }
     * catch (Throwable ignored) { }} on entry and before each return, and for exceptions a catch-all
     * around the method, after the method's own handlers so that theirs come first, that reports and
     * rethrows the same object. No report can fail the method or change what it returns or throws.
     */
    private static final class Reporter extends MethodVisitor {
        private static final String KEY = "(Ljava/lang/Object;)V";
        private static final String KEY_AND_THROWABLE = "(Ljava/lang/Object;Ljava/lang/Throwable;)V";

        private final String owner;
        private final String descriptor;
        private final Reports reports;
        private final boolean writeFrames;
        private final Label bodyStart = new Label();
        /** The handler of the reports made before returns, written once after the method's code. */
        private Label returnReportFailed;

        Reporter(MethodVisitor target, String owner, String descriptor, Reports reports, boolean writeFrames) {
            super(Opcodes.ASM9, target);
            this.owner = owner;
            this.descriptor = descriptor;
            this.reports = reports;
            this.writeFrames = writeFrames;
        }

        @Override
        public void visitCode() {
            super.visitCode();
            if (reports.onEntry != null) {
                Label failed = new Label();
                Label body = new Label();
                guardedReport(reports.onEntry, failed, 1);
                super.visitJumpInsn(Opcodes.GOTO, body);
                super.visitLabel(failed);
                frame(new Object[] {"java/lang/Throwable"}, null);
                super.visitInsn(Opcodes.POP);
                super.visitLabel(body);
                frame(new Object[0], null);
                // Keeps this frame apart from one the method may have at its first instruction.
                super.visitInsn(Opcodes.NOP);
            }
            super.visitLabel(bodyStart);
        }

        @Override
        public void visitInsn(int opcode) {
            if (opcode == Opcodes.RETURN && reports.onReturn != null) {
                if (returnReportFailed == null) {
                    returnReportFailed = new Label();
                }
                guardedReport(reports.onReturn, returnReportFailed, 1);
            }
            super.visitInsn(opcode);
        }

        /**
         * The call of {@code report} with the call's key, and the {@code Throwable} in slot
         * {@code throwableSlot} when the report takes one, covered by a catch-all that jumps to
         * {@code failed}.
         */
        private void guardedReport(String report, Label failed, int throwableSlot) {
            Label start = new Label();
            Label end = new Label();
            super.visitTryCatchBlock(start, end, failed, null);
            super.visitLabel(start);
            loadKey();
            if (report.equals("failed") || report.equals("answeringError") || report.equals("answeredError")) {
                super.visitVarInsn(Opcodes.ALOAD, throwableSlot);
                super.visitMethodInsn(Opcodes.INVOKESTATIC, CALLS, report, KEY_AND_THROWABLE, false);
            } else {
                super.visitMethodInsn(Opcodes.INVOKESTATIC, CALLS, report, KEY, false);
            }
            super.visitLabel(end);
        }

        /** The key of the call: the observer itself, or a listener's response observer. */
        private void loadKey() {
            super.visitVarInsn(Opcodes.ALOAD, 0);
            if (isListener(owner)) {
                super.visitFieldInsn(Opcodes.GETFIELD, owner, "responseObserver", "L" + OBSERVER + ";");
            }
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            if (returnReportFailed != null) {
                // The report failed (no stack left, say): the method returns as it would have.
                super.visitLabel(returnReportFailed);
                frame(new Object[] {"java/lang/Throwable"}, null);
                super.visitInsn(Opcodes.POP);
                super.visitInsn(Opcodes.RETURN);
            }
            if (reports.onThrow != null) {
                reportThrows(maxLocals);
            }
            super.visitMaxs(maxStack, maxLocals);
        }

        /** The catch-all around the method, with the exception kept in slot {@code thrownSlot} (a new one). */
        private void reportThrows(int thrownSlot) {
            Label bodyEnd = new Label();
            Label thrown = new Label();
            Label reportFailed = new Label();
            Label rethrow = new Label();
            super.visitLabel(bodyEnd);
            super.visitTryCatchBlock(bodyStart, bodyEnd, thrown, null);
            super.visitLabel(thrown);
            frame(new Object[] {"java/lang/Throwable"}, null);
            super.visitVarInsn(Opcodes.ASTORE, thrownSlot);
            guardedReport(reports.onThrow, reportFailed, thrownSlot);
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
