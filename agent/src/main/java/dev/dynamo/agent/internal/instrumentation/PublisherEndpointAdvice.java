package dev.dynamo.agent.internal.instrumentation;

import dev.dynamo.runtime.internal.instrumentation.PublisherCalls;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Inlined into every {@code @DynamoEndpoint} method returning a reactive-streams publisher: the
 * method returns the same publisher type, watched until its first subscription's terminal signal.
 */
public final class PublisherEndpointAdvice {
    private PublisherEndpointAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static long enter(@EndpointId int id) {
        return PublisherCalls.enter(id);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@EndpointId int id, @ShapeConstant int kind, @Advice.Enter long startNanos,
            @Advice.Thrown Throwable thrown,
            @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object result) {
        result = PublisherCalls.exit(id, startNanos, result, thrown, kind);
    }
}
