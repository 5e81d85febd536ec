package dev.dynamo.agent.internal.instrumentation;

import dev.dynamo.runtime.internal.instrumentation.PublisherCalls;
import net.bytebuddy.jar.asm.Type;

import java.util.ArrayList;
import java.util.List;

/**
 * How a call of an annotated method ends, decided once per method from its descriptor: the names
 * of its parameter and return types (and, for {@code CompletionStage} and the eager futures of
 * libraries, the return type's hierarchy).
 * No framework class is loaded to decide, so the agent depends on none of Kotlin, Reactor or gRPC.
 * The weaver ({@link EndpointMethodWeaver}) emits the entry and exits that fit.
 */
enum MethodShape {
    /** The call ends when the method returns. */
    SYNCHRONOUS,
    /** Declared to return a {@code CompletionStage}: the call ends when the returned stage completes. */
    COMPLETION_STAGE,
    /** A Kotlin {@code suspend} function: ends when the coroutine's result or exception is ready. */
    SUSPEND,
    /**
     * Returns a reactive-streams publisher, a lazy single value (Mutiny's {@code Uni}, RxJava's
     * {@code Single}, {@code Maybe}, {@code Completable}) or a Kotlin {@code Flow}: counted and ended by
     * its first subscription or collection.
     */
    PUBLISHER,
    /**
     * Declared to return an eager future of a library or a subtype: Vert.x's {@code Future}
     * ({@code CompositeFuture}, {@code Timer}), Guava's {@code ListenableFuture} ({@code FluentFuture},
     * {@code SettableFuture}), Scala's {@code Future}, Kotlin's {@code Job} ({@code Deferred},
     * {@code CompletableDeferred}), Spring's {@code ListenableFuture}, Netty's {@code Future}
     * ({@code ChannelFuture}, {@code Promise}). Counted when returned and ended when it completes. Its exit is the
     * publishers' (a reflective call that finds the library by name), which returns the same future.
     */
    FUTURE,
    /** A gRPC handler answering through a {@code StreamObserver}: ends when that observer completes. */
    STREAM_OBSERVER,
    /** A JAX-RS resource method answering through an {@code AsyncResponse}: ends when the response is done. */
    ASYNC_RESPONSE;

    static final String CONTINUATION = "Lkotlin/coroutines/Continuation;";
    static final String STREAM_OBSERVER_TYPE = "Lio/grpc/stub/StreamObserver;";
    /**
     * The eager futures' types, as internal names: a return type that is one of them or extends one is
     * {@link #FUTURE}, unless it is also a {@code CompletionStage}.
     */
    static final String[] EAGER_FUTURES = {
        "io/vertx/core/Future", "com/google/common/util/concurrent/ListenableFuture", "scala/concurrent/Future",
        "kotlinx/coroutines/Job", "kotlinx/coroutines/Deferred", "org/springframework/util/concurrent/ListenableFuture",
        "io/netty/util/concurrent/Future", "io/netty/channel/ChannelFuture",
    };
    private static final String OBJECT = "Ljava/lang/Object;";
    /** JAX-RS's {@code AsyncResponse}, of Jakarta EE 9 and later and of Java EE. */
    private static final String[] ASYNC_RESPONSE_TYPES = {
        "Ljakarta/ws/rs/container/AsyncResponse;", "Ljavax/ws/rs/container/AsyncResponse;",
    };

    /**
     * The shape of {@code descriptor}, a method of a class defined by {@code loader}. The return type's
     * class files are read only for a method that no name marks as another shape: a {@code Mono}'s
     * hierarchy, say, would be read for nothing.
     *
     * @param loaderLocked whether another thread holds {@code loader}'s lock and waits for this one
     */
    static MethodShape of(String descriptor, ClassLoader loader, boolean loaderLocked, AsyncReturnTypes returnTypes) {
        MethodShape byNames = of(descriptor, SYNCHRONOUS);
        if (byNames != SYNCHRONOUS) {
            return byNames;
        }
        Type returned = Type.getReturnType(descriptor);
        return returned.getSort() == Type.OBJECT ? returnTypes.shapeOf(loader, returned.getInternalName(), loaderLocked)
                : SYNCHRONOUS;
    }

    /**
     * The shape of {@code descriptor}, told what its return type's hierarchy makes it:
     * {@link #COMPLETION_STAGE}, {@link #FUTURE} or {@link #SYNCHRONOUS}.
     */
    static MethodShape of(String descriptor, MethodShape byReturnTypeHierarchy) {
        String[] parameters = parameters(descriptor);
        String returned = descriptor.substring(descriptor.indexOf(')') + 1);
        if (parameters.length > 0 && parameters[parameters.length - 1].equals(CONTINUATION) && returned.equals(OBJECT)) {
            return SUSPEND;
        }
        if (observerParameter(descriptor) >= 0 && (returned.equals("V") || returned.equals(STREAM_OBSERVER_TYPE))) {
            return STREAM_OBSERVER;
        }
        if (returned.equals("V") && asyncResponseParameter(descriptor) >= 0) {
            return ASYNC_RESPONSE;
        }
        if (publisherKind(returned) != 0) {
            return PUBLISHER;
        }
        boolean namesAnEagerFuture = returned.charAt(0) == 'L' && isEagerFuture(returned.substring(1, returned.length() - 1));
        return namesAnEagerFuture ? FUTURE : byReturnTypeHierarchy;
    }

    /** Whether {@code internalName} is one of {@link #EAGER_FUTURES}. */
    static boolean isEagerFuture(String internalName) {
        for (String future : EAGER_FUTURES) {
            if (future.equals(internalName)) {
                return true;
            }
        }
        return false;
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
            case "Lio/reactivex/rxjava3/core/Flowable;":
                return PublisherCalls.RXJAVA;
            case "Lio/smallrye/mutiny/Multi;":
                return PublisherCalls.MUTINY;
            case "Lio/smallrye/mutiny/Uni;":
                return PublisherCalls.MUTINY_UNI;
            case "Lio/reactivex/rxjava3/core/Single;":
            case "Lio/reactivex/rxjava3/core/Maybe;":
            case "Lio/reactivex/rxjava3/core/Completable;":
                return PublisherCalls.RXJAVA_SINGLE;
            case "Lkotlinx/coroutines/flow/Flow;":
                return PublisherCalls.KOTLIN_FLOW;
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

    /** For {@link #ASYNC_RESPONSE}: the index of the last {@code AsyncResponse} parameter; -1 if none. */
    static int asyncResponseParameter(String descriptor) {
        String[] parameters = parameters(descriptor);
        for (int i = parameters.length - 1; i >= 0; i--) {
            for (String type : ASYNC_RESPONSE_TYPES) {
                if (parameters[i].equals(type)) {
                    return i;
                }
            }
        }
        return -1;
    }

    /**
     * Whether the exits of this shape make proxies and reflective calls, whose JDK machinery is
     * readied before the first call of such a method ({@code WovenCalls.activate(int, boolean)}).
     */
    boolean isHandlerShape() {
        return this == SUSPEND || this == PUBLISHER || this == FUTURE || this == STREAM_OBSERVER || this == ASYNC_RESPONSE;
    }

    /**
     * The parameter the shape watches: the continuation of a suspend function, the response observer
     * of a gRPC handler, the {@code AsyncResponse} of a JAX-RS method; -1 for the other shapes.
     */
    int watchedParameter(String descriptor) {
        switch (this) {
            case SUSPEND:
                return parameters(descriptor).length - 1;
            case STREAM_OBSERVER:
                return observerParameter(descriptor);
            case ASYNC_RESPONSE:
                return asyncResponseParameter(descriptor);
            default:
                return -1;
        }
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

    /** For log lines: how the call is timed. */
    String describe() {
        switch (this) {
            case COMPLETION_STAGE:
                return " (until its stage completes, if it returns one)";
            case SUSPEND:
                return " (a suspend function: until its coroutine completes)";
            case PUBLISHER:
                return " (a publisher, single value or flow: from its first subscription or collection to its end)";
            case FUTURE:
                return " (an eager future: until it completes)";
            case STREAM_OBSERVER:
                return " (a gRPC handler: until its response observer completes)";
            case ASYNC_RESPONSE:
                return " (a JAX-RS method answering through an AsyncResponse: until the response is done)";
            default:
                return "";
        }
    }
}
