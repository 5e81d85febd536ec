package dev.dynamo.agent.internal.instrumentation;

import dev.dynamo.runtime.internal.instrumentation.EndpointRecording;
import net.bytebuddy.asm.Advice;

/**
 * Inlined into every {@code @DynamoEndpoint} method that returns a {@code CompletionStage}: the call
 * is measured until the returned stage completes.
 */
public final class AsyncEndpointAdvice {
    private AsyncEndpointAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static long enter(@EndpointId int id) {
        return EndpointRecording.enter(id);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@EndpointId int id, @Advice.Enter long startNanos, @Advice.Thrown Throwable thrown,
            @Advice.Return Object result) {
        EndpointRecording.exitAsync(id, startNanos, thrown, result);
    }
}
