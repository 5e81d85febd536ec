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

    /** A value a call computes: made again with Mono.fromCallable. */
    private static final reactor.core.publisher.Mono<Integer> MONO = reactor.core.publisher.Mono.just(1);
    /** A value of an operator: made again from a source of the agent's. */
    private static final reactor.core.publisher.Mono<Integer> HIDDEN_MONO = MONO.hide();
    private static final reactor.core.publisher.Flux<Integer> FLUX = reactor.core.publisher.Flux.just(1, 2);
    private static final io.reactivex.rxjava3.core.Flowable<Integer> FLOWABLE = io.reactivex.rxjava3.core.Flowable.just(1, 2);
    private static final io.reactivex.rxjava3.core.Single<Integer> SINGLE = io.reactivex.rxjava3.core.Single.just(1);
    private static final io.reactivex.rxjava3.core.Maybe<Integer> MAYBE = io.reactivex.rxjava3.core.Maybe.just(1);
    private static final io.reactivex.rxjava3.core.Completable COMPLETABLE = io.reactivex.rxjava3.core.Completable.complete();
    private static final io.smallrye.mutiny.Uni<Integer> UNI = io.smallrye.mutiny.Uni.createFrom().item(1);
    private static final io.smallrye.mutiny.Multi<Integer> MULTI = io.smallrye.mutiny.Multi.createFrom().items(1, 2);
    /** Emits one item and completes at once, within subscribe. */
    private static final Flow.Publisher<Integer> ONE = subscriber -> {
        subscriber.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
            }

            @Override
            public void cancel() {
            }
        });
        subscriber.onNext(1);
        subscriber.onComplete();
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

    /*
     * Lazy values each subscribed by the level below, as a caller blocks on a handler's Mono: the
     * subscriptions nearest the top of the exhausted stack overflow inside the library, which rethrows
     * a StackOverflowError rather than signal it. More than one catch per descent.
     */

    @DynamoEndpoint(namespace = NS, component = "exhausted", endpoint = "mono_subscribed")
    public static reactor.core.publisher.Mono<Integer> monoSubscribed(int level) {
        try {
            monoSubscribed(level + 1).block();
        } catch (StackOverflowError end) {
            caught++;
        }
        return MONO;
    }

    @DynamoEndpoint(namespace = NS, component = "exhausted", endpoint = "hidden_mono_subscribed")
    public static reactor.core.publisher.Mono<Integer> hiddenMonoSubscribed(int level) {
        try {
            hiddenMonoSubscribed(level + 1).block();
        } catch (StackOverflowError end) {
            caught++;
        }
        return HIDDEN_MONO;
    }

    @DynamoEndpoint(namespace = NS, component = "exhausted", endpoint = "flux_subscribed")
    public static reactor.core.publisher.Flux<Integer> fluxSubscribed(int level) {
        try {
            fluxSubscribed(level + 1).blockLast();
        } catch (StackOverflowError end) {
            caught++;
        }
        return FLUX;
    }

    @DynamoEndpoint(namespace = NS, component = "exhausted", endpoint = "flowable_subscribed")
    public static io.reactivex.rxjava3.core.Flowable<Integer> flowableSubscribed(int level) {
        try {
            flowableSubscribed(level + 1).blockingLast();
        } catch (StackOverflowError end) {
            caught++;
        }
        return FLOWABLE;
    }

    @DynamoEndpoint(namespace = NS, component = "exhausted", endpoint = "single_subscribed")
    public static io.reactivex.rxjava3.core.Single<Integer> singleSubscribed(int level) {
        try {
            singleSubscribed(level + 1).blockingGet();
        } catch (StackOverflowError end) {
            caught++;
        }
        return SINGLE;
    }

    @DynamoEndpoint(namespace = NS, component = "exhausted", endpoint = "maybe_subscribed")
    public static io.reactivex.rxjava3.core.Maybe<Integer> maybeSubscribed(int level) {
        try {
            maybeSubscribed(level + 1).blockingGet();
        } catch (StackOverflowError end) {
            caught++;
        }
        return MAYBE;
    }

    @DynamoEndpoint(namespace = NS, component = "exhausted", endpoint = "completable_subscribed")
    public static io.reactivex.rxjava3.core.Completable completableSubscribed(int level) {
        try {
            completableSubscribed(level + 1).blockingAwait();
        } catch (StackOverflowError end) {
            caught++;
        }
        return COMPLETABLE;
    }

    @DynamoEndpoint(namespace = NS, component = "exhausted", endpoint = "uni_subscribed")
    public static io.smallrye.mutiny.Uni<Integer> uniSubscribed(int level) {
        try {
            uniSubscribed(level + 1).await().indefinitely();
        } catch (StackOverflowError end) {
            caught++;
        }
        return UNI;
    }

    @DynamoEndpoint(namespace = NS, component = "exhausted", endpoint = "multi_subscribed")
    public static io.smallrye.mutiny.Multi<Integer> multiSubscribed(int level) {
        try {
            multiSubscribed(level + 1).collect().last().await().indefinitely();
        } catch (StackOverflowError end) {
            caught++;
        }
        return MULTI;
    }

    @DynamoEndpoint(namespace = NS, component = "exhausted", endpoint = "flow_publisher_subscribed")
    public static Flow.Publisher<Integer> flowPublisherSubscribed(int level) {
        try {
            flowPublisherSubscribed(level + 1).subscribe(new Flow.Subscriber<Integer>() {
                @Override
                public void onSubscribe(Flow.Subscription subscription) {
                    subscription.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(Integer item) {
                }

                @Override
                public void onError(Throwable failure) {
                }

                @Override
                public void onComplete() {
                }
            });
        } catch (StackOverflowError end) {
            caught++;
        }
        return ONE;
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
