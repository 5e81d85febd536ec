package dev.dynamo.agent.internal.instrumentation;

import dev.dynamo.runtime.internal.instrumentation.StreamObserverCalls;
import net.bytebuddy.asm.Advice;

/**
 * Inlined into gRPC's own server response observer ({@code ServerCalls$ServerCallStreamObserverImpl})
 * and call listeners: they report the end of a call to {@link StreamObserverCalls}. On entry, so that
 * the call ends even when gRPC then throws (an observer used after cancellation).
 */
public final class GrpcObserverAdvice {
    private GrpcObserverAdvice() {
    }

    /** On {@code onCompleted()}. */
    public static final class Completed {
        private Completed() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.This Object observer) {
            StreamObserverCalls.completed(observer);
        }
    }

    /** On {@code onError(Throwable)}. */
    public static final class Failed {
        private Failed() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.This Object observer, @Advice.Argument(0) Throwable thrown) {
            StreamObserverCalls.failed(observer, thrown);
        }
    }

    /** On the server call listeners' {@code onCancel()}: the client cancelled, or the call broke off. */
    public static final class Cancelled {
        private Cancelled() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.FieldValue("responseObserver") Object observer) {
            StreamObserverCalls.cancelled(observer);
        }
    }
}
