package dev.dynamo.agent.internal.instrumentation;

import dev.dynamo.runtime.internal.instrumentation.StreamObserverCalls;
import net.bytebuddy.asm.Advice;

/**
 * Inlined into every {@code @DynamoEndpoint} gRPC handler that answers through a
 * {@code StreamObserver}: the call goes on after the return until the observer completes.
 */
public final class StreamObserverEndpointAdvice {
    private StreamObserverEndpointAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static long enter(@EndpointId int id, @ShapeArgument Object observer) {
        return StreamObserverCalls.enter(id, observer);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@EndpointId int id, @Advice.Enter long startNanos, @ShapeArgument Object observer,
            @Advice.Thrown Throwable thrown) {
        StreamObserverCalls.exit(id, startNanos, observer, thrown);
    }
}
