package com.example.endpoints;

import dev.dynamo.runtime.DynamoEndpoint;
import io.grpc.stub.StreamObserver;
import jakarta.ws.rs.container.AsyncResponse;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * One handler of each shape that recurses until the stack ends and catches the
 * {@code StackOverflowError} itself, then returns normally: so that the returns nearest the top of
 * the exhausted stack run their exits where no call fits. {@link #caught} counts the catches: one
 * per descent, unless an error thrown by the instrumentation on a return reached the method above.
 */
public class ExhaustedStackHandlers {
    public static final String NS = "exhausted_test";

    /** Made before the descent: the methods allocate nothing at the top of the stack. */
    private static final CompletionStage<Integer> DONE = CompletableFuture.completedFuture(0);
    /** Completed already: its call ends as the method returns. */
    private static final io.vertx.core.Future<Integer> SUCCEEDED = io.vertx.core.Future.succeededFuture(1);
    private static final com.google.common.util.concurrent.ListenableFuture<Integer> GUAVA_DONE =
            com.google.common.util.concurrent.Futures.immediateFuture(1);
    private static final scala.concurrent.Future<Integer> SCALA_DONE = scala.concurrent.Future$.MODULE$.successful(1);
    private static final kotlinx.coroutines.Deferred<Integer> KOTLIN_DONE =
            kotlinx.coroutines.CompletableDeferredKt.CompletableDeferred(1);
    private static final Flow.Publisher<Integer> EMPTY = subscriber -> {
        subscriber.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
            }

            @Override
            public void cancel() {
            }
        });
        subscriber.onComplete();
    };
    /** Not gRPC's own observer: its calls end at the handler's return. */
    private static final StreamObserver<String> RESPONSES = new StreamObserver<String>() {
        @Override
        public void onNext(String value) {
        }

        @Override
        public void onError(Throwable failure) {
        }

        @Override
        public void onCompleted() {
        }
    };

    public static int caught;

    @DynamoEndpoint(namespace = NS, component = "exhausted", endpoint = "synchronous")
    public static int synchronous(int level) {
        try {
            return synchronous(level + 1) + 1;
        } catch (StackOverflowError end) {
            caught++;
            return 0;
        }
    }

    /** Recurses until the stack ends and lets the overflow through: every call it counted throws. */
    @DynamoEndpoint(namespace = NS, component = "exhausted", endpoint = "overflow")
    public static int overflow(int level) {
        return overflow(level + 1) + 1;
    }

    @DynamoEndpoint(namespace = NS, component = "exhausted", endpoint = "stage")
    public static CompletionStage<Integer> stage(int level) {
        try {
            stage(level + 1);
        } catch (StackOverflowError end) {
            caught++;
        }
        return DONE;
    }

    @DynamoEndpoint(namespace = NS, component = "exhausted", endpoint = "publisher")
    public static Flow.Publisher<Integer> publisher(int level) {
        try {
            publisher(level + 1);
        } catch (StackOverflowError end) {
            caught++;
        }
        return EMPTY;
    }

    @DynamoEndpoint(namespace = NS, component = "exhausted", endpoint = "vertx_future")
    public static io.vertx.core.Future<Integer> vertxFuture(int level) {
        try {
            vertxFuture(level + 1);
        } catch (StackOverflowError end) {
            caught++;
        }
        return SUCCEEDED;
    }

    /** Done when returned: its listener runs inside {@code addListener}, at the top of the stack. */
    @DynamoEndpoint(namespace = NS, component = "exhausted", endpoint = "guava_future")
    public static com.google.common.util.concurrent.ListenableFuture<Integer> guavaFuture(int level) {
        try {
            guavaFuture(level + 1);
        } catch (StackOverflowError end) {
            caught++;
        }
        return GUAVA_DONE;
    }

    @DynamoEndpoint(namespace = NS, component = "exhausted", endpoint = "scala_future")
    public static scala.concurrent.Future<Integer> scalaFuture(int level) {
        try {
            scalaFuture(level + 1);
        } catch (StackOverflowError end) {
            caught++;
        }
        return SCALA_DONE;
    }

    @DynamoEndpoint(namespace = NS, component = "exhausted", endpoint = "kotlin_deferred")
    public static kotlinx.coroutines.Deferred<Integer> kotlinDeferred(int level) {
        try {
            kotlinDeferred(level + 1);
        } catch (StackOverflowError end) {
            caught++;
        }
        return KOTLIN_DONE;
    }

    @DynamoEndpoint(namespace = NS, component = "exhausted", endpoint = "observer")
    public static void observer(int level, StreamObserver<String> responses) {
        try {
            observer(level + 1, responses);
        } catch (StackOverflowError end) {
            caught++;
        }
    }

    @DynamoEndpoint(namespace = NS, component = "exhausted", endpoint = "async_response")
    public static void asyncResponse(int level, AsyncResponse response) {
        try {
            asyncResponse(level + 1, response);
        } catch (StackOverflowError end) {
            caught++;
        }
    }

    /**
     * The AsyncResponse handler's entry, with a response of no JAX-RS runtime (as a unit test passes):
     * every call is timed to its return, and the response is left as it is.
     */
    public static void asyncResponse() {
        AsyncResponse response = new PlainAsyncResponse();
        asyncResponse(0, response);
        response.resume("done");
    }

    /** The observer handler's entry, with an observer that is not gRPC's. */
    public static void observer() {
        observer(0, RESPONSES);
    }
}
