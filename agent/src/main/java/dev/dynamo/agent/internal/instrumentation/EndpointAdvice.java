package dev.dynamo.agent.internal.instrumentation;

import dev.dynamo.runtime.internal.instrumentation.EndpointRecording;
import net.bytebuddy.asm.Advice;

/**
 * Inlined into every synchronous {@code @DynamoEndpoint} method. The code runs in the instrumented
 * class, so it may only touch classes its class loader sees: the API on the bootstrap class path.
 */
public final class EndpointAdvice {
    private EndpointAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static long enter(@EndpointId int id) {
        return EndpointRecording.enter(id);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@EndpointId int id, @Advice.Enter long startNanos, @Advice.Thrown Throwable thrown) {
        EndpointRecording.exit(id, startNanos, thrown);
    }
}
