package com.example.endpoints;

import dev.dynamo.runtime.DynamoEndpoint;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.core.SingleObserver;
import io.reactivex.rxjava3.disposables.Disposable;
import io.reactivex.rxjava3.subjects.SingleSubject;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.operators.AbstractUni;
import io.smallrye.mutiny.subscription.UniSubscriber;
import io.vertx.core.CompositeFuture;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Timer;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Handlers returning Mutiny's Uni, RxJava's Single, Maybe and Completable, and Vert.x's Future. */
public class SingleValueHandlers {
    public static final String NS = "single_value_test";

    /** Reads the Mutiny {@code Context} of its subscriber. */
    @DynamoEndpoint(namespace = NS, component = "mutiny", endpoint = "uni_context")
    public Uni<String> uniReadingContext() {
        return Uni.createFrom().context(context -> Uni.createFrom().item(context.getOrElse("tenant", () -> "none")));
    }

    @DynamoEndpoint(namespace = NS, component = "mutiny", endpoint = "uni_delayed")
    public Uni<String> uniDelayed(long millis) {
        return Uni.createFrom().item("late").onItem().delayIt().by(Duration.ofMillis(millis));
    }

    /** Yields on another thread, as a Uni of a reactive client does. */
    @DynamoEndpoint(namespace = NS, component = "mutiny", endpoint = "uni_elsewhere")
    public Uni<Integer> uniElsewhere(int i) {
        return Uni.createFrom().item(i).emitOn(Infrastructure.getDefaultExecutor());
    }

    @DynamoEndpoint(namespace = NS, component = "mutiny", endpoint = "uni_failing")
    public Uni<String> uniFailing() {
        return Uni.createFrom().failure(new IllegalStateException("no stock"));
    }

    @DynamoEndpoint(namespace = NS, component = "mutiny", endpoint = "uni_null_item")
    public Uni<Void> uniNullItem() {
        return Uni.createFrom().voidItem();
    }

    @DynamoEndpoint(namespace = NS, component = "mutiny", endpoint = "uni_never")
    public Uni<String> uniNever() {
        return Uni.createFrom().nothing();
    }

    @DynamoEndpoint(namespace = NS, component = "mutiny", endpoint = "uni_throws")
    public Uni<String> uniThrows() {
        throw new UnsupportedOperationException("before any Uni");
    }

    @DynamoEndpoint(namespace = NS, component = "rxjava", endpoint = "single_delayed")
    public Single<Integer> singleDelayed(long millis) {
        return Single.just(7).delay(millis, TimeUnit.MILLISECONDS);
    }

    /** The memoizing idiom: cache()'s SingleCache is an observer too, fed by its upstream, not a subject. */
    @DynamoEndpoint(namespace = NS, component = "rxjava", endpoint = "single_cached")
    public Single<Integer> singleCached(long millis, boolean fail) {
        Single<Integer> delayed = Single.just(8).delay(millis, TimeUnit.MILLISECONDS);
        Single<Integer> loaded = fail ? delayed.<Integer>map(item -> {
            throw new java.io.IOException("backend down");
        }) : delayed;
        return loaded.cache();
    }

    @DynamoEndpoint(namespace = NS, component = "rxjava", endpoint = "single_failing")
    public Single<Integer> singleFailing() {
        return Single.error(new ArithmeticException("bad price"));
    }

    @DynamoEndpoint(namespace = NS, component = "rxjava", endpoint = "single_never")
    public Single<Integer> singleNever() {
        return Single.never();
    }

    @DynamoEndpoint(namespace = NS, component = "rxjava", endpoint = "maybe_empty")
    public Maybe<String> maybeEmpty() {
        return Maybe.empty();
    }

    @DynamoEndpoint(namespace = NS, component = "rxjava", endpoint = "maybe_item")
    public Maybe<String> maybeItem() {
        return Maybe.just("found");
    }

    @DynamoEndpoint(namespace = NS, component = "rxjava", endpoint = "completable_delayed")
    public Completable completableDelayed(long millis) {
        return Completable.timer(millis, TimeUnit.MILLISECONDS);
    }

    @DynamoEndpoint(namespace = NS, component = "rxjava", endpoint = "completable_failing")
    public Completable completableFailing() {
        return Completable.error(new IllegalArgumentException("refused"));
    }

    /** Vert.x's eager future, completed by whoever holds the promise. */
    @DynamoEndpoint(namespace = NS, component = "vertx", endpoint = "future")
    public Future<String> vertxFuture(Promise<String> promise) {
        return promise.future();
    }

    @DynamoEndpoint(namespace = NS, component = "vertx", endpoint = "succeeded")
    public Future<String> vertxSucceeded() {
        return Future.succeededFuture("done");
    }

    /** Declared as Vert.x's {@code CompositeFuture}, a subtype of {@code Future}: ends with both. */
    @DynamoEndpoint(namespace = NS, component = "vertx", endpoint = "all")
    public CompositeFuture vertxAll(Promise<String> first, Promise<String> second) {
        return Future.all(first.future(), second.future());
    }

    /** Declared as Vert.x 5's {@code Timer}, a subtype of {@code Future}: ends when it fires. */
    @DynamoEndpoint(namespace = NS, component = "vertx", endpoint = "timer")
    public Timer vertxTimer(Vertx vertx, long millis) {
        return vertx.timer(millis, TimeUnit.MILLISECONDS);
    }

    /** A timer its caller cancels. */
    @DynamoEndpoint(namespace = NS, component = "vertx", endpoint = "timer_cancelled")
    public Timer vertxTimerToCancel(Vertx vertx, long millis) {
        return vertx.timer(millis, TimeUnit.MILLISECONDS);
    }

    /** The application's own Uni, with a method of its own its caller reaches by a cast. */
    public static final class OwnUni extends AbstractUni<String> {
        public String tag() {
            return "own uni";
        }

        @Override
        public void subscribe(UniSubscriber<? super String> subscriber) {
            subscriber.onSubscribe(() -> { });
            subscriber.onItem("u");
        }
    }

    /** The application's own Single, likewise. */
    public static class OwnSingle extends Single<String> {
        public String tag() {
            return "own single";
        }

        @Override
        protected void subscribeActual(SingleObserver<? super String> observer) {
            observer.onSubscribe(Disposable.empty());
            observer.onSuccess("s");
        }
    }

    /**
     * Vert.x's RxJava binding of a future: a {@code Single} of Vert.x's own class
     * ({@code AsyncResultSingle}), a library's, not the application's.
     */
    @DynamoEndpoint(namespace = NS, component = "rxjava", endpoint = "vertx_binding")
    public Single<String> vertxBinding(Promise<String> promise) {
        return io.vertx.rxjava3.impl.AsyncResultSingle.toSingle(promise::future, answer -> answer);
    }

    @DynamoEndpoint(namespace = NS, component = "mutiny", endpoint = "own_uni")
    public Uni<String> ownUni() {
        return new OwnUni();
    }

    @DynamoEndpoint(namespace = NS, component = "rxjava", endpoint = "own_single")
    public Single<String> ownSingle() {
        return new OwnSingle();
    }

    /** An anonymous subclass of the application's own Single, which its caller casts to the named one. */
    @DynamoEndpoint(namespace = NS, component = "rxjava", endpoint = "own_single_customised")
    public Single<String> ownSingleCustomised() {
        return new OwnSingle() {
            @Override
            public String tag() {
                return "customised";
            }
        };
    }

    /** A subject the application feeds, returned as its Single: returned as it is. */
    @DynamoEndpoint(namespace = NS, component = "rxjava", endpoint = "subject")
    public Single<String> subject(SingleSubject<String> subject) {
        return subject;
    }
}
