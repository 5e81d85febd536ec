package dev.dynamo.agent.internal.instrumentation;

import net.bytebuddy.jar.asm.Type;

/**
 * How a call of an annotated method ends, decided once per method from its descriptor: the weaver
 * ({@link EndpointMethodWeaver#exitOnReturn}) emits the exit that fits. Every shape enters the same
 * way and ends the same way when the method throws; they differ in what a normal return means.
 */
enum MethodShape {
    /** The call ends when the method returns. */
    SYNCHRONOUS,
    /** Declared to return a {@code CompletionStage}: the call ends when the returned stage completes. */
    COMPLETION_STAGE;

    private static final String COMPLETION_STAGE_TYPE = "java/util/concurrent/CompletionStage";

    static MethodShape of(String descriptor, TypeHierarchy types) {
        Type returned = Type.getReturnType(descriptor);
        if (returned.getSort() == Type.OBJECT && types.isSubtype(returned.getInternalName(), COMPLETION_STAGE_TYPE)) {
            return COMPLETION_STAGE;
        }
        return SYNCHRONOUS;
    }

    /** For log lines: how the call is timed. */
    String describe() {
        return this == COMPLETION_STAGE ? " (until its stage completes)" : "";
    }
}
