package com.example.endpoints;

import dev.dynamo.runtime.DynamoEndpoint;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;

/** Handlers returning publishers of every kind the agent measures to their terminal signal. */
public class PublisherHandlers {
    public static final String NS = "publisher_test";

    @DynamoEndpoint(namespace = NS, component = "reactor", endpoint = "mono_empty")
    public Mono<Void> empty() {
        return Mono.empty();
    }

    @DynamoEndpoint(namespace = NS, component = "reactor", endpoint = "mono_hooked")
    public Mono<String> hooked() {
        return Mono.just("hooked").map(String::toUpperCase);
    }

    @DynamoEndpoint(namespace = NS, component = "reactor", endpoint = "mono_delayed")
    public Mono<String> delayed(long millis) {
        return Mono.just("late").delayElement(Duration.ofMillis(millis));
    }

    @DynamoEndpoint(namespace = NS, component = "reactor", endpoint = "mono_error")
    public Mono<String> failing() {
        return Mono.error(new IllegalStateException("failed"));
    }

    @DynamoEndpoint(namespace = NS, component = "reactor", endpoint = "mono_cancelled_after_value")
    public Mono<String> valueThenLateCancel() {
        return Mono.just("value");
    }

    @DynamoEndpoint(namespace = NS, component = "reactor", endpoint = "mono_cancelled_after_error")
    public Mono<String> errorThenLateCancel() {
        return Mono.error(new ArithmeticException("late cancel"));
    }

    /** One exception for every call, as an application that keeps its errors in constants returns. */
    public static final IllegalStateException SHARED_ERROR = new IllegalStateException("shared");

    @DynamoEndpoint(namespace = NS, component = "reactor", endpoint = "mono_ready")
    public Mono<String> ready() {
        return Mono.just("ready");
    }

    @DynamoEndpoint(namespace = NS, component = "reactor", endpoint = "mono_nothing")
    public Mono<String> nothing() {
        return Mono.empty();
    }

    @DynamoEndpoint(namespace = NS, component = "reactor", endpoint = "mono_callable")
    public Mono<String> callable(Callable<String> body) {
        return Mono.fromCallable(body);
    }

    /** The way to run blocking work off Reactor's event loops: a callable mono subscribed on a scheduler. */
    @DynamoEndpoint(namespace = NS, component = "reactor", endpoint = "mono_subscribed_on")
    public Mono<String> subscribedOn() {
        return Mono.fromCallable(() -> Thread.currentThread().getName()).subscribeOn(Schedulers.single());
    }

    @DynamoEndpoint(namespace = NS, component = "reactor", endpoint = "mono_shared_error")
    public Mono<String> sharedError() {
        return Mono.error(SHARED_ERROR);
    }

    @DynamoEndpoint(namespace = NS, component = "reactor", endpoint = "flux_items")
    public Flux<Integer> items(int count) {
        return Flux.range(0, count);
    }

    @DynamoEndpoint(namespace = NS, component = "reactor", endpoint = "flux_endless")
    public Flux<Long> endless() {
        return Flux.interval(Duration.ofMillis(1));
    }

    /** A plain Reactive Streams publisher that reads the subscriber's Reactor context. */
    @DynamoEndpoint(namespace = NS, component = "plain", endpoint = "context_reader")
    public Publisher<String> contextReader() {
        return subscriber -> Mono.deferContextual(context -> Mono.just(context.getOrDefault("tenant", "missing")))
                .subscribe(subscriber);
    }

    @DynamoEndpoint(namespace = NS, component = "reactor", endpoint = "unsubscribed")
    public Mono<String> unsubscribed() {
        return Mono.just("never read");
    }

    @DynamoEndpoint(namespace = NS, component = "reactor", endpoint = "resubscribed")
    public Mono<String> resubscribed() {
        return Mono.just("again");
    }

    @DynamoEndpoint(namespace = NS, component = "reactor", endpoint = "guarded")
    public Mono<String> guarded() {
        return Mono.just("ok").delayElement(Duration.ofMillis(1));
    }

    @DynamoEndpoint(namespace = NS, component = "rxjava", endpoint = "flowable_delayed")
    public io.reactivex.rxjava3.core.Flowable<Integer> flowableDelayed(int count, long millis) {
        return io.reactivex.rxjava3.core.Flowable.range(0, count).delay(millis, TimeUnit.MILLISECONDS);
    }

    @DynamoEndpoint(namespace = NS, component = "rxjava", endpoint = "flowable_error")
    public io.reactivex.rxjava3.core.Flowable<Integer> flowableError() {
        return io.reactivex.rxjava3.core.Flowable.error(new IllegalArgumentException("bad"));
    }

    @DynamoEndpoint(namespace = NS, component = "rxjava", endpoint = "flowable_endless")
    public io.reactivex.rxjava3.core.Flowable<Long> flowableEndless() {
        return io.reactivex.rxjava3.core.Flowable.interval(1, TimeUnit.MILLISECONDS);
    }

    @DynamoEndpoint(namespace = NS, component = "rxjava", endpoint = "flowable_items_elsewhere")
    public io.reactivex.rxjava3.core.Flowable<Integer> flowableItemsElsewhere(int count) {
        return io.reactivex.rxjava3.core.Flowable.range(0, count).subscribeOn(io.reactivex.rxjava3.schedulers.Schedulers.single())
                .map(i -> i * 2);
    }

    /** Items for a subscriber that throws a JVM-fatal error (the items are the same as {@link #items}'s). */
    @DynamoEndpoint(namespace = NS, component = "reactor", endpoint = "flux_to_fatal_subscriber")
    public Flux<Integer> fluxToFatalSubscriber(int count) {
        return Flux.range(0, count);
    }

    @DynamoEndpoint(namespace = NS, component = "rxjava", endpoint = "flowable_to_fatal_subscriber")
    public io.reactivex.rxjava3.core.Flowable<Integer> flowableToFatalSubscriber(int count) {
        return io.reactivex.rxjava3.core.Flowable.range(0, count);
    }

    /** Items for a subscriber whose {@code onNext} throws. */
    @DynamoEndpoint(namespace = NS, component = "rxjava", endpoint = "flowable_to_throwing_subscriber")
    public io.reactivex.rxjava3.core.Flowable<Integer> flowableToThrowingSubscriber(int count) {
        return io.reactivex.rxjava3.core.Flowable.range(0, count);
    }

    /** A connectable flowable, which the caller connects: returned as it is. */
    @DynamoEndpoint(namespace = NS, component = "rxjava", endpoint = "connectable")
    public io.reactivex.rxjava3.core.Flowable<Integer> connectableFlowable(int count) {
        return io.reactivex.rxjava3.core.Flowable.range(0, count).publish();
    }

    /** A processor the application feeds, returned as its Flowable: returned as it is. */
    @DynamoEndpoint(namespace = NS, component = "rxjava", endpoint = "processor")
    public io.reactivex.rxjava3.core.Flowable<String> processor(
            io.reactivex.rxjava3.processors.PublishProcessor<String> bus) {
        return bus;
    }

    /** A Reactor connectable flux, which the caller connects: returned as it is. */
    @DynamoEndpoint(namespace = NS, component = "reactor", endpoint = "connectable")
    public Flux<Integer> connectableFlux(int count) {
        return Flux.range(0, count).publish();
    }

    /** The application's own Flux, with a method of its own its caller reaches by a cast. */
    public static final class OwnFlux extends Flux<String> {
        public String tag() {
            return "own flux";
        }

        @Override
        public void subscribe(reactor.core.CoreSubscriber<? super String> actual) {
            Flux.just("a", "b").subscribe(actual);
        }
    }

    /** The application's own Flowable, returned as the reactive-streams interface. */
    public static final class OwnFlowable extends io.reactivex.rxjava3.core.Flowable<String> {
        public String tag() {
            return "own flowable";
        }

        @Override
        protected void subscribeActual(org.reactivestreams.Subscriber<? super String> subscriber) {
            io.reactivex.rxjava3.core.Flowable.just("c").subscribe(subscriber);
        }
    }

    @DynamoEndpoint(namespace = NS, component = "reactor", endpoint = "own_flux")
    public Flux<String> ownFlux() {
        return new OwnFlux();
    }

    @DynamoEndpoint(namespace = NS, component = "rxjava", endpoint = "own_flowable")
    public Publisher<String> ownFlowable() {
        return new OwnFlowable();
    }

    /** An anonymous Flux: no caller can cast to its class, so it is measured to its end. */
    @DynamoEndpoint(namespace = NS, component = "reactor", endpoint = "anonymous_flux")
    public Flux<String> anonymousFlux(Duration delay) {
        return new Flux<String>() {
            @Override
            public void subscribe(reactor.core.CoreSubscriber<? super String> actual) {
                Mono.just("late").delayElement(delay).subscribe(actual);
            }
        };
    }

    /** A Reactor Flux returned as the reactive-streams interface. */
    @DynamoEndpoint(namespace = NS, component = "plain", endpoint = "as_publisher")
    public Publisher<Integer> asPublisher(int count) {
        return Flux.range(0, count);
    }

    /** An RxJava Flowable returned as the reactive-streams interface: it stays a Flowable. */
    @DynamoEndpoint(namespace = NS, component = "plain", endpoint = "flowable_as_publisher")
    public Publisher<Integer> flowableAsPublisher(int count) {
        return io.reactivex.rxjava3.core.Flowable.range(0, count);
    }

    /** A Mutiny Multi returned as the JDK's Flow.Publisher: it stays a Multi. */
    @DynamoEndpoint(namespace = NS, component = "plain", endpoint = "multi_as_flow")
    public Flow.Publisher<Integer> multiAsFlow(int count, boolean fail) {
        io.smallrye.mutiny.Multi<Integer> items = io.smallrye.mutiny.Multi.createFrom().range(0, count);
        return fail ? items.onCompletion().failWith(new IllegalStateException("after the items")) : items;
    }

    /** Declared as a Mutiny Multi. */
    @DynamoEndpoint(namespace = NS, component = "plain", endpoint = "multi")
    public io.smallrye.mutiny.Multi<Integer> multi(int count) {
        return io.smallrye.mutiny.Multi.createFrom().range(0, count);
    }

    /** The JDK's HTTP client body publisher: a Flow.Publisher of a JDK class with an interface of its own. */
    @DynamoEndpoint(namespace = NS, component = "plain", endpoint = "body_publisher")
    public Flow.Publisher<java.nio.ByteBuffer> bodyPublisher(String body) {
        return java.net.http.HttpRequest.BodyPublishers.ofString(body);
    }

    /** A publisher of both interfaces, returned as the Flow one. */
    @DynamoEndpoint(namespace = NS, component = "plain", endpoint = "both_interfaces")
    public Flow.Publisher<Integer> bothInterfaces(int count) {
        return new BothInterfaces(count);
    }

    /** A publisher with a sealed interface, which no proxy can have. */
    @DynamoEndpoint(namespace = NS, component = "plain", endpoint = "sealed_source")
    public Flow.Publisher<Integer> sealedSource() {
        return new SealedSource();
    }

    /** A publisher with a package-private interface: its proxy is package-private too. */
    @DynamoEndpoint(namespace = NS, component = "plain", endpoint = "package_private_interface")
    public Flow.Publisher<Integer> packagePrivateInterface() {
        return new Internal();
    }

    /** An interface whose default method subscribes. */
    public interface Subscribable<T> extends Flow.Publisher<T> {
        default void subscribeWith(Flow.Subscriber<? super T> subscriber) {
            subscribe(subscriber);
        }
    }

    /** Subscribed through its interface's default method. */
    @DynamoEndpoint(namespace = NS, component = "plain", endpoint = "default_method")
    public Flow.Publisher<Integer> defaultMethod() {
        return new Internal();
    }

    interface Marked {
    }

    /** Emits one item and completes. */
    static final class Internal implements Subscribable<Integer>, Marked {
        @Override
        public void subscribe(Flow.Subscriber<? super Integer> subscriber) {
            subscriber.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                    subscriber.onNext(1);
                    subscriber.onComplete();
                }

                @Override
                public void cancel() {
                }
            });
        }
    }

    /** A public sealed interface of the application's. */
    public sealed interface Source permits SealedSource {
    }

    /** Emits nothing and completes. */
    public static final class SealedSource implements Flow.Publisher<Integer>, Source {
        @Override
        public void subscribe(Flow.Subscriber<? super Integer> subscriber) {
            subscriber.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                    subscriber.onComplete();
                }

                @Override
                public void cancel() {
                }
            });
        }
    }

    /** Emits {@code count} items at once to a subscriber of either interface. */
    public static final class BothInterfaces implements Flow.Publisher<Integer>, Publisher<Integer> {
        private final int count;

        BothInterfaces(int count) {
            this.count = count;
        }

        @Override
        public void subscribe(Flow.Subscriber<? super Integer> subscriber) {
            subscriber.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                    for (int i = 0; i < count; i++) {
                        subscriber.onNext(i);
                    }
                    subscriber.onComplete();
                }

                @Override
                public void cancel() {
                }
            });
        }

        @Override
        public void subscribe(org.reactivestreams.Subscriber<? super Integer> subscriber) {
            subscriber.onSubscribe(new org.reactivestreams.Subscription() {
                @Override
                public void request(long n) {
                    subscriber.onError(new IllegalStateException("the reactive-streams side fails"));
                }

                @Override
                public void cancel() {
                }
            });
        }
    }

    /** A publisher whose subscribe throws, against the rules (Reactive Streams §1.9). */
    @DynamoEndpoint(namespace = NS, component = "plain", endpoint = "subscribe_throws")
    public Flow.Publisher<Integer> subscribeThrows() {
        return subscriber -> {
            throw new IllegalStateException("refused");
        };
    }

    /** Emits its items at once, on the subscribing thread. */
    @DynamoEndpoint(namespace = NS, component = "plain", endpoint = "emits_at_once")
    public Flow.Publisher<Integer> emitsAtOnce(int count) {
        return subscriber -> subscriber.onSubscribe(new Flow.Subscription() {
            private int sent;

            @Override
            public void request(long n) {
                while (sent < count) {
                    subscriber.onNext(sent++);
                }
                subscriber.onComplete();
            }

            @Override
            public void cancel() {
                sent = count;
            }
        });
    }

    /** The JDK's own Flow publisher: wrapped in a proxy of Flow.Publisher. */
    @DynamoEndpoint(namespace = NS, component = "plain", endpoint = "flow")
    public Flow.Publisher<Integer> flow(SubmissionPublisher<Integer> publisher) {
        return publisher;
    }

    /** One hot multicast sink that every call hands out: each caller's subscription is its own call. */
    public final reactor.core.publisher.Sinks.Many<String> multicastSink =
            reactor.core.publisher.Sinks.many().multicast().directBestEffort();
    public final reactor.core.publisher.Sinks.Many<String> bufferedSink =
            reactor.core.publisher.Sinks.many().multicast().onBackpressureBuffer();

    @DynamoEndpoint(namespace = NS, component = "reactor", endpoint = "multicast_sink")
    public Flux<String> multicast() {
        return multicastSink.asFlux();
    }

    @DynamoEndpoint(namespace = NS, component = "reactor", endpoint = "buffered_sink")
    public Flux<String> buffered() {
        return bufferedSink.asFlux();
    }
}
