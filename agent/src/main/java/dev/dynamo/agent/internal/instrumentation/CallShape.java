package dev.dynamo.agent.internal.instrumentation;

import dev.dynamo.runtime.internal.instrumentation.PublisherCalls;

import java.util.ArrayList;
import java.util.List;

/**
 * How a call of an annotated method ends, decided once per method at transform time from its
 * descriptor alone: the names of its parameter and return types. No framework class is loaded to
 * decide, so the agent depends on none of Kotlin, Reactor or gRPC.
 */
enum CallShape {
    /** Ends when the method returns or throws: the cheapest shape, and the default. */
    SYNCHRONOUS,
    /** Returns a {@code CompletionStage}: ends when the stage completes. */
    COMPLETION_STAGE,
    /** A Kotlin {@code suspend} function: ends when the coroutine's result or exception is ready. */
    SUSPEND,
    /** Returns a reactive-streams publisher: ends at the terminal signal of its first subscription. */
    PUBLISHER,
    /** A gRPC handler answering through a {@code StreamObserver}: ends when that observer completes. */
    STREAM_OBSERVER;

    static final String CONTINUATION = "Lkotlin/coroutines/Continuation;";
    static final String STREAM_OBSERVER_TYPE = "Lio/grpc/stub/StreamObserver;";
    private static final String OBJECT = "Ljava/lang/Object;";

    /**
     * The shape of a method with {@code descriptor}; {@code returnsCompletionStage} tells whether its
     * return type is a {@code CompletionStage}, which needs the type hierarchy rather than a name.
     */
    static CallShape of(String descriptor, boolean returnsCompletionStage) {
        String[] parameters = parameters(descriptor);
        String returned = descriptor.substring(descriptor.indexOf(')') + 1);
        if (parameters.length > 0 && parameters[parameters.length - 1].equals(CONTINUATION) && returned.equals(OBJECT)) {
            return SUSPEND;
        }
        if (observerParameter(descriptor) >= 0 && (returned.equals("V") || returned.equals(STREAM_OBSERVER_TYPE))) {
            return STREAM_OBSERVER;
        }
        if (publisherKind(returned) != 0) {
            return PUBLISHER;
        }
        return returnsCompletionStage ? COMPLETION_STAGE : SYNCHRONOUS;
    }

    /** For {@link #PUBLISHER}: which kind of publisher the static return type names, 0 if none. */
    static int publisherKind(String returnDescriptor) {
        switch (returnDescriptor) {
            case "Lorg/reactivestreams/Publisher;":
                return PublisherCalls.REACTIVE_STREAMS;
            case "Ljava/util/concurrent/Flow$Publisher;":
                return PublisherCalls.FLOW;
            case "Lreactor/core/publisher/Mono;":
            case "Lreactor/core/publisher/Flux;":
                return PublisherCalls.REACTOR;
            default:
                return 0;
        }
    }

    /** For {@link #STREAM_OBSERVER}: the index of the response observer, the last such parameter; -1 if none. */
    static int observerParameter(String descriptor) {
        String[] parameters = parameters(descriptor);
        for (int i = parameters.length - 1; i >= 0; i--) {
            if (parameters[i].equals(STREAM_OBSERVER_TYPE)) {
                return i;
            }
        }
        return -1;
    }

    /** The parameter type descriptors of a method descriptor. */
    static String[] parameters(String descriptor) {
        List<String> parameters = new ArrayList<String>();
        int i = 1;
        while (descriptor.charAt(i) != ')') {
            int start = i;
            while (descriptor.charAt(i) == '[') {
                i++;
            }
            i = descriptor.charAt(i) == 'L' ? descriptor.indexOf(';', i) + 1 : i + 1;
            parameters.add(descriptor.substring(start, i));
        }
        return parameters.toArray(new String[0]);
    }
}
