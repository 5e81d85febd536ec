package dev.dynamo.agent.internal.instrumentation;

import dev.dynamo.runtime.internal.instrumentation.SuspendCalls;
import net.bytebuddy.asm.Advice;

/**
 * Inlined into every {@code @DynamoEndpoint} Kotlin {@code suspend} function: a first entry counts a
 * call and hands the function a continuation that ends it; resumptions record nothing.
 */
public final class SuspendEndpointAdvice {
    private SuspendEndpointAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static Object enter(@EndpointId int id, @ShapeConstant String stateMachine,
            @ShapeArgument Object continuation) {
        Object call = SuspendCalls.enter(id, continuation, stateMachine.isEmpty() ? null : stateMachine);
        continuation = SuspendCalls.continuation(call, continuation);
        return call;
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter Object call, @Advice.Return Object result, @Advice.Thrown Throwable thrown) {
        SuspendCalls.exit(call, result, thrown);
    }
}
