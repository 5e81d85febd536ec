package dev.dynamo.it.styles;

import dev.dynamo.runtime.DynamoEndpoint;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** Handlers that return publishers: their work happens after they return, when they are subscribed. */
public final class ReactorHandlers {
    public static final long DELAY_MILLIS = 5;

    @DynamoEndpoint(namespace = "it", component = "reactor", endpoint = "mono_delayed")
    public Mono<String> delayed(int i) {
        return Mono.just("reply " + i).delayElement(Duration.ofMillis(DELAY_MILLIS));
    }

    @DynamoEndpoint(namespace = "it", component = "reactor", endpoint = "mono_error")
    public Mono<String> failing() {
        return Mono.delay(Duration.ofMillis(1)).then(Mono.error(new QuotaExceededException()));
    }

    @DynamoEndpoint(namespace = "it", component = "reactor", endpoint = "mono_empty")
    public Mono<Void> empty() {
        return Mono.empty();
    }

    /** One request, however many items. */
    @DynamoEndpoint(namespace = "it", component = "reactor", endpoint = "flux_items")
    public Flux<Integer> items(int count) {
        return Flux.range(0, count).delayElements(Duration.ofMillis(1));
    }

    /** Never completes: its subscriber cancels after some items. */
    @DynamoEndpoint(namespace = "it", component = "reactor", endpoint = "flux_endless")
    public Flux<Long> endless() {
        return Flux.interval(Duration.ofMillis(1));
    }

    /** Returned but never subscribed. */
    @DynamoEndpoint(namespace = "it", component = "reactor", endpoint = "never_subscribed")
    public Mono<String> neverSubscribed() {
        return Mono.just("unused");
    }

    /** Throws instead of returning a publisher. */
    @DynamoEndpoint(namespace = "it", component = "reactor", endpoint = "throwing")
    public Mono<String> throwing() {
        throw new IllegalStateException("no publisher");
    }

    /** A publisher of no library, returned as the reactive-streams interface: completes asynchronously. */
    @DynamoEndpoint(namespace = "it", component = "reactor", endpoint = "plain_publisher")
    public Publisher<Integer> plainPublisher(int count) {
        return subscriber -> subscriber.onSubscribe(new Subscription() {
            private final AtomicBoolean started = new AtomicBoolean();

            @Override
            public void request(long n) {
                if (started.compareAndSet(false, true)) {
                    CompletableFuture.runAsync(() -> emit(subscriber, count),
                            CompletableFuture.delayedExecutor(DELAY_MILLIS, TimeUnit.MILLISECONDS));
                }
            }

            @Override
            public void cancel() {
            }
        });
    }

    private static void emit(Subscriber<? super Integer> subscriber, int count) {
        for (int i = 0; i < count; i++) {
            subscriber.onNext(i);
        }
        subscriber.onComplete();
    }
}
