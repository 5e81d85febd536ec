package dev.dynamo.it.styles;

import dev.dynamo.runtime.DynamoEndpoint;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.core.SingleObserver;
import io.smallrye.mutiny.Uni;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Handlers that return a lazy single value: their work happens when they are subscribed. */
public final class SingleValueHandlers {
    public static final long DELAY_MILLIS = 5;

    @DynamoEndpoint(namespace = "it", component = "single_value", endpoint = "uni_delayed")
    public Uni<String> uniDelayed(int i) {
        return Uni.createFrom().item("reply " + i).onItem().delayIt().by(Duration.ofMillis(DELAY_MILLIS));
    }

    @DynamoEndpoint(namespace = "it", component = "single_value", endpoint = "uni_error")
    public Uni<String> uniFailing() {
        return Uni.createFrom().item("unused").onItem().delayIt().by(Duration.ofMillis(1))
                .onItem().failWith(item -> new QuotaExceededException());
    }

    /** Never yields: its subscriber cancels it. */
    @DynamoEndpoint(namespace = "it", component = "single_value", endpoint = "uni_never")
    public Uni<String> uniNever() {
        return Uni.createFrom().nothing();
    }

    /** Returned but never subscribed. */
    @DynamoEndpoint(namespace = "it", component = "single_value", endpoint = "uni_never_subscribed")
    public Uni<String> uniNeverSubscribed() {
        return Uni.createFrom().item("unused");
    }

    @DynamoEndpoint(namespace = "it", component = "single_value", endpoint = "single_delayed")
    public Single<Integer> singleDelayed(int i) {
        return Single.just(i).delay(DELAY_MILLIS, TimeUnit.MILLISECONDS);
    }

    @DynamoEndpoint(namespace = "it", component = "single_value", endpoint = "maybe_empty")
    public Maybe<String> maybeEmpty() {
        return Maybe.<String>empty().delay(DELAY_MILLIS, TimeUnit.MILLISECONDS);
    }

    @DynamoEndpoint(namespace = "it", component = "single_value", endpoint = "completable_error")
    public Completable completableFailing() {
        return Completable.timer(1, TimeUnit.MILLISECONDS).andThen(Completable.error(new QuotaExceededException()));
    }

    /** Built while a tracing assembly hook wraps every Single in a {@link TracingSingle}. */
    @DynamoEndpoint(namespace = "it", component = "single_value", endpoint = "traced_error")
    public Single<String> tracedFailing() {
        return Single.timer(DELAY_MILLIS, TimeUnit.MILLISECONDS).flatMap(tick -> Single.error(new QuotaExceededException()));
    }

    /** The application's own Single, which its caller casts back to. */
    @DynamoEndpoint(namespace = "it", component = "single_value", endpoint = "own_single")
    public Single<String> ownSingle() {
        return new TaggedSingle();
    }

    /** What a tracing hook puts around every Single ({@code RxJavaPlugins.setOnSingleAssembly}): it only overrides. */
    public static final class TracingSingle<T> extends Single<T> {
        private final Single<T> source;

        TracingSingle(Single<T> source) {
            this.source = source;
        }

        /** The hook: RxJava hands it raw {@code Single}s. */
        @SuppressWarnings({"rawtypes", "unchecked"})
        public static Single around(Single single) {
            return new TracingSingle(single);
        }

        @Override
        protected void subscribeActual(SingleObserver<? super T> observer) {
            source.subscribe(observer);
        }
    }

    /** The application's own Single, with a method its caller reaches by a cast. */
    public static final class TaggedSingle extends Single<String> {
        public String tag() {
            return "tagged";
        }

        @Override
        protected void subscribeActual(SingleObserver<? super String> observer) {
            Single.just("own").subscribe(observer);
        }
    }
}
