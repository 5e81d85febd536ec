package dev.dynamo.agent.internal.instrumentation;

import dev.dynamo.runtime.internal.instrumentation.PublisherCalls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class MethodShapeTest {
    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
        "(I)I, SYNCHRONOUS",
        "(Lkotlin/coroutines/Continuation;)Ljava/lang/Object;, SUSPEND",
        "(JLjava/lang/String;Lkotlin/coroutines/Continuation;)Ljava/lang/Object;, SUSPEND",
        // A Continuation that is not the last parameter, or a typed return, is not a suspend function.
        "(Lkotlin/coroutines/Continuation;I)Ljava/lang/Object;, SYNCHRONOUS",
        "(Lkotlin/coroutines/Continuation;)Ljava/lang/String;, SYNCHRONOUS",
        "(Ljava/lang/String;Lio/grpc/stub/StreamObserver;)V, STREAM_OBSERVER",
        "(Lio/grpc/stub/StreamObserver;)Lio/grpc/stub/StreamObserver;, STREAM_OBSERVER",
        "(Lio/grpc/stub/StreamObserver;)I, SYNCHRONOUS",
        "()Lreactor/core/publisher/Mono;, PUBLISHER",
        "(I)Lreactor/core/publisher/Flux;, PUBLISHER",
        "()Lorg/reactivestreams/Publisher;, PUBLISHER",
        "()Ljava/util/concurrent/Flow$Publisher;, PUBLISHER",
        "()Lio/reactivex/rxjava3/core/Flowable;, PUBLISHER",
        // Lazy single values are ended by the same exit as publishers.
        "()Lio/reactivex/rxjava3/core/Single;, PUBLISHER",
        "()Lio/smallrye/mutiny/Uni;, PUBLISHER",
        // Eager futures of libraries: counted when returned, ended when they complete.
        "()Lio/vertx/core/Future;, FUTURE",
        "(J)Lcom/google/common/util/concurrent/ListenableFuture;, FUTURE",
        "()Lscala/concurrent/Future;, FUTURE",
        "()Lkotlinx/coroutines/Deferred;, FUTURE",
        "()Lkotlinx/coroutines/Job;, FUTURE",
        "()Lorg/springframework/util/concurrent/ListenableFuture;, FUTURE",
        "()Lio/netty/channel/ChannelFuture;, FUTURE",
        // The JDK's Future has no completion callback: timed to the return.
        "()Ljava/util/concurrent/Future;, SYNCHRONOUS",
        // RxJava's Observable is timed to the return.
        "()Lio/reactivex/rxjava3/core/Observable;, SYNCHRONOUS",
        "()Ljava/util/concurrent/CompletableFuture;, SYNCHRONOUS",
    })
    void shapeComesFromTheDescriptorAlone(String descriptor, MethodShape expected) {
        assertEquals(expected, MethodShape.of(descriptor, MethodShape.SYNCHRONOUS));
    }

    @Test
    void stagesAndFutureSubtypesAreDecidedByTheCallerWhoKnowsTheTypeHierarchy() {
        assertEquals(MethodShape.COMPLETION_STAGE,
                MethodShape.of("()Ljava/util/concurrent/CompletableFuture;", MethodShape.COMPLETION_STAGE));
        assertEquals(MethodShape.FUTURE, MethodShape.of("()Lio/vertx/core/CompositeFuture;", MethodShape.FUTURE));
        assertEquals(MethodShape.PUBLISHER, MethodShape.of("()Lreactor/core/publisher/Mono;", MethodShape.COMPLETION_STAGE),
                "the names decide first");
    }

    @Test
    void onlyAMethodNoNameMarksHasItsReturnTypeRead() {
        List<String> read = new ArrayList<>();
        ClassLoader loader = new ClassLoader(null) {
            @Override
            public InputStream getResourceAsStream(String name) {
                read.add(name);
                return null;
            }
        };
        AsyncReturnTypes stages = new AsyncReturnTypes(new ClassFileLookup(null, null));

        assertEquals(MethodShape.PUBLISHER, MethodShape.of("()Lreactor/core/publisher/Mono;", loader, false, stages));
        assertEquals(MethodShape.STREAM_OBSERVER, MethodShape.of(
                "(Lio/grpc/stub/StreamObserver;)Lio/grpc/stub/StreamObserver;", loader, false, stages));
        assertEquals(List.of(), read, "no class file read for shapes the names decide");

        // Not found: the woven code asks the returned object whether it is a stage.
        assertEquals(MethodShape.COMPLETION_STAGE, MethodShape.of("()Lapp/Reply;", loader, false, stages));
        assertEquals(List.of("app/Reply.class"), read);
    }

    @Test
    void publisherKindFollowsTheStaticReturnType() {
        assertEquals(PublisherCalls.REACTOR, MethodShape.publisherKind("Lreactor/core/publisher/Mono;"));
        assertEquals(PublisherCalls.REACTIVE_STREAMS, MethodShape.publisherKind("Lorg/reactivestreams/Publisher;"));
        assertEquals(PublisherCalls.FLOW, MethodShape.publisherKind("Ljava/util/concurrent/Flow$Publisher;"));
        assertEquals(PublisherCalls.MUTINY_UNI, MethodShape.publisherKind("Lio/smallrye/mutiny/Uni;"));
        assertEquals(PublisherCalls.RXJAVA_SINGLE, MethodShape.publisherKind("Lio/reactivex/rxjava3/core/Single;"));
        assertEquals(PublisherCalls.RXJAVA_SINGLE, MethodShape.publisherKind("Lio/reactivex/rxjava3/core/Maybe;"));
        assertEquals(PublisherCalls.RXJAVA_SINGLE, MethodShape.publisherKind("Lio/reactivex/rxjava3/core/Completable;"));
        assertEquals(0, MethodShape.publisherKind("Lio/vertx/core/Future;"), "a FUTURE, not a publisher");
        assertEquals(0, MethodShape.publisherKind("Lio/reactivex/rxjava3/core/Observable;"));
        assertEquals(0, MethodShape.publisherKind("Ljava/lang/Object;"));
    }

    @Test
    void responseObserverIsTheLastStreamObserverParameter() {
        assertEquals(1, MethodShape.observerParameter("(Ljava/lang/String;Lio/grpc/stub/StreamObserver;)V"));
        assertEquals(2, MethodShape.observerParameter(
                "(Lio/grpc/stub/StreamObserver;[JLio/grpc/stub/StreamObserver;)V"));
        assertEquals(-1, MethodShape.observerParameter("(Ljava/lang/String;)V"));
    }

    @Test
    void parametersAreSplitWithArraysAndWideTypes() {
        assertArrayEquals(new String[] {"J", "[[Ljava/lang/String;", "D", "[I", "Z"},
                MethodShape.parameters("(J[[Ljava/lang/String;D[IZ)V"));
    }
}
