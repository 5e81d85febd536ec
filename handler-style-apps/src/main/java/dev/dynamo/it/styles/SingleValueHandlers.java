package dev.dynamo.it.styles;

import dev.dynamo.runtime.DynamoEndpoint;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Single;
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
}
